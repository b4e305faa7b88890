// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "term.h"

static struct termios saved;
static int saved_fd = -1;

void term_restore(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSANOW, &saved);
}

/* Fatal signals must not leave the user's terminal raw. */
static void restore_and_die(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

bool term_raw(int fd)
{
	static const int fatal[] = { SIGTERM, SIGHUP, SIGQUIT, SIGINT,
				     SIGSEGV, SIGBUS, SIGABRT };
	struct termios raw;
	unsigned int i;

	if (!isatty(fd) || tcgetattr(fd, &saved) < 0)
		return false;
	saved_fd = fd;
	atexit(term_restore);
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], restore_and_die);
	raw = saved;
	raw.c_lflag &= ~(ISIG | ICANON | ECHO | IEXTEN);
	raw.c_iflag &= ~(IXON | ICRNL);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSANOW, &raw);
	return true;
}

static double seconds_between(const struct timespec *a,
			      const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

bool escape_typed(struct escape_watch *w, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		struct timespec now;

		if (buf[i] != 3)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		w->ctrl_c[w->count++ % 3] = now;
		/* The oldest of the last three is the slot we write next. */
		if (w->count >= 3 &&
		    seconds_between(&w->ctrl_c[w->count % 3], &now) < 1.0)
			return true;
	}
	return false;
}
