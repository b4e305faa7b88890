// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guarded.h"

void guarded_init(struct guarded *g, size_t cap, const char *who)
{
	size_t page = sysconf(_SC_PAGESIZE);
	uint8_t *p;

	cap = (cap + page - 1) / page * page;
	p = mmap(NULL, cap + 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED || mprotect(p, page, PROT_NONE) ||
	    mprotect(p + page + cap, page, PROT_NONE)) {
		fprintf(stderr, "%s: guarded buffer of %zu bytes: %m\n", who,
			cap);
		exit(1);
	}
	g->lo = p + page;
	g->cap = cap;
}

const uint8_t *guarded_copy_end(struct guarded *g, const uint8_t *data,
				size_t len)
{
	uint8_t *p = g->lo + g->cap - len;

	if (len)
		memmove(p, data, len);
	return p;
}

const uint8_t *guarded_copy_start(struct guarded *g, const uint8_t *data,
				  size_t len)
{
	if (len)
		memmove(g->lo, data, len);
	return g->lo;
}
