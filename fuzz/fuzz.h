/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_FUZZ_H
#define LGUEST_FUZZ_H

/*
 * What every fuzz target shares.  A target is one file, fuzz/<name>.c,
 * that defines the libFuzzer entry point
 *
 *	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
 *
 * and, when it needs set-up done once (guest memory, tables), also
 *
 *	int LLVMFuzzerInitialize(int *argc, char ***argv);
 *
 * The same file links unchanged into three drivers: AFL++ persistent mode
 * (fuzz/afl_driver.c), libFuzzer (-fsanitize=fuzzer) and the plain replay
 * driver behind bin/lgrepro (fuzz/replay_driver.c).  So a target must not
 * keep state from one input to the next that changes what the next input
 * does: reset everything it touches at the start of each call.
 *
 * Crashes are found by the sanitizers; the invariants that a crash would
 * not show (used index past what was made available, an access outside
 * guest memory, an instruction longer than 15 bytes) are checked by the
 * target, which calls fuzz_invariant() and so aborts with a message the
 * replay tool prints.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define fuzz_invariant(cond, ...)                                          \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "INVARIANT BROKEN: %s:%d: %s: ",   \
				__FILE__, __LINE__, #cond);                \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			abort();                                           \
		}                                                          \
	} while (0)

/*
 * Reading the input as a stream of fields: a short input reads as zeros
 * past its end, so every input is valid and the fuzzer never wastes
 * executions on inputs a length check throws away.
 */
struct fuzz_input {
	const uint8_t *data;
	size_t size, pos;
};

static inline uint64_t fuzz_take(struct fuzz_input *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++) {
		uint8_t b = in->pos < in->size ? in->data[in->pos++] : 0;

		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

/* The rest of the input, as one block (possibly empty). */
static inline const uint8_t *fuzz_rest(struct fuzz_input *in, size_t *len)
{
	const uint8_t *p = in->data + in->pos;

	*len = in->size - in->pos;
	in->pos = in->size;
	return p;
}

#endif
