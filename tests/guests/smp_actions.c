// SPDX-License-Identifier: GPL-2.0
/*
 * The SMP actions.  The BSP reads the APIC IDs from the MADT the
 * launcher built, copies the trampoline below 1 MiB and sends each AP
 * INIT, SIPI, SIPI.  Every AP records its local APIC's ID and the APIC
 * ID CPUID gives it, then adds itself to a shared count with LOCK XADD;
 * the BSP checks them all against the MADT.  Then, by action:
 *
 *	smp			print the CPUs and exit 0 from the BSP
 *	smp-exit:V		the last AP writes V to the exit port
 *	smp-triplefault		the last AP (highest APIC ID) triple-faults
 *	smp-hlt			every CPU halts with interrupts off
 *	smp-ap-busy:V		the BSP halts with interrupts off at once, an
 *				AP spins for 2 s, then writes V to the exit port
 *	smp-spin		every CPU spins, interrupts off, for good
 *	smp-cmpxchg16b:N	every CPU adds 1 to both halves of a 128-bit
 *				count on the --testdev page N times with
 *				LOCK CMPXCHG16B; the BSP checks the total
 */
#include <asm/bootparam.h>

#include "../../launcher/x86/layout.h"
#include "guest.h"
#include "smp_actions.h"
#include "virtio.h"	/* deadlines */

#define MAX_CPUS		16
#define START_TIMEOUT		30	/* seconds for all APs to check in */
#define CMPXCHG_TIMEOUT		120
#define BUSY_SECONDS		2

#define APIC_ID			0x20
#define APIC_SVR		0xf0
#define APIC_ICR_LO		0x300
#define APIC_ICR_HI		0x310
#define APIC_SVR_ENABLE		0x100
#define ICR_INIT		0x4500	/* INIT, level assert */
#define ICR_SIPI		0x4600	/* start-up, vector in bits 7:0 */
#define ICR_PENDING		0x1000
#define CPUID1_ECX_CX16		(1U << 13)
#define TESTDEV_COUNT_OFFSET	0x100	/* 16-byte aligned */

enum smp_kind {
	SMP_COUNT,
	SMP_EXIT,
	SMP_TRIPLEFAULT,
	SMP_HLT,
	SMP_AP_BUSY,
	SMP_CMPXCHG16B,
	SMP_SPIN,
};

static const struct action_name smp_names[] = {
	{ "smp-exit:", SMP_EXIT, 1 },
	{ "smp-triplefault", SMP_TRIPLEFAULT, 0 },
	{ "smp-hlt", SMP_HLT, 0 },
	{ "smp-ap-busy:", SMP_AP_BUSY, 1 },
	{ "smp-cmpxchg16b:", SMP_CMPXCHG16B, 1 },
	{ "smp-spin", SMP_SPIN, 0 },
	{ "smp", SMP_COUNT, 0 },
};

int smp_parse(const char *v, size_t len, struct smp_opts *o)
{
	o->kind = parse_action_name(v, len, smp_names,
				    sizeof(smp_names) / sizeof(smp_names[0]),
				    &o->arg);
	return o->kind < 0 ? -1 : 0;
}

/* The trampoline and its slots (smp_trampoline.S). */
extern const u8 smp_trampoline_start[], smp_trampoline_end[];
extern const u8 smp_tr_cr3[], smp_tr_entry[], smp_tr_stacks[],
	smp_tr_ticket[];

/* Shared between the CPUs: what each AP saw, by ticket. */
static struct {
	const struct smp_opts *opts;
	unsigned int n_aps;
	volatile u32 checked_in;	/* LOCK XADD by each AP */
	volatile u32 lapic_id[MAX_CPUS];
	volatile u32 cpuid_id[MAX_CPUS];
	volatile u32 cmpxchg_done;
	volatile u32 go;	/* the BSP has checked and printed: act */
} smp;

static u8 __attribute__((aligned(16))) ap_stacks[MAX_CPUS][SMP_AP_STACK];

static u32 lapic_read(u32 reg)
{
	return *(volatile u32 *)(unsigned long)(LAYOUT_LAPIC + reg);
}

static void lapic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(unsigned long)(LAYOUT_LAPIC + reg) = v;
}

