// SPDX-License-Identifier: GPL-2.0
/*
 * The AFL++ driver: persistent mode with the test case in shared memory
 * and a deferred fork server, so one process runs many thousands of
 * inputs and the target's one-time set-up (LLVMFuzzerInitialize) happens
 * once, before the fork server starts.  Given file arguments instead
 * (outside afl-fuzz), it runs each file once, so fuzz/bin/<target> FILE
 * reproduces a finding without the sanitizers.
 */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "replay.h"

/* Inputs per forked child before afl-fuzz starts a fresh one. */
#define PERSISTENT_ITERATIONS	100000

#pragma weak LLVMFuzzerInitialize

__AFL_FUZZ_INIT();

int main(int argc, char **argv)
{
	unsigned char *buf;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("Usage: %s [FILE|DIR...]\n"
		       "Under afl-fuzz (no arguments): a persistent-mode target.\n"
		       "With files: runs each once (directories recursively);\n"
		       "exit 0 when all ran, 2 when one could not be read.\n"
		       "For sanitizer reports use bin/lgrepro.\n",
		       argv[0]);
		return 0;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1)
		return fuzz_replay(argv + 1, argc - 1, 0);
	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(PERSISTENT_ITERATIONS))
		LLVMFuzzerTestOneInput(buf, __AFL_FUZZ_TESTCASE_LEN);
	return 0;
}
