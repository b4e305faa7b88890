/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_HOST_MEM_H
#define LGUEST_HOST_MEM_H

#include <stdint.h>

#include "error.h"

/*
 * Guest memory is mapped MAP_NORESERVE, so a guest bigger than the host
 * can give would start and die later, OOM-killed.  Before mapping it we
 * look at every limit that applies and refuse with a clear message.
 */
#define HOST_MEM_MAX_ROOMS 8
#define HOST_MEM_UNLIMITED UINT64_MAX

/* One limit and how many bytes it leaves for guest memory. */
struct host_mem_room {
	const char *what;	/* "MemAvailable + SwapFree", "RLIMIT_AS", ... */
	uint64_t bytes;
};

/* The tightest room if `guest` bytes do not fit in it, else NULL. */
const struct host_mem_room *host_mem_too_small(uint64_t guest,
					       const struct host_mem_room *rooms,
					       unsigned int n);

/* Parsers of the files the rooms come from; 0, or -1 if malformed. */
int host_mem_meminfo(const char *text, uint64_t *available,
		     uint64_t *swap_free);
int host_mem_status_kb(const char *text, const char *field, uint64_t *bytes);
int host_mem_cgroup_value(const char *text, uint64_t *bytes);
int host_mem_cgroup_path(const char *text, char *path, size_t size);

/* Read the host's limits and check; -1 with the message in err. */
int host_mem_check(uint64_t guest, struct lg_error *err);

/*
 * Make guest RAM, `bytes` at `ram` (page aligned), shareable: a memfd is
 * mapped shared over it at the same address, so KVM's memory slots stay
 * as they are and a vhost-user back-end can map the same pages from the
 * fd.  What the range held is gone, so this is done before anything is
 * loaded into it.  Returns the memfd (close-on-exec), or -1.
 */
int host_mem_share(void *ram, uint64_t bytes, struct lg_error *err);

#endif