static u32 lock_xadd(volatile u32 *p, u32 v)
{
	asm volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}

static u32 cpuid_apic_id(void)
{
	u32 r[4];

	cpuid(1, 0, r);
	return r[1] >> 24;
}

/* ------------------------------------------------------------------ */
/* Finding the CPUs: RSDP -> XSDT -> MADT                              */
/* ------------------------------------------------------------------ */

static const u8 *acpi_table(u64 addr)
{
	return (const u8 *)(unsigned long)addr;
}

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static u64 rd64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

static const u8 *find_madt(const struct boot_params *bp)
{
	const u8 *rsdp, *xsdt;
	u32 i, n;

	if (!bp->acpi_rsdp_addr || bp->acpi_rsdp_addr >= LAYOUT_HIGH_MEM)
		fail(CHECK_SMP_MADT, "no ACPI RSDP in the zero page");
	rsdp = acpi_table(bp->acpi_rsdp_addr);
	xsdt = acpi_table(rd64(rsdp + 24));
	if (memcmp(xsdt, "XSDT", 4))
		fail(CHECK_SMP_MADT, "no XSDT");
	n = (rd32(xsdt + 4) - 36) / 8;
	for (i = 0; i < n && i < 16; i++) {
		const u8 *t = acpi_table(rd64(xsdt + 36 + 8 * i));

		if (!memcmp(t, "APIC", 4))
			return t;
	}
	fail(CHECK_SMP_MADT, "no MADT in the XSDT");
}

