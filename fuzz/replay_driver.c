// SPDX-License-Identifier: GPL-2.0
/*
 * The plain replay driver: a fuzz target linked with this file (and the
 * sanitizers) runs saved inputs once each, under a time limit.  bin/lgrepro
 * is the friendly front end.
 */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "replay.h"

#define DEFAULT_TIMEOUT	10

#pragma weak LLVMFuzzerInitialize

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [--timeout SECONDS] FILE|DIR...\n"
		"Runs each input once through this fuzz target (directories\n"
		"recursively), printing one line per input.  An input running\n"
		"longer than SECONDS (default %d, 0: no limit) is a hang.\n"
		"Exit: 0 all ran clean, 2 usage or unreadable input, 3 hang;\n"
		"a crash or broken invariant aborts (sanitizer report on stderr).\n",
		prog, DEFAULT_TIMEOUT);
}

int main(int argc, char **argv)
{
	unsigned int timeout_s = DEFAULT_TIMEOUT;
	int i = 1;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		usage(stdout, argv[0]);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "--timeout")) {
		char *end;

		timeout_s = strtoul(argv[2], &end, 10);
		if (*end || !*argv[2]) {
			fprintf(stderr, "%s: --timeout '%s' is not a number of seconds\n",
				argv[0], argv[2]);
			return 2;
		}
		i = 3;
	}
	if (i >= argc) {
		usage(stderr, argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	return fuzz_replay(argv + i, argc - i, timeout_s);
}
