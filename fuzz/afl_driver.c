// SPDX-License-Identifier: GPL-2.0
/*
 * The AFL++ driver: persistent mode with the test case in shared memory
 * and a deferred fork server, so one process runs many thousands of
 * inputs and the target's one-time set-up (LLVMFuzzerInitialize) happens
 * once, before the fork server starts.  Given file arguments instead
 * (outside afl-fuzz), it runs each file once, so fuzz/bin/<target> FILE
 * reproduces a finding without the sanitizers.
 *
 * Each input is handed to the target as an exactly sized copy ending at
 * a guard page (fuzz/guarded.h): in AFL's shared-memory buffer the bytes
 * past the input are readable, so an over-read would go unnoticed.
 */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "guarded.h"
#include "replay.h"

/* Inputs per forked child before afl-fuzz starts a fresh one. */
#define PERSISTENT_ITERATIONS	100000
/* Larger than afl-fuzz's largest test case (MAX_FILE, 1 MiB). */
#define INPUT_MAX		(2u << 20)

#pragma weak LLVMFuzzerInitialize

__AFL_FUZZ_INIT();

int main(int argc, char **argv)
{
	struct guarded copy;
	unsigned char *buf;
	size_t len;

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
	guarded_init(&copy, INPUT_MAX, argv[0]);
	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(PERSISTENT_ITERATIONS)) {
		len = __AFL_FUZZ_TESTCASE_LEN;
		if (len > INPUT_MAX)
			len = INPUT_MAX;
		LLVMFuzzerTestOneInput(guarded_copy_end(&copy, buf, len), len);
	}
	return 0;
}