/* The enabled local APICs' IDs, in MADT order; returns how many. */
static unsigned int madt_apic_ids(const u8 *madt, u32 ids[MAX_CPUS])
{
	u32 off = 44, len = rd32(madt + 4);
	unsigned int n = 0;

	while (off + 2 <= len && madt[off + 1] >= 2) {
		if (madt[off] == 0 && (rd32(madt + off + 4) & 1)) {
			if (n == MAX_CPUS)
				fail(CHECK_SMP_MADT,
				     "more than %d CPUs in the MADT", MAX_CPUS);
			ids[n++] = madt[off + 3];
		}
		off += madt[off + 1];
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* The APs                                                             */
/* ------------------------------------------------------------------ */

static void __attribute__((noreturn)) cli_hlt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

static volatile u64 *testdev_count(void)
{
	return (volatile u64 *)(unsigned long)(LAYOUT_TESTDEV +
					       TESTDEV_COUNT_OFFSET);
}

/* Add 1 to both halves, retrying as a CMPXCHG16B loop does. */
static void add_one_cmpxchg16b(void)
{
	volatile u64 *p = testdev_count();
	u64 lo = p[0], hi = p[1];
	u8 ok;

	do {
		u64 new_lo = lo + 1, new_hi = hi + 1;

		asm volatile("lock cmpxchg16b %1; setz %0"
			     : "=q"(ok), "+m"(*(volatile __int128 *)p),
			       "+a"(lo), "+d"(hi)
			     : "b"(new_lo), "c"(new_hi)
			     : "memory", "cc");
	} while (!ok);
}

static void cmpxchg16b_share(u64 count)
{
	u64 i;

	for (i = 0; i < count; i++)
		add_one_cmpxchg16b();
	lock_xadd(&smp.cmpxchg_done, 1);
}

/*
 * The AP with the highest APIC ID: the launcher's last vCPU, whatever
 * order the APs checked in, so a test can name the CPU that acted.
 */
static int is_last_ap(unsigned int ticket)
{
	unsigned int i;

	for (i = 0; i < smp.n_aps; i++)
		if (smp.lapic_id[i] > smp.lapic_id[ticket])
			return 0;
	return 1;
}

/*
 * Once the BSP has checked every AP and said so (its lines and an AP's
 * must not interleave), the last AP (is_last_ap) does the action's AP
 * part, or every AP does, for smp-cmpxchg16b.
 */
static void __attribute__((noreturn)) ap_action(unsigned int ticket)
{
	const struct smp_opts *o = smp.opts;
	struct deadline dl;
	int last;

	while (!smp.go)
		asm volatile("pause" ::: "memory");
	last = is_last_ap(ticket);

	switch (o->kind) {
	case SMP_EXIT:
		if (last) {
			print("AP %u (APIC ID %u): writing %u to the exit port\n",
			      ticket, smp.lapic_id[ticket], (unsigned int)o->arg);
			outb((u8)o->arg, GUEST_EXIT_PORT);
		}
		break;
	case SMP_TRIPLEFAULT:
		if (last)
			triple_fault();
		break;
	case SMP_AP_BUSY:
		if (last) {
			deadline_start(&dl, BUSY_SECONDS);
			while (!deadline_passed(&dl))
				;
			outb((u8)o->arg, GUEST_EXIT_PORT);
		}
		break;
	case SMP_CMPXCHG16B:
		cmpxchg16b_share(o->arg);
		break;
	case SMP_SPIN:
		for (;;)
			asm volatile("pause");
	}
	cli_hlt_forever();
}

/* Called by the trampoline, on the AP's own stack. */
void smp_ap_main(u32 ticket);
void smp_ap_main(u32 ticket)
{
	if (ticket < MAX_CPUS) {
		smp.lapic_id[ticket] = lapic_read(APIC_ID) >> 24;
		smp.cpuid_id[ticket] = cpuid_apic_id();
	}
	lock_xadd(&smp.checked_in, 1);
	ap_action(ticket);
}

/* ------------------------------------------------------------------ */
/* The BSP                                                             */
/* ------------------------------------------------------------------ */

static void send_ipi(u32 apic_id, u32 icr)
{
	struct deadline dl;

	lapic_write(APIC_ICR_HI, apic_id << 24);
	lapic_write(APIC_ICR_LO, icr);
	deadline_start(&dl, 5);
	while (lapic_read(APIC_ICR_LO) & ICR_PENDING)
		if (deadline_passed(&dl))
			fail(CHECK_SMP_START, "IPI to APIC ID %u never sent",
			     apic_id);
}

static void install_trampoline(void)
{
	u8 *base = (u8 *)(unsigned long)SMP_TRAMPOLINE_BASE;
	unsigned long cr3;
	u64 entry = (unsigned long)smp_ap_main;
	u64 stacks = (unsigned long)ap_stacks;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	memcpy(base, smp_trampoline_start,
	       smp_trampoline_end - smp_trampoline_start);
	/* Ticket t's stack top is stacks + (t + 1) * SMP_AP_STACK. */
	memcpy(base + (smp_tr_cr3 - smp_trampoline_start), &cr3, 8);
	memcpy(base + (smp_tr_entry - smp_trampoline_start), &entry, 8);
	memcpy(base + (smp_tr_stacks - smp_trampoline_start), &stacks, 8);
	memset(base + (smp_tr_ticket - smp_trampoline_start), 0, 4);
}

static void start_aps(const u32 *ids, unsigned int n, u32 self)
{
	unsigned int i;

	lapic_write(APIC_SVR, lapic_read(APIC_SVR) | APIC_SVR_ENABLE);
	for (i = 0; i < n; i++) {
		if (ids[i] == self)
			continue;
		send_ipi(ids[i], ICR_INIT);
		send_ipi(ids[i], ICR_SIPI | (SMP_TRAMPOLINE_BASE >> 12));
		send_ipi(ids[i], ICR_SIPI | (SMP_TRAMPOLINE_BASE >> 12));
	}
}

static void wait_for(volatile u32 *count, u32 want, unsigned int seconds,
		     int check, const char *what)
{
	struct deadline dl;

	deadline_start(&dl, seconds);
	while (*count < want)
		if (deadline_passed(&dl))
			fail(check, "%s: %u of %u after %u s", what, *count,
			     want, seconds);
}

static int in_madt(const u32 *ids, unsigned int n, u32 id)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* The ticket of the AP with this APIC ID, or -1. */
static int ap_with_id(u32 id)
{
	unsigned int i;

	for (i = 0; i < smp.n_aps; i++)
		if (smp.lapic_id[i] == id)
			return (int)i;
	return -1;
}

/*
 * Every AP's IDs agree, are in the MADT, and no two are the same; then
 * one line per MADT CPU, in the MADT's order (the APs came in any).
 */
static void check_ids(const u32 *ids, unsigned int n, u32 self)
{
	unsigned int i, j;
	int t;

	for (i = 0; i < smp.n_aps; i++) {
		u32 id = smp.lapic_id[i];

		if (smp.cpuid_id[i] != id || !in_madt(ids, n, id) || id == self)
			fail(CHECK_SMP_APIC_ID, "AP %u: APIC ID %u, CPUID says %u",
			     i, id, smp.cpuid_id[i]);
		for (j = 0; j < i; j++)
			if (smp.lapic_id[j] == id)
				fail(CHECK_SMP_APIC_ID,
				     "APs %u and %u both have APIC ID %u", j, i,
				     id);
	}
	for (i = 0; i < n; i++) {
		t = ap_with_id(ids[i]);
		if (ids[i] != self)
			print("APIC ID %u: CPUID APIC ID %u (AP %u)\n", ids[i],
			      smp.cpuid_id[t], (unsigned int)t);
	}
}

static void require_cmpxchg16b(void)
{
	u32 r[4];
	volatile u64 *p = testdev_count();

	cpuid(1, 0, r);
	if (!(r[2] & CPUID1_ECX_CX16))
		fail(CHECK_EMUL_SETUP, "no CMPXCHG16B in CPUID");
	p[0] = 0x1234;
	if (p[0] != 0x1234)
		fail(CHECK_EMUL_SETUP,
		     "no test device at 0x%llx (run the launcher with --testdev)",
		     (u64)LAYOUT_TESTDEV);
	p[0] = 0;
	p[1] = 1ULL << 40;	/* the high half starts elsewhere */
}

static void __attribute__((noreturn)) bsp_cmpxchg16b(unsigned int ncpus,
						     u64 count)
{
	volatile u64 *p = testdev_count();
	u64 want = ncpus * count;

	cmpxchg16b_share(count);
	wait_for(&smp.cmpxchg_done, ncpus, CMPXCHG_TIMEOUT, CHECK_SMP_CMPXCHG,
		 "CPUs done with CMPXCHG16B");
	/* %u: the guests' print shows %ll only in hex. */
	print("cmpxchg16b: %u CPUs x %u: low %u, high %u + 2^40\n", ncpus,
	      (unsigned int)count, (unsigned int)p[0],
	      (unsigned int)(p[1] - (1ULL << 40)));
	if (p[0] != want || p[1] != want + (1ULL << 40))
		fail(CHECK_SMP_CMPXCHG, "the count is %u/%u, not %u",
		     (unsigned int)p[0], (unsigned int)(p[1] - (1ULL << 40)),
		     (unsigned int)want);
	puts_raw("PASS: smp-cmpxchg16b: the count is consistent\n");
	guest_exit(GUEST_EXIT_OK);
}

void action_smp(const struct boot_params *bp, const struct smp_opts *o)
{
	u32 ids[MAX_CPUS], self = lapic_read(APIC_ID) >> 24;
	unsigned int n = madt_apic_ids(find_madt(bp), ids);

	print("smp: %u CPUs in the MADT; the BSP has APIC ID %u (CPUID %u)\n",
	      n, self, cpuid_apic_id());
	if (!in_madt(ids, n, self) || cpuid_apic_id() != self)
		fail(CHECK_SMP_APIC_ID, "the BSP's APIC ID %u is not the MADT's "
		     "or CPUID's", self);
	if (o->kind == SMP_CMPXCHG16B)
		require_cmpxchg16b();
	smp.opts = o;
	smp.n_aps = n - 1;
	install_trampoline();
	start_aps(ids, n, self);
	wait_for(&smp.checked_in, smp.n_aps, START_TIMEOUT, CHECK_SMP_START,
		 "APs checked in");
	check_ids(ids, n, self);
	print("PASS: smp: %u CPUs started, %u APs counted\n", n,
	      smp.checked_in);
	smp.go = 1;
	switch (o->kind) {
	case SMP_CMPXCHG16B:
		bsp_cmpxchg16b(n, o->arg);
	case SMP_HLT:
	case SMP_AP_BUSY:
		cli_hlt_forever();
	case SMP_EXIT:
	case SMP_TRIPLEFAULT:
	case SMP_SPIN:
		for (;;)
			asm volatile("pause");
	default:
		guest_exit(GUEST_EXIT_OK);
	}
}
