// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include "host_error.h"

/*
 * Kinds are registered while the launcher sets its devices up and only
 * counted afterwards, from the queue threads; the list lock covers the
 * odd device a test creates while another one runs.
 */
static struct host_error *kinds;
static pthread_mutex_t kinds_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *stream;

void host_error_set_stream(FILE *f)
{
	stream = f;
}

static FILE *out(void)
{
	return stream ? stream : stderr;
}

void host_error_init(struct host_error *e, const char *fmt, ...)
{
	struct host_error **p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	atomic_store(&e->count, 0);
	pthread_mutex_lock(&kinds_lock);
	for (p = &kinds; *p && *p != e; p = &(*p)->next)
		;
	if (!*p) {
		e->next = NULL;
		*p = e;
	}
	pthread_mutex_unlock(&kinds_lock);
}

/* Powers of two: a flood of errors costs a logarithm of lines. */
unsigned long host_error_count(struct host_error *e)
{
	unsigned long n = atomic_fetch_add(&e->count, 1) + 1;

	return n & (n - 1) ? 0 : n;
}

void host_error_note(struct host_error *e, int errnum)
{
	unsigned long n = host_error_count(e);
	char buf[128];

	if (!n)
		return;
	if (n == 1)
		fprintf(out(), "lguest: %s: %s\n", e->what,
			strerror_r(errnum, buf, sizeof(buf)));
	else
		fprintf(out(), "lguest: %s: %s (%lu times)\n", e->what,
			strerror_r(errnum, buf, sizeof(buf)), n);
}

unsigned int host_error_summary(FILE *f)
{
	struct host_error *e;
	unsigned int lines = 0;

	pthread_mutex_lock(&kinds_lock);
	for (e = kinds; e; e = e->next) {
		unsigned long n = atomic_load(&e->count);

		if (!n)
			continue;
		fprintf(f, "lguest: %s %lu time%s in all\n", e->what, n,
			n == 1 ? "" : "s");
		lines++;
	}
	pthread_mutex_unlock(&kinds_lock);
	return lines;
}
