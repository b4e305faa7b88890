/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_FUZZ_REPLAY_H
#define LGUEST_FUZZ_REPLAY_H

/*
 * Running saved inputs through a target outside any fuzzer: what
 * bin/lgrepro does with the sanitizer build, and what a fuzz/bin/<target>
 * binary does when it is given files instead of being run by afl-fuzz.
 */

/*
 * Run every path in paths[0..n) (a directory stands for the files under
 * it) through LLVMFuzzerTestOneInput, printing one line per input.  With
 * timeout_s > 0 an input that runs longer ends the process with a "HANG"
 * line and exit status 3.  Returns 0 when every input ran, 2 when a path
 * could not be read.  A crash or a broken invariant never returns.
 */
int fuzz_replay(char **paths, int n, unsigned int timeout_s);

#endif
