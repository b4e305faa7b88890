// SPDX-License-Identifier: GPL-2.0
/*
 * The peer every fuzz target's speed is compared to (bench/run-fuzz.sh):
 * a target that does almost nothing, linked with the same AFL++ driver,
 * so its exec/s is this machine's per-execution cost at that moment.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int sum = 0;
	size_t i;

	for (i = 0; i < size && i < 64; i++)
		sum += data[i];
	return sum == 0xffffffff;
}
