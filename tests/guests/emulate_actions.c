// SPDX-License-Identifier: GPL-2.0
/*
 * The emulator actions: instructions KVM's own emulator gives up on, so
 * the launcher has to finish them (launcher/x86/kvm_emulate.c).  KVM's
 * emulator knows no VEX encoding at all, so a VMOVDQU that touches MMIO
 * always comes back to the launcher, on any KVM; this host's software
 * KVM also hands over LOCK CMPXCHG16B.  Each action checks the results
 * from inside the guest, prints PASS lines and exits 0, or fails with
 * its check number (guest.h).  The MMIO target is the launcher's
 * --testdev page, which reads back what was written.
 */
#include "../../launcher/x86/layout.h"
#include "emulate_actions.h"
#include "guest.h"

#define CPUID1_ECX_CX16		(1U << 13)
#define CPUID1_ECX_XSAVE	(1U << 26)
#define CPUID1_ECX_AVX		(1U << 28)
#define XCR0_X87_SSE_AVX	7U
#define CR0_MP			(1UL << 1)
#define CR0_EM			(1UL << 2)
#define CR0_TS			(1UL << 3)
#define CR4_OSFXSR		(1UL << 9)
#define CR4_OSXMMEXCPT		(1UL << 10)
#define CR4_OSXSAVE		(1UL << 18)
#define PF_WRITE		2U	/* not present, write, supervisor */
#define PAGE			4096UL
#define LARGE_PAGE		(2UL << 20)
#define PTE_P_RW		3ULL
#define PTE_ADDR		0x000ffffffffff000ULL
#define UNCLAIMED_PORT		0x2f8	/* COM2: nobody there */

enum emul_kind {
	EMUL_CMPXCHG16B,
	EMUL_VMOVDQU,
	EMUL_PF,
	EMUL_PORTS,
	EMUL_BENCH_MOV,
	EMUL_BENCH_VMOVDQU,
	EMUL_REP_OUTSB,
};

static const struct action_name emul_names[] = {
	{ "emul-cmpxchg16b", EMUL_CMPXCHG16B, 0 },
	{ "emul-vmovdqu", EMUL_VMOVDQU, 0 },
	{ "emul-pf", EMUL_PF, 0 },
	{ "emul-ports", EMUL_PORTS, 0 },
	{ "emul-bench-mov:", EMUL_BENCH_MOV, 1 },
	{ "emul-bench-vmovdqu:", EMUL_BENCH_VMOVDQU, 1 },
	{ "emul-rep-outsb:", EMUL_REP_OUTSB, 1 },
};

int emul_parse(const char *v, size_t len, struct emul_opts *o)
{
	o->kind = parse_action_name(v, len, emul_names,
				    sizeof(emul_names) / sizeof(emul_names[0]),
				    &o->count);
	return o->kind < 0 ? -1 : 0;
}

static unsigned long read_cr0(void)
{
	unsigned long v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static unsigned long read_cr4(void)
{
	unsigned long v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* ------------------------------------------------------------------ */
/* The test device                                                     */
/* ------------------------------------------------------------------ */

static volatile u8 *testdev(unsigned long off)
{
	return (volatile u8 *)(unsigned long)(LAYOUT_TESTDEV + off);
}

/* Plain 8-byte MOVs, which KVM emulates itself: the reference path. */
static void testdev_put(unsigned long off, const u8 *src, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i += 8)
		*(volatile u64 *)testdev(off + i) = *(const u64 *)(src + i);
}

static void testdev_get(unsigned long off, u8 *dst, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i += 8)
		*(u64 *)(dst + i) = *(volatile u64 *)testdev(off + i);
}

/* Without --testdev the page reads as all ones: say so, not "wrong data". */
static void require_testdev(void)
{
	static const u8 probe[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	u8 back[8];

	testdev_put(0, probe, 8);
	testdev_get(0, back, 8);
	if (memcmp(back, probe, 8))
		fail(CHECK_EMUL_SETUP,
		     "no test device at 0x%llx (run the launcher with --testdev)",
		     (u64)LAYOUT_TESTDEV);
}

static void fill(u8 *p, unsigned int n, u8 seed)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (u8)(seed + i * 7);
}

static void expect_bytes(const char *what, const u8 *got, const u8 *want,
			 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (got[i] != want[i])
			fail(CHECK_EMUL_VEC, "%s: byte %u is 0x%x, expected 0x%x",
			     what, i, got[i], want[i]);
	print("PASS: %s\n", what);
}

