/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers every part of lgtest uses: allocation that cannot fail
 * silently, a growable byte buffer, the monotonic clock and durations.
 */
#ifndef LGTEST_UTIL_H
#define LGTEST_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

/* Grow a dynamic array *arr of *n elements by one and return the new slot. */
#define ARRAY_PUSH(arr, n)                                                     \
	(*(arr) = xrealloc(*(arr), (*(n) + 1) * sizeof(**(arr))),              \
	 memset(&(*(arr))[*(n)], 0, sizeof(**(arr))), &(*(arr))[(*(n))++])

/* A byte buffer that always keeps a NUL after its contents. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_add(struct buf *b, const void *data, size_t len);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

/* Seconds on the monotonic clock. */
double now(void);

/*
 * Parse a duration: a decimal number with an optional unit ms, s or m
 * (seconds without one).  Returns false when s is not one.
 */
bool parse_duration(const char *s, double *seconds);

/* The last n lines of text (the whole text when it has fewer). */
const char *last_lines(const char *text, size_t len, int n);

#endif
