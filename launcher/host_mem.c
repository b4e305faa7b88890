// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "host_mem.h"

/* What the launcher needs besides guest memory: code, stacks, rings. */
#define LAUNCHER_RESERVE (64ULL << 20)
#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_PATH_MAX 1024

const struct host_mem_room *host_mem_too_small(uint64_t guest,
					       const struct host_mem_room *rooms,
					       unsigned int n)
{
	const struct host_mem_room *tightest = NULL;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!tightest || rooms[i].bytes < tightest->bytes)
			tightest = &rooms[i];
	return tightest && guest > tightest->bytes ? tightest : NULL;
}

static const char *next_line(const char *line)
{
	line = strchr(line, '\n');
	return line ? line + 1 : NULL;
}

/* "Field:   1234 kB" anywhere in text. */
int host_mem_status_kb(const char *text, const char *field, uint64_t *bytes)
{
	size_t len = strlen(field);
	const char *line;
	char *end;
	unsigned long long kb;

	for (line = text; line; line = next_line(line)) {
		if (strncmp(line, field, len) || line[len] != ':')
			continue;
		errno = 0;
		kb = strtoull(line + len + 1, &end, 10);
		if (errno || end == line + len + 1 || strncmp(end, " kB", 3))
			return -1;
		if (kb > UINT64_MAX >> 10)
			return -1;
		*bytes = (uint64_t)kb << 10;
		return 0;
	}
	return -1;
}

int host_mem_meminfo(const char *text, uint64_t *available, uint64_t *swap_free)
{
	if (host_mem_status_kb(text, "MemAvailable", available))
		return -1;
	if (host_mem_status_kb(text, "SwapFree", swap_free))
		*swap_free = 0;
	return 0;
}

/* memory.max or memory.current: a number of bytes, or "max". */
int host_mem_cgroup_value(const char *text, uint64_t *bytes)
{
	char *end;

	if (!strncmp(text, "max", 3) && (text[3] == '\n' || !text[3])) {
		*bytes = HOST_MEM_UNLIMITED;
		return 0;
	}
	errno = 0;
	*bytes = strtoull(text, &end, 10);
	return errno || end == text || (*end && *end != '\n') ? -1 : 0;
}

/* The cgroup v2 line of /proc/self/cgroup: "0::/path". */
int host_mem_cgroup_path(const char *text, char *path, size_t size)
{
	const char *line, *end;

	for (line = text; line; line = next_line(line)) {
		if (strncmp(line, "0::/", 4))
			continue;
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if ((size_t)(end - line - 3) >= size)
			return -1;
		memcpy(path, line + 3, end - line - 3);
		path[end - line - 3] = '\0';
		return 0;
	}
	return -1;
}

static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (got + 1 < size && (n = read(fd, buf + got, size - got - 1)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got ? 0 : -1;
}

static void add_room(struct host_mem_room *rooms, unsigned int *n,
		     const char *what, uint64_t bytes)
{
	if (*n < HOST_MEM_MAX_ROOMS)
		rooms[(*n)++] = (struct host_mem_room){ what, bytes };
}

/* An rlimit leaves what is not already used, less our own needs. */
static void rlimit_room(struct host_mem_room *rooms, unsigned int *n,
			int resource, const char *what, const char *status,
			const char *field)
{
	struct rlimit rl;
	uint64_t used = 0;

	if (getrlimit(resource, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return;
	host_mem_status_kb(status, field, &used);
	used += LAUNCHER_RESERVE;
	add_room(rooms, n, what, rl.rlim_cur > used ? rl.rlim_cur - used : 0);
}

/* Our cgroup and each of its ancestors may cap memory; the least room wins. */
static void cgroup_room(struct host_mem_room *rooms, unsigned int *n)
{
	char text[4096], path[CGROUP_PATH_MAX], file[CGROUP_PATH_MAX + 64];
	uint64_t best = HOST_MEM_UNLIMITED, max, current;
	char *slash;

	if (read_text("/proc/self/cgroup", text, sizeof(text)) ||
	    host_mem_cgroup_path(text, path, sizeof(path)))
		return;
	for (;;) {
		snprintf(file, sizeof(file), CGROUP_ROOT "%s/memory.max", path);
		if (!read_text(file, text, sizeof(text)) &&
		    !host_mem_cgroup_value(text, &max) && max != HOST_MEM_UNLIMITED) {
			snprintf(file, sizeof(file), CGROUP_ROOT "%s/memory.current",
				 path);
			if (read_text(file, text, sizeof(text)) ||
			    host_mem_cgroup_value(text, &current) || current > max)
				current = 0;
			if (max - current < best)
				best = max - current;
		}
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			break;
		*slash = '\0';
	}
	if (best != HOST_MEM_UNLIMITED)
		add_room(rooms, n, "cgroup memory.max", best);
}

int host_mem_check(uint64_t guest, struct lg_error *err)
{
	struct host_mem_room rooms[HOST_MEM_MAX_ROOMS];
	const struct host_mem_room *tight;
	uint64_t avail, swap;
	char text[8192];
	unsigned int n = 0;

	if (!read_text("/proc/meminfo", text, sizeof(text)) &&
	    !host_mem_meminfo(text, &avail, &swap))
		add_room(rooms, &n, "MemAvailable + SwapFree", avail + swap);
	if (read_text("/proc/self/status", text, sizeof(text)))
		text[0] = '\0';
	rlimit_room(rooms, &n, RLIMIT_AS, "RLIMIT_AS", text, "VmSize");
	rlimit_room(rooms, &n, RLIMIT_DATA, "RLIMIT_DATA", text, "VmData");
	cgroup_room(rooms, &n);
	tight = host_mem_too_small(guest, rooms, n);
	if (tight)
		return lg_fail(err, "%" PRIu64 " MiB of guest memory but this host can give %" PRIu64 " MiB (%s)",
			       guest >> 20, tight->bytes >> 20, tight->what);
	return 0;
}

int host_mem_share(void *ram, uint64_t bytes, struct lg_error *err)
{
	int fd;

	if (!bytes || (uintptr_t)ram % sysconf(_SC_PAGESIZE))
		return lg_fail(err,
			       "guest memory at %p, %" PRIu64
			       " bytes: not a page-aligned range to share",
			       ram, bytes);
	fd = memfd_create("lguest-guest-ram", MFD_CLOEXEC);
	if (fd < 0)
		return lg_fail(err, "memfd_create for guest memory: %s",
			       strerror(errno));
	if (ftruncate(fd, bytes)) {
		lg_fail(err,
			"cannot size the guest memory memfd to %" PRIu64
			" MiB: %s",
			bytes >> 20, strerror(errno));
		close(fd);
		return -1;
	}
	if (mmap(ram, bytes, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0) == MAP_FAILED) {
		lg_fail(err, "cannot map the guest memory memfd: %s",
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