/* ------------------------------------------------------------------ */
/* LOCK CMPXCHG16B (CMPXCHG8B in the 32-bit guest) on RAM              */
/* ------------------------------------------------------------------ */

#ifdef __x86_64__
typedef u64 half;
#define CMPXCHG_WIDE "lock cmpxchg16b %1"
#else
typedef u32 half;
#define CMPXCHG_WIDE "lock cmpxchg8b %1"
#endif

struct wide {
	half lo, hi;
} __attribute__((aligned(16)));

/* Returns ZF; *old gets what memory held when they differ. */
static int cmpxchg_wide(struct wide *m, struct wide *old, struct wide new)
{
	u8 zf;

	asm volatile(CMPXCHG_WIDE "; sete %0"
		     : "=q"(zf), "+m"(*m), "+a"(old->lo), "+d"(old->hi)
		     : "b"(new.lo), "c"(new.hi)
		     : "memory", "cc");
	return zf;
}

static void expect_wide(const char *what, struct wide got, struct wide want)
{
	if (got.lo != want.lo || got.hi != want.hi)
		fail(CHECK_EMUL_CMPXCHG, "%s: 0x%llx:0x%llx, expected 0x%llx:0x%llx",
		     what, (u64)got.hi, (u64)got.lo, (u64)want.hi,
		     (u64)want.lo);
}

static struct wide target;

static void __attribute__((noreturn)) emul_cmpxchg(void)
{
	const struct wide a = { (half)0x1111222233334444ULL,
				(half)0x5555666677778888ULL };
	const struct wide b = { (half)0x99990000aaaabbbbULL,
				(half)0xccccddddeeeeffffULL };
	struct wide old = a;
	u32 r[4];

	cpuid(1, 0, r);
	if (sizeof(half) == 8 && !(r[2] & CPUID1_ECX_CX16))
		fail(CHECK_EMUL_SETUP, "CPUID has no CMPXCHG16B");
	target = a;
	if (!cmpxchg_wide(&target, &old, b))
		fail(CHECK_EMUL_CMPXCHG, "matching compare: ZF clear");
	expect_wide("matching compare: memory", target, b);
	expect_wide("matching compare: rDX:rAX", old, a);
	print("PASS: emul-cmpxchg: matching compare swaps and sets ZF\n");

	old = a;
	if (cmpxchg_wide(&target, &old, a))
		fail(CHECK_EMUL_CMPXCHG, "differing compare: ZF set");
	expect_wide("differing compare: memory", target, b);
	expect_wide("differing compare: rDX:rAX", old, b);
	print("PASS: emul-cmpxchg: differing compare loads rDX:rAX, clears ZF\n");
	guest_exit(GUEST_EXIT_OK);
}

/* ------------------------------------------------------------------ */
/* AVX moves to and from the test device                               */
/* ------------------------------------------------------------------ */

/*
 * What an OS does before it may use AVX: FXSR and XSAVE on in CR4, x87,
 * SSE and AVX state on in XCR0.  Without AVX the guest says so and stops
 * with a status of its own, so a test cannot mistake it for a pass.
 */
