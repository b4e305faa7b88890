// SPDX-License-Identifier: GPL-2.0
/*
 * The body of the lguest test guests, compiled once for 64-bit (ELF64
 * and bzImage) and once for 32-bit (ELF32).  No libc: it talks to the
 * launcher through the UART, the exit port and the i8042 only, checks
 * the zero page the launcher built, and then does what the command line
 * asks.  See README.md for the tokens and exit statuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <asm/bootparam.h>

#include "emulate_actions.h"
#include "smp_actions.h"
#include "guest.h"
#include "runtime.h"
#include "virtio.h"

#define E820_RAM	1
#define MiB		(1ULL << 20)
#define PAGE_SIZE	4096
#define CMDLINE_SCAN_MAX 0x10000	/* never read further than this */

#define UART_IER	(GUEST_UART_BASE + 1)
#define UART_IIR	(GUEST_UART_BASE + 2)
#define UART_LSR	(GUEST_UART_BASE + 5)
#define IER_RLSI	0x04	/* receiver line status interrupt */
#define IIR_NO_INT	0x01
#define IIR_ID		0x0f
#define IIR_RLSI	0x06
#define LSR_DR		0x01	/* receive data ready */
#define LSR_BI		0x10	/* break interrupt */
#define LSR_THRE	0x20	/* transmit holding register empty */

enum action {
	ACT_EXIT,
	ACT_RESET,
	ACT_TRIPLEFAULT,
	ACT_HLT,
	ACT_ECHO,
	ACT_SPIN,
	ACT_EMULFAIL,
	ACT_VIRTIO_RNG,
	ACT_VIRTIO_BLK,
	ACT_VIRTIO_CONSOLE,
	ACT_VIRTIO_FS,
	ACT_VIRTIO_FS_GONE,
	ACT_VIRTIO_HOSTILE,
	ACT_EMULATE,
	ACT_NET,
	ACT_VIRTIO_BLK_NOSPACE,
	ACT_VIRTIO_BLK_BENCH,
	ACT_SMP,
	ACT_BREAK,
};

struct options {
	int have_mem;
	u64 mem_mib;
	int have_initrd;
	u64 initrd_size;
	enum action action;
	u8 exit_code;
	int hostile_kind;
	struct virtio_opts virtio;
	struct emul_opts emul;
	struct smp_opts smp;
	struct net_opts net;
	u64 blk_bench_sectors;
};

/* Park the CPU for good; also the fallback when an exit request is ignored. */
static void __attribute__((noreturn)) halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt" : : : "memory");
}

void guest_exit(u8 code)
{
	outb(code, GUEST_EXIT_PORT);
	halt_forever();
}

/*
 * Wait for room in the transmitter, but not forever: a launcher whose
 * LSR never says "empty" should still get our output, not a hung guest.
 */
static void uart_putc(char c)
{
	unsigned int tries = 100000;

	while (!(inb(UART_LSR) & LSR_THRE) && --tries)
		asm volatile("pause");
	outb(c, GUEST_UART_BASE);
}

/* Poll, because the guests run with interrupts off and no IDT. */
static char uart_getc(void)
{
	while (!(inb(UART_LSR) & LSR_DR))
		asm volatile("pause");
	return inb(GUEST_UART_BASE);
}

/* Serial consoles want CRLF; callers write plain '\n'. */
void puts_raw(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}

static void put_num(u64 v, unsigned int base)
{
	char buf[24];
	int i = 0;

	/* Base 10 only ever sees 32-bit values: no libgcc on i386. */
	if (base == 10) {
		u32 d = (u32)v;

		do {
			buf[i++] = '0' + d % 10;
			d /= 10;
		} while (d);
	} else {
		do {
			buf[i++] = "0123456789abcdef"[v & 0xf];
			v >>= 4;
		} while (v);
	}
	while (i)
		uart_putc(buf[--i]);
}

/*
 * A printf just big enough for our messages: %s %c %u %x %lx %llx and
 * %.*s (for command-line tokens, which are not NUL-terminated).
 */
