// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "replay.h"

#define HANG_EXIT	3

static const char *current_input;
static unsigned int time_limit;
static int read_errors;

/* Async-signal-safe: only write() and _exit() from here. */
static void say_hang(int sig)
{
	static const char a[] = "HANG: ", b[] = " exceeded ", c[] = " s\n";
	char num[12];
	int i = sizeof(num);
	unsigned int t = time_limit;

	(void)sig;
	do
		num[--i] = '0' + t % 10;
	while ((t /= 10) && i > 0);
	if (write(STDERR_FILENO, a, sizeof(a) - 1) < 0 ||
	    write(STDERR_FILENO, current_input, strlen(current_input)) < 0 ||
	    write(STDERR_FILENO, b, sizeof(b) - 1) < 0 ||
	    write(STDERR_FILENO, num + i, sizeof(num) - i) < 0 ||
	    write(STDERR_FILENO, c, sizeof(c) - 1) < 0)
		_exit(HANG_EXIT);
	_exit(HANG_EXIT);
}

/*
 * The whole file in a buffer of exactly its size, so that the sanitizer
 * build catches a target reading even one byte past the input.
 */
static uint8_t *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t done = 0;

	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	while (buf && done < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + done, st.st_size - done);

		if (r <= 0) {
			free(buf);
			buf = NULL;
			break;
		}
		done += r;
	}
	close(fd);
	*len = done;
	return buf;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void replay_one(const char *path)
{
	size_t len;
	uint8_t *buf = slurp(path, &len);
	double t0;

	if (!buf) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", path,
			strerror(errno));
		read_errors++;
		return;
	}
	fprintf(stderr, "replay: running %s\n", path);
	current_input = path;
	t0 = now();
	alarm(time_limit);
	LLVMFuzzerTestOneInput(buf, len);
	alarm(0);
	printf("ok: %s (%zu bytes, %.3f s)\n", path, len, now() - t0);
	fflush(stdout);
	free(buf);
}

static int visit(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F)
		replay_one(path);
	else if (type == FTW_DNR || type == FTW_NS) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		read_errors++;
	}
	return 0;
}

int fuzz_replay(char **paths, int n, unsigned int timeout_s)
{
	struct sigaction sa = { .sa_handler = say_hang };
	int i;

	time_limit = timeout_s;
	sigaction(SIGALRM, &sa, NULL);
	for (i = 0; i < n; i++)
		if (nftw(paths[i], visit, 16, FTW_PHYS)) {
			fprintf(stderr, "replay: cannot read '%s': %s\n",
				paths[i], strerror(errno));
			read_errors++;
		}
	return read_errors ? 2 : 0;
}