static void enable_avx(const char *action)
{
	u32 r[4], d[4];

	cpuid(1, 0, r);
	cpuid(0xd, 0, d);
	if (!(r[2] & CPUID1_ECX_XSAVE) || !(r[2] & CPUID1_ECX_AVX) ||
	    (d[0] & XCR0_X87_SSE_AVX) != XCR0_X87_SSE_AVX) {
		print("SKIP: %s: CPUID lacks AVX (XSAVE %u, AVX %u, XCR0 mask 0x%x)\n",
		      action, !!(r[2] & CPUID1_ECX_XSAVE),
		      !!(r[2] & CPUID1_ECX_AVX), d[0]);
		guest_exit(GUEST_EXIT_NO_AVX);
	}
	asm volatile("mov %0, %%cr0"
		     : : "r"((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP));
	asm volatile("mov %0, %%cr4"
		     : : "r"(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT |
			     CR4_OSXSAVE));
	asm volatile("xsetbv" : : "a"(XCR0_X87_SSE_AVX), "d"(0), "c"(0));
}

/* One 32-byte VMOVDQU load and one store, through YMM0. */
static void vmovdqu256(volatile void *dst, const volatile void *src)
{
	asm volatile("vmovdqu (%1), %%ymm0; vmovdqu %%ymm0, (%0)"
		     : : "r"(dst), "r"(src) : "memory");
}

static void vmovdqu128(volatile void *dst, const volatile void *src)
{
	asm volatile("vmovdqu (%1), %%xmm0; vmovdqu %%xmm0, (%0)"
		     : : "r"(dst), "r"(src) : "memory");
}

/*
 * YMM1 full of `stale`, then a 16-byte load from `src` by `insn`, then
 * all 32 bytes of YMM1 out: what the load wrote and what it zeroed.
 */
#define LOAD_XMM1(insn, out, src, stale)				\
	asm volatile("vmovdqu (%2), %%ymm1; " insn " (%1), %%xmm1; "	\
		     "vmovdqu %%ymm1, (%0)"				\
		     : : "r"(out), "r"(src), "r"(stale) : "memory")

/* Unaligned on purpose: the 8-byte pieces then straddle device words. */
#define VEC_OFF 0x123

/* The VEX instructions that touch the test device below: all emulated. */
#define VEC_EMULATED 4

static void __attribute__((noreturn)) emul_vmovdqu(void)
{
	u8 want[32], got[32], stale[32], out[32];

	enable_avx("emul-vmovdqu");
	require_testdev();
	fill(want, 32, 0x31);
	fill(stale, 32, 0xe0);

	vmovdqu256(testdev(VEC_OFF), want);		/* emulated store */
	testdev_get(VEC_OFF, got, 32);
	expect_bytes("emul-vmovdqu: 256-bit store reached the device", got,
		     want, 32);

	memset(got, 0, sizeof(got));
	vmovdqu256(got, testdev(VEC_OFF));		/* emulated load */
	expect_bytes("emul-vmovdqu: 256-bit load from the device", got, want,
		     32);

	fill(want, 16, 0x77);
	vmovdqu128(testdev(VEC_OFF + 0x100), want);	/* emulated store */
	LOAD_XMM1("vmovdqu", out, testdev(VEC_OFF + 0x100), stale);
	memset(want + 16, 0, 16);
	expect_bytes("emul-vmovdqu: 128-bit VEX load zeroes bits 255:128",
		     out, want, 32);

	/* Legacy SSE: KVM may do this one itself; either way, same bytes. */
	LOAD_XMM1("movdqu", out, testdev(VEC_OFF + 0x100), stale);
	memcpy(want + 16, stale + 16, 16);
	expect_bytes("emul-vmovdqu: 128-bit SSE load keeps bits 255:128",
		     out, want, 32);
	print("emul-vmovdqu: %u VEX accesses to the test device\n",
	      VEC_EMULATED);
	guest_exit(GUEST_EXIT_OK);
}

/* ------------------------------------------------------------------ */
/* A page fault raised by the emulator                                 */
/* ------------------------------------------------------------------ */

#ifdef __x86_64__
/*
 * An IDT for the #PF test: vector 14 records the error code and CR2 and
 * resumes at pf_resume; every other vector reports itself and exits.
 */
struct idt_gate {
	u16 off0, sel;
	u8 ist, type;
	u16 off1;
	u32 off2, zero;
};

static struct idt_gate idt[32] __attribute__((aligned(16)));
static u64 page_table[512] __attribute__((aligned(4096)));
volatile u64 pf_cr2, pf_error, pf_count, pf_resume;

void exception_stub(void);
void pf_entry(void);
void __attribute__((noreturn, used)) guest_unexpected_exception(u64 vector);

asm(".pushsection .text\n"
    "	.balign 16\n"
    "exception_stub:\n"
    "	.set vec, 0\n"
    "	.rept 32\n"
    "	.balign 16\n"
    "	push $vec\n"
    "	jmp 1f\n"
    "	.set vec, vec + 1\n"
    "	.endr\n"
    "1:	pop %rdi\n"
    "	and $-16, %rsp\n"
    "	call guest_unexpected_exception\n"
    "pf_entry:\n"
    "	push %rax\n"
    "	mov 8(%rsp), %rax\n"
    "	mov %rax, pf_error(%rip)\n"
    "	mov %cr2, %rax\n"
    "	mov %rax, pf_cr2(%rip)\n"
    "	incq pf_count(%rip)\n"
    "	mov pf_resume(%rip), %rax\n"
    "	mov %rax, 16(%rsp)\n"
    "	pop %rax\n"
    "	add $8, %rsp\n"
    "	iretq\n"
    ".popsection");

void guest_unexpected_exception(u64 vector)
{
	fail(CHECK_EMUL_PF, "unexpected exception %u", (u32)vector);
}

static void set_gate(unsigned int vec, void (*handler)(void))
{
	unsigned long a = (unsigned long)handler;
	u16 cs;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	idt[vec] = (struct idt_gate){ .off0 = (u16)a, .sel = cs,
				      .type = 0x8e,	/* interrupt gate */
				      .off1 = (u16)(a >> 16),
				      .off2 = (u32)(a >> 32) };
}

static void load_idt(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (u64)idt };
	unsigned int v;

	for (v = 0; v < 32; v++)
		set_gate(v, (void (*)(void))((unsigned long)exception_stub +
					     16 * v));
	set_gate(14, pf_entry);
	asm volatile("lidt %0" : : "m"(idtr));
}