static void vprint(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		const char *s;
		int len;

		if (*fmt != '%') {
			if (*fmt == '\n')
				uart_putc('\r');
			uart_putc(*fmt);
			continue;
		}
		switch (*++fmt) {
		case 's':
			puts_raw(va_arg(ap, const char *));
			break;
		case 'c':
			uart_putc((char)va_arg(ap, int));
			break;
		case 'u':
			put_num(va_arg(ap, unsigned int), 10);
			break;
		case 'x':
			put_num(va_arg(ap, unsigned int), 16);
			break;
		case 'l':
			if (fmt[1] == 'l') {
				fmt += 2;
				put_num(va_arg(ap, u64), 16);
			} else {
				fmt++;
				put_num(va_arg(ap, unsigned long), 16);
			}
			break;
		case '.':
			fmt += 2;	/* ".*s" */
			len = va_arg(ap, int);
			s = va_arg(ap, const char *);
			while (len-- > 0)
				uart_putc(*s++);
			break;
		case '%':
			uart_putc('%');
			break;
		default:
			return;
		}
	}
}

void print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

/* One line a test can grep for, and a status naming the failed check. */
void fail(int check, const char *fmt, ...)
{
	va_list ap;

	puts_raw("FAIL: ");
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	puts_raw("\n");
	guest_exit(GUEST_EXIT_CHECK_BASE + check);
}

int starts_with(const char *s, size_t len, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i]; i++)
		if (i >= len || s[i] != prefix[i])
			return 0;
	return 1;
}

size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/*
 * String instructions rather than loops: GCC turns a byte loop into a
 * call to memset or memcpy, which here would call itself.
 */
void *memset(void *s, int c, size_t n)
{
	void *d = s;

	asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

int quit_line(struct line_watch *w, char c)
{
	int quit;

	if (c != '\n' && c != '\r') {
		if (w->len < sizeof(w->line))
			w->line[w->len++] = c;
		else
			w->overlong = 1;
		return 0;
	}
	quit = !w->overlong && w->len == 4 && starts_with(w->line, 4, "quit");
	w->len = 0;
	w->overlong = 0;
	return quit;
}

/* The command line is guest memory the launcher wrote: trust no NUL. */
static size_t bounded_len(const char *s)
{
	size_t n = 0;

	while (n < CMDLINE_SCAN_MAX && s[n])
		n++;
	return n;
}

/* Decimal only, and overflow is an error rather than a wrapped value. */
int parse_u64(const char *s, size_t len, u64 *out)
{
	u64 v = 0;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (~0ULL - 9) / 10)
			return -1;
		v = v * 10 + (u64)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int parse_action_name(const char *v, size_t len,
		      const struct action_name *names, unsigned int n,
		      u64 *arg)
{
	unsigned int i;
	size_t l;

	for (i = 0; i < n; i++) {
		l = str_len(names[i].name);
		if (!starts_with(v, len, names[i].name))
			continue;
		if (names[i].counted)
			return parse_u64(v + l, len - l, arg) ? -1 : names[i].kind;
		if (len == l)
			return names[i].kind;
	}
	return -1;
}

static int parse_action(const char *v, size_t len, struct options *o)
{
	/* Names inline, not pointers: no absolute addresses in the image. */
	static const struct {
		char name[20];
		enum action act;
	} simple[] = {
		{ "reset", ACT_RESET },
		{ "triplefault", ACT_TRIPLEFAULT },
		{ "hlt", ACT_HLT },
		{ "echo", ACT_ECHO },
		{ "spin", ACT_SPIN },
		{ "emulfail", ACT_EMULFAIL },
		{ "exit", ACT_EXIT },
		{ "virtio-rng", ACT_VIRTIO_RNG },
		{ "virtio-blk", ACT_VIRTIO_BLK },
		{ "virtio-console", ACT_VIRTIO_CONSOLE },
		{ "virtio-fs", ACT_VIRTIO_FS },
		{ "virtio-fs-gone", ACT_VIRTIO_FS_GONE },
		{ "virtio-blk-nospace", ACT_VIRTIO_BLK_NOSPACE },
		{ "break", ACT_BREAK },
	};
	unsigned int i;
	u64 code;

	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (len == str_len(simple[i].name) &&
		    starts_with(v, len, simple[i].name)) {
			o->action = simple[i].act;
			o->exit_code = 0;
			return 0;
		}
	}
	if (starts_with(v, len, "virtio-hostile:")) {
		o->action = ACT_VIRTIO_HOSTILE;
		o->hostile_kind = hostile_kind(v + 15, len - 15);
		return o->hostile_kind < 0 ? -1 : 0;
	}
	if (starts_with(v, len, "virtio-blk-bench:")) {
		o->action = ACT_VIRTIO_BLK_BENCH;
		return parse_u64(v + 17, len - 17, &o->blk_bench_sectors);
	}
	if (starts_with(v, len, "net-")) {
		o->action = ACT_NET;
		return net_parse_action(v, len, &o->net);
	}
	if (starts_with(v, len, "smp")) {
		o->action = ACT_SMP;
#ifdef __x86_64__
		return smp_parse(v, len, &o->smp);
#else
		return 0;	/* only to say it is skipped */
#endif
	}
	if (starts_with(v, len, "emul-")) {
		o->action = ACT_EMULATE;
		return emul_parse(v, len, &o->emul);
	}
	if (!starts_with(v, len, "exit:") ||
	    parse_u64(v + 5, len - 5, &code) || code > 255)
		return -1;
	o->action = ACT_EXIT;
	o->exit_code = (u8)code;
	return 0;
}

