/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TEST_RUNTIME_H
#define LGUEST_TEST_RUNTIME_H

/*
 * What the test guests' C files share: fixed-width types, port I/O,
 * console output, failing and exiting, and the few library functions a
 * freestanding program needs.  The functions live in common.c.
 */
#include <stddef.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

static inline void outb(u8 v, u16 port)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 v, u16 port)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u32 v, u16 port)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	asm volatile("cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

/* The guest-physical address of our own data: we run identity-mapped. */
static inline u64 phys_addr(const volatile void *p)
{
	return (unsigned long)p;
}

void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void puts_raw(const char *s);
void guest_exit(u8 code) __attribute__((noreturn));
/* Print "FAIL: ..." and exit with GUEST_EXIT_CHECK_BASE + check. */
void fail(int check, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

int starts_with(const char *s, size_t len, const char *prefix);

/* An action's name in a table (inline, not a pointer: no absolute
 * addresses in the image), and whether ":<number>" follows it. */
struct action_name {
	char name[20];
	int kind;
	int counted;
};

/* The kind of the entry v[0..len) names, with *arg for a counted one;
 * -1 when it names none (or its number is bad). */
int parse_action_name(const char *v, size_t len,
		      const struct action_name *names, unsigned int n,
		      u64 *arg);

/* Load an empty IDT and execute ud2: the CPU shuts down. */
void triple_fault(void) __attribute__((noreturn));
size_t str_len(const char *s);
int parse_u64(const char *s, size_t len, u64 *out);

/* GCC may emit calls to these even in freestanding code: ours. */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Console lines the echo actions watch for their "quit". */
struct line_watch {
	char line[8];
	unsigned int len;
	int overlong;
};

/* Feed one byte; true when it ends a line that is exactly "quit". */
int quit_line(struct line_watch *w, char c);

#endif