/*
 * Map the 2 MiB around the test device with 4 KiB pages, all present
 * but the one after the device, so an access that runs off its end
 * faults on the second page only.
 */
static void unmap_after_testdev(void)
{
	u64 region = LAYOUT_TESTDEV & ~(LARGE_PAGE - 1), cr3, *t;
	unsigned int i;

	for (i = 0; i < 512; i++)
		page_table[i] = (region + i * PAGE) | PTE_P_RW;
	page_table[(LAYOUT_TESTDEV + PAGE - region) / PAGE] = 0;
	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	t = (u64 *)(cr3 & PTE_ADDR);
	t = (u64 *)(t[(region >> 39) & 511] & PTE_ADDR);
	t = (u64 *)(t[(region >> 30) & 511] & PTE_ADDR);
	t[(region >> 21) & 511] = phys_addr(page_table) | PTE_P_RW;
	asm volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

/* A 32-byte access at the device's last 16 bytes: runs off its end. */
#define CROSSING (LAYOUT_TESTDEV + PAGE - 16)

static void expect_fault(const char *what, u32 error, u64 count)
{
	if (pf_count != count)
		fail(CHECK_EMUL_PF, "%s: %u page faults, expected %u", what,
		     (u32)pf_count, (u32)count);
	if (pf_cr2 != LAYOUT_TESTDEV + PAGE || pf_error != error)
		fail(CHECK_EMUL_PF,
		     "%s: CR2 0x%llx, error code 0x%llx; expected 0x%llx, 0x%x",
		     what, pf_cr2, pf_error, LAYOUT_TESTDEV + PAGE, error);
	print("PASS: %s: #PF, CR2 0x%llx, error code 0x%x\n", what, pf_cr2,
	      error);
}

static void __attribute__((noreturn)) emul_pf(void)
{
	static const u8 marker[16] = { 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
				       0x5a, 0x5a, 0xa5, 0xa5, 0xa5, 0xa5,
				       0xa5, 0xa5, 0xa5, 0xa5 };
	u8 src[32], out[32], stale[32], got[16];

	enable_avx("emul-pf");
	require_testdev();
	load_idt();
	unmap_after_testdev();
	testdev_put(PAGE - 16, marker, 16);
	fill(src, 32, 0x10);
	fill(stale, 32, 0xc0);

	asm volatile("lea 1f(%%rip), %%rax; mov %%rax, pf_resume(%%rip); "
		     "vmovdqu (%1), %%ymm0; vmovdqu %%ymm0, (%0); 1:"
		     : : "r"(CROSSING), "r"(src) : "rax", "memory");
	expect_fault("emul-pf: 256-bit store across the device's end",
		     PF_WRITE, 1);
	testdev_get(PAGE - 16, got, 16);
	expect_bytes("emul-pf: the faulting store wrote nothing", got, marker,
		     16);

	asm volatile("lea 1f(%%rip), %%rax; mov %%rax, pf_resume(%%rip); "
		     "vmovdqu (%2), %%ymm0; vmovdqu (%1), %%ymm0; 1: "
		     "vmovdqu %%ymm0, (%0)"
		     : : "r"(out), "r"(CROSSING), "r"(stale) : "rax", "memory");
	expect_fault("emul-pf: 256-bit load across the device's end", 0, 2);
	expect_bytes("emul-pf: the faulting load left YMM0 alone", out, stale,
		     32);
	guest_exit(GUEST_EXIT_OK);
}
#else
static void __attribute__((noreturn)) emul_pf(void)
{
	print("SKIP: emul-pf: the 32-bit guest runs without paging\n");
	guest_exit(GUEST_EXIT_NO_PAGING);
}
#endif

/* ------------------------------------------------------------------ */
/* One huge REP OUTSB from the test device                             */
/* ------------------------------------------------------------------ */

#ifdef __x86_64__
#define ALIAS_BASE	(1ULL << 39)	/* the second PML4 slot */

static u64 alias_pdpt[512] __attribute__((aligned(4096)));
static u64 alias_pd[512] __attribute__((aligned(4096)));
static u64 alias_pt[512] __attribute__((aligned(4096)));

/*
 * 4 GiB of linear addresses from ALIAS_BASE whose every page is the test
 * device, in three shared tables: a string instruction can run over it
 * for 2^32 bytes, every one of them an MMIO read KVM hands back to us.
 */
static void alias_testdev(void)
{
	u64 cr3, *pml4;
	unsigned int i;

	for (i = 0; i < 512; i++) {
		alias_pt[i] = LAYOUT_TESTDEV | PTE_P_RW;
		alias_pd[i] = phys_addr(alias_pt) | PTE_P_RW;
	}
	for (i = 0; i < 4; i++)
		alias_pdpt[i] = phys_addr(alias_pd) | PTE_P_RW;
	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (u64 *)(cr3 & PTE_ADDR);
	pml4[(ALIAS_BASE >> 39) & 511] = phys_addr(alias_pdpt) | PTE_P_RW;
	asm volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

/* REP OUTSB of `count` bytes (at most 2^32) to a port nobody claims. */
static void __attribute__((noreturn)) emul_rep_outsb(const struct emul_opts *o)
{
	const void *src = (const void *)ALIAS_BASE;
	unsigned long left = o->count;

	require_testdev();
	alias_testdev();
	print("emul-rep-outsb: started\n");
	asm volatile("rep outsb"
		     : "+S"(src), "+c"(left)
		     : "d"(UNCLAIMED_PORT)
		     : "memory");
	if (left)
		fail(CHECK_EMUL_PORTS, "emul-rep-outsb: %u bytes left",
		     (u32)left);
	print("PASS: emul-rep-outsb: done\n");
	guest_exit(GUEST_EXIT_OK);
}
#else
static void __attribute__((noreturn)) emul_rep_outsb(const struct emul_opts *o)
{
	(void)o;
	print("SKIP: emul-rep-outsb: the 32-bit guest runs without paging\n");
	guest_exit(GUEST_EXIT_NO_PAGING);
}
#endif

/* ------------------------------------------------------------------ */
/* The seed's port rules                                               */
/* ------------------------------------------------------------------ */

static void expect_port(const char *what, u32 got, u32 want)
{
	if (got != want)
		fail(CHECK_EMUL_PORTS, "%s: 0x%x, expected 0x%x", what, got,
		     want);
	print("PASS: %s: 0x%x\n", what, got);
}

/* Unclaimed ports read as all ones; the i8042 status says "ready". */
static void __attribute__((noreturn)) emul_ports(void)
{
	u8 buf[4] = { 0 };
	void *d = buf;
	unsigned long n = sizeof(buf);

	expect_port("inb from an unclaimed port", inb(UNCLAIMED_PORT), 0xff);
	expect_port("inw from an unclaimed port", inw(UNCLAIMED_PORT),
		    0xffff);
	expect_port("inl from an unclaimed port", inl(UNCLAIMED_PORT),
		    0xffffffff);
	asm volatile("rep insb"
		     : "+D"(d), "+c"(n)
		     : "d"(UNCLAIMED_PORT)
		     : "memory");
	expect_port("rep insb from an unclaimed port",
		    buf[0] & buf[1] & buf[2] & buf[3], 0xff);
	/* Input and output buffers empty: Linux may send its reset. */
	expect_port("i8042 status (port 0x64)", inb(GUEST_I8042_CMD) & 3, 0);
	guest_exit(GUEST_EXIT_OK);
}

/* ------------------------------------------------------------------ */
/* Benchmark loops: N stores to the test device                        */
/* ------------------------------------------------------------------ */

static void __attribute__((noreturn)) emul_bench(const struct emul_opts *o)
{
	volatile u64 *p = (volatile u64 *)testdev(0);
	u64 i;

	if (o->kind == EMUL_BENCH_VMOVDQU)
		enable_avx("emul-bench-vmovdqu");
	require_testdev();
	for (i = 0; i < o->count; i++) {
		if (o->kind == EMUL_BENCH_MOV)
			*p = i;
		else
			asm volatile("vmovdqu %%ymm0, (%0)" : : "r"(p)
				     : "memory");
	}
	print("emul-bench: %u stores done\n", (u32)o->count);
	guest_exit(GUEST_EXIT_OK);
}

void action_emulate(const struct emul_opts *o)
{
	switch (o->kind) {
	case EMUL_CMPXCHG16B:
		emul_cmpxchg();
	case EMUL_VMOVDQU:
		emul_vmovdqu();
	case EMUL_PF:
		emul_pf();
	case EMUL_PORTS:
		emul_ports();
	case EMUL_REP_OUTSB:
		emul_rep_outsb(o);
	default:
		emul_bench(o);
	}
}