/* Handle one lgtest.* token; anything else on the line is not ours. */
static void parse_token(const char *t, size_t len, struct options *o)
{
	const char *bad = NULL;

	if (!starts_with(t, len, "lgtest."))
		return;
	if (starts_with(t, len, "lgtest.mem=")) {
		if (parse_u64(t + 11, len - 11, &o->mem_mib) ||
		    o->mem_mib > (1ULL << 40))
			bad = "bad number";
		o->have_mem = 1;
	} else if (starts_with(t, len, "lgtest.initrd=")) {
		if (parse_u64(t + 14, len - 14, &o->initrd_size))
			bad = "bad number";
		o->have_initrd = 1;
	} else if (starts_with(t, len, "lgtest.action=")) {
		if (parse_action(t + 14, len - 14, o))
			bad = "unknown action";
	} else if (starts_with(t, len, "lgtest.blk")) {
		if (virtio_parse_token(t, len, &o->virtio))
			bad = "bad block token";
	} else {
		bad = "unknown token";
	}
	if (bad)
		fail(CHECK_CMDLINE, "cmdline (%s: %.*s)", bad, (int)len, t);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void parse_cmdline(const char *cmd, struct options *o)
{
	size_t i = 0, start;

	while (i < CMDLINE_SCAN_MAX && cmd[i]) {
		while (i < CMDLINE_SCAN_MAX && is_space(cmd[i]))
			i++;
		start = i;
		while (i < CMDLINE_SCAN_MAX && cmd[i] && !is_space(cmd[i]))
			i++;
		if (i > start)
			parse_token(cmd + start, i - start, o);
	}
}

/*
 * The 32-bit guest runs with paging off, so it can only touch the first
 * 4 GiB; say so instead of silently truncating an address.
 */
static int addressable(u64 addr, u64 len)
{
	u64 limit = (u64)(unsigned long)-1;

	return addr <= limit && len <= limit - addr + 1;
}

static const void *phys(u64 addr)
{
	return (const void *)(unsigned long)addr;
}

static void check_header(const struct boot_params *bp)
{
	const struct setup_header *h = &bp->hdr;

	if (h->boot_flag != 0xaa55)
		fail(CHECK_BOOT_FLAG, "boot_flag (0x%x, expected 0xaa55)",
		     h->boot_flag);
	if (h->header != 0x53726448)
		fail(CHECK_HEADER, "setup header magic (0x%x, expected HdrS)",
		     h->header);
}

static const char *get_cmdline(const struct boot_params *bp)
{
	u64 addr = bp->hdr.cmd_line_ptr | (u64)bp->ext_cmd_line_ptr << 32;

	if (!addr)
		fail(CHECK_CMDLINE_PTR, "cmd_line_ptr (0)");
	if (!addressable(addr, 1))
		fail(CHECK_CMDLINE_PTR, "cmd_line_ptr (0x%llx unreachable)",
		     addr);
	return phys(addr);
}

/* Returns the total bytes of RAM the map describes; *top, where it ends. */
static u64 check_e820(const struct boot_params *bp, u64 *top)
{
	const struct boot_e820_entry *e = bp->e820_table;
	unsigned int n = bp->e820_entries, i;
	int low = 0, high = 0;
	u64 ram = 0;

	if (n < 1 || n > E820_MAX_ENTRIES_ZEROPAGE)
		fail(CHECK_E820_COUNT, "e820_entries (%u, expected 1..%u)", n,
		     E820_MAX_ENTRIES_ZEROPAGE);
	for (i = 0; i < n; i++) {
		print("e820: [mem 0x%llx+0x%llx] type %u\n", e[i].addr,
		      e[i].size, e[i].type);
		if (e[i].size > ~0ULL - e[i].addr)
			fail(CHECK_E820_ORDER, "e820 entry %u wraps (0x%llx+0x%llx)",
			     i, e[i].addr, e[i].size);
		if (i && e[i - 1].addr + e[i - 1].size > e[i].addr)
			fail(CHECK_E820_ORDER,
			     "e820 entries %u and %u unsorted or overlapping (0x%llx+0x%llx, 0x%llx)",
			     i - 1, i, e[i - 1].addr, e[i - 1].size,
			     e[i].addr);
		if (e[i].type != E820_RAM)
			continue;
		ram += e[i].size;
		if (e[i].addr + e[i].size > *top)
			*top = e[i].addr + e[i].size;
		if (e[i].addr == 0)
			low = 1;
		if (e[i].addr == MiB)
			high = 1;
	}
	if (!low)
		fail(CHECK_E820_LOW, "e820 (no RAM entry at 0)");
	if (!high)
		fail(CHECK_E820_HIGH, "e820 (no RAM entry at 0x100000)");
	return ram;
}

static void check_mem(u64 ram, u64 mib)
{
	u64 want = mib * MiB;

	if (ram > want || ram + MiB < want)
		fail(CHECK_MEM,
		     "e820 RAM total (0x%llx, expected 0x%llx-0x%llx for %u MiB)",
		     ram, want > MiB ? want - MiB : 0, want, (u32)mib);
}

static int in_ram(const struct boot_params *bp, u64 addr, u64 len)
{
	const struct boot_e820_entry *e = bp->e820_table;
	unsigned int i;

	for (i = 0; i < bp->e820_entries; i++)
		if (e[i].type == E820_RAM && addr >= e[i].addr &&
		    len <= e[i].size && addr - e[i].addr <= e[i].size - len)
			return 1;
	return 0;
}

static void check_initrd(const struct boot_params *bp, u64 want)
{
	u64 addr = bp->hdr.ramdisk_image | (u64)bp->ext_ramdisk_image << 32;
	u64 size = bp->hdr.ramdisk_size | (u64)bp->ext_ramdisk_size << 32;
	const u8 *p;
	unsigned long i, n;
	unsigned int k = 0;

	if (size != want)
		fail(CHECK_INITRD_SIZE, "initrd size (0x%llx, expected 0x%llx)",
		     size, want);
	if (!want)
		return;
	if (!addr || addr & (PAGE_SIZE - 1) || addr < MiB ||
	    !in_ram(bp, addr, size) || !addressable(addr, size))
		fail(CHECK_INITRD_PLACE, "initrd placement (0x%llx+0x%llx)",
		     addr, size);
	p = phys(addr);
	n = (unsigned long)size;
	for (i = 0; i < n; i++) {
		if (p[i] != k)
			fail(CHECK_INITRD_DATA,
			     "initrd contents (byte 0x%lx is 0x%x, expected 0x%x)",
			     i, p[i], k);
		if (++k == GUEST_INITRD_MODULUS)
			k = 0;
	}
	print("initrd: 0x%llx bytes at 0x%llx ok\n", size, addr);
}

/*
 * An IDT with limit 0 makes the ud2's #UD a #GP, the #GP a double fault
 * and that a triple fault: the CPU shuts down without any help from us.
 * ud2 rather than int3: this host's software KVM cannot emulate a
 * software interrupt through an empty IDT and reports an emulation
 * failure instead of the shutdown.
 */
void triple_fault(void)
{
	struct {
		u16 limit;
		unsigned long base;
	} __attribute__((packed)) idtr = { 0, 0 };

	asm volatile("lidt %0; ud2" : : "m"(idtr) : "memory");
	halt_forever();
}

/*
 * Make KVM give up: an x87 load from an address no memory slot backs is an
 * MMIO access KVM must emulate, and its emulator has no FLD.  The launcher
 * should stop with exit status 4 and print these very bytes
 * (fld qword [eax] or [rax], with eax = 0xc0000000: dd 00).  The address
 * goes in a register because in 64-bit mode a bare disp32 is
 * sign-extended, to 0xffffffffc0000000, which the launcher's 4 GiB
 * identity map leaves unmapped: a real CPU raises #PF there and, with no
 * IDT, triple-faults (the nested host's KVM did) before KVM's emulator
 * ever sees the access.
 */
static void __attribute__((noreturn)) emulation_failure(void)
{
	asm volatile("mov $0xc0000000, %%eax\n\t"
		     ".byte 0xdd, 0x00" ::: "eax", "memory");
	guest_exit(GUEST_EXIT_OK);
}

/* Echo the console back, so tests can check input reaches the guest. */
static void __attribute__((noreturn)) echo_loop(void)
{
	struct line_watch w = { .len = 0 };

	puts_raw("echo: ready, send \"quit\" to end\n");
	for (;;) {
		char c = uart_getc();

		uart_putc(c);
		if (quit_line(&w, c))
			guest_exit(GUEST_EXIT_OK);
	}
}

/*
 * Wait for a BREAK as Linux's 8250 driver sees one: with only IER.RLSI
 * on, IIR names the line-status interrupt; LSR has BI with a NUL, and no
 * BI once read; the byte after the NUL (a sysrq key) is plain data.
 * Nothing reads LSR after the "ready" line, or BI would be gone.
 */
static void __attribute__((noreturn)) break_action(void)
{
	u8 iir, lsr, c;

	outb(IER_RLSI, UART_IER);
	puts_raw("break: ready\n");
	while ((iir = inb(UART_IIR)) & IIR_NO_INT)
		asm volatile("pause");
	lsr = inb(UART_LSR);
	c = inb(GUEST_UART_BASE);
	if ((iir & IIR_ID) != IIR_RLSI)
		fail(CHECK_UART_BREAK, "break: IIR 0x%x, not the line-status interrupt",
		     iir);
	if ((lsr & (LSR_BI | LSR_DR)) != (LSR_BI | LSR_DR) || c)
		fail(CHECK_UART_BREAK, "break: LSR 0x%x and byte 0x%x, not BI with a NUL",
		     lsr, c);
	if (inb(UART_LSR) & LSR_BI)
		fail(CHECK_UART_BREAK, "break: reading LSR left BI set");
	if ((inb(UART_IIR) & IIR_ID) != IIR_NO_INT)
		fail(CHECK_UART_BREAK, "break: the interrupt outlived its cause");
	puts_raw("break: seen\n");
	c = uart_getc();
	print("PASS: break, then key '%c'\n", c);
	guest_exit(GUEST_EXIT_OK);
}

/* The SMP actions' trampoline goes to long mode: 64-bit guests only. */
static void __attribute__((noreturn)) smp(const struct boot_params *bp,
					  const struct smp_opts *o)
{
#ifdef __x86_64__
	action_smp(bp, o);
#else
	(void)bp;
	(void)o;
	puts_raw("SKIP: the SMP actions need a 64-bit guest\n");
	guest_exit(GUEST_EXIT_NO_SMP);
#endif
}

static void __attribute__((noreturn)) run_action(const struct boot_params *bp,
						 const struct options *o)
{
	switch (o->action) {
	case ACT_RESET:
		outb(0xfe, GUEST_I8042_CMD);
		halt_forever();
	case ACT_TRIPLEFAULT:
		triple_fault();
	case ACT_HLT:
		halt_forever();
	case ACT_ECHO:
		echo_loop();
	case ACT_SPIN:
		for (;;)
			asm volatile("pause");
	case ACT_EMULFAIL:
		emulation_failure();
	case ACT_VIRTIO_RNG:
		action_virtio_rng();
	case ACT_VIRTIO_BLK:
		action_virtio_blk(&o->virtio);
	case ACT_VIRTIO_CONSOLE:
		action_virtio_console();
	case ACT_VIRTIO_FS:
		action_virtio_fs();
	case ACT_VIRTIO_FS_GONE:
		action_virtio_fs_gone();
	case ACT_VIRTIO_HOSTILE:
		action_virtio_hostile(o->hostile_kind, &o->virtio);
	case ACT_EMULATE:
		action_emulate(&o->emul);
	case ACT_NET:
		action_net(&o->net);
	case ACT_VIRTIO_BLK_NOSPACE:
		action_virtio_blk_nospace();
	case ACT_VIRTIO_BLK_BENCH:
		action_virtio_blk_bench(o->blk_bench_sectors);
	case ACT_SMP:
		smp(bp, &o->smp);
	case ACT_BREAK:
		break_action();
	case ACT_EXIT:
	default:
		guest_exit(o->exit_code);
	}
}

void guest_main(struct boot_params *bp, const char *flavour)
{
	struct options opts = { .action = ACT_EXIT };
	const char *cmdline;
	u64 ram;

	print("lguest test guest (%s)\n", flavour);
	print("boot_params at 0x%lx\n", (unsigned long)bp);
	check_header(bp);
	cmdline = get_cmdline(bp);
	print("cmdline: %.*s\n", (int)bounded_len(cmdline), cmdline);
	parse_cmdline(cmdline, &opts);

	ram = check_e820(bp, &opts.virtio.ram_top);
	if (opts.have_mem)
		check_mem(ram, opts.mem_mib);
	if (opts.have_initrd)
		check_initrd(bp, opts.initrd_size);
	puts_raw("PASS: boot_params ok\n");
	run_action(bp, &opts);
}
