// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's register state into the emulator's struct x86_cpu and back: every
 * GPR to its own slot, segments, control registers, the CPL, and vector
 * registers through the XSAVE image, whose absent components are zero.
 * vm_emulate_failure itself runs against /dev/kvm in the integration
 * tests' emul-* guests; here, against a stand-in vCPU (the test is linked
 * with --wrap=ioctl), it must return a huge REP to KVM_RUN in batches.
 */
#include <asm/processor-flags.h>
#include <errno.h>
#include <stdarg.h>

#include "emu_machine.h"

#include "unit_helpers.h"
#include "x86/kvm_emulate.h"

static struct kvm_regs regs;
static struct kvm_sregs sregs;
static struct x86_cpu cpu;

/* The kvm_regs fields by name, in our GPR numbering. */
static void set_named_gprs(struct kvm_regs *r, uint64_t base)
{
	r->rax = base + X86_RAX;
	r->rcx = base + X86_RCX;
	r->rdx = base + X86_RDX;
	r->rbx = base + X86_RBX;
	r->rsp = base + X86_RSP;
	r->rbp = base + X86_RBP;
	r->rsi = base + X86_RSI;
	r->rdi = base + X86_RDI;
	r->r8 = base + X86_R8;
	r->r9 = base + X86_R9;
	r->r10 = base + X86_R10;
	r->r11 = base + X86_R11;
	r->r12 = base + X86_R12;
	r->r13 = base + X86_R13;
	r->r14 = base + X86_R14;
	r->r15 = base + X86_R15;
}

static void long_mode_sregs(void)
{
	memset(&sregs, 0, sizeof(sregs));
	sregs.cr0 = X86_CR0_PE | X86_CR0_PG;
	sregs.cr3 = 0x9000;
	sregs.cr4 = X86_CR4_PAE | X86_CR4_OSXSAVE;
	sregs.efer = X86_EFER_LME | X86_EFER_LMA;
	sregs.cs = (struct kvm_segment){ .base = 0, .limit = 0xffffffff,
					 .selector = 0x10, .l = 1 };
	sregs.ds = (struct kvm_segment){ .base = 0x1111, .limit = 0x2222 };
	sregs.es = (struct kvm_segment){ .base = 0x3333, .limit = 0x4444 };
	sregs.fs = (struct kvm_segment){ .base = 0x7fff00001000ULL };
	sregs.gs = (struct kvm_segment){ .base = 0xffff888000000000ULL };
	sregs.ss = (struct kvm_segment){ .limit = 0xffff, .db = 1 };
	sregs.tr = (struct kvm_segment){ .base = 0x5000, .limit = 0x67 };
}

START_TEST(test_from_kvm)
{
	unsigned int i;

	set_named_gprs(&regs, 0x1000);
	regs.rip = 0xffffffff81000000ULL;
	regs.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	long_mode_sregs();
	memset(&cpu, 0xee, sizeof(cpu));
	x86_cpu_from_kvm(&cpu, &regs, &sregs);
	for (i = 0; i < X86_NR_GPRS; i++)
		ck_assert_msg(cpu.gpr[i] == 0x1000 + i, "gpr %u is %#llx", i,
			      (unsigned long long)cpu.gpr[i]);
	ck_assert_uint_eq(cpu.rip, regs.rip);
	ck_assert_uint_eq(cpu.rflags, regs.rflags);
	ck_assert_uint_eq(cpu.cr0, sregs.cr0);
	ck_assert_uint_eq(cpu.cr3, 0x9000);
	ck_assert_uint_eq(cpu.cr4, sregs.cr4);
	ck_assert_uint_eq(cpu.efer, sregs.efer);
	ck_assert_uint_eq(cpu.seg[X86_SEG_DS].base, 0x1111);
	ck_assert_uint_eq(cpu.seg[X86_SEG_DS].limit, 0x2222);
	ck_assert_uint_eq(cpu.seg[X86_SEG_ES].base, 0x3333);
	ck_assert_uint_eq(cpu.seg[X86_SEG_FS].base, sregs.fs.base);
	ck_assert_uint_eq(cpu.seg[X86_SEG_GS].base, sregs.gs.base);
	ck_assert(cpu.seg[X86_SEG_CS].l && !cpu.seg[X86_SEG_CS].db);
	ck_assert(cpu.seg[X86_SEG_SS].db);
	ck_assert_uint_eq(cpu.tr.base, 0x5000);
	ck_assert_uint_eq(cpu.tr.limit, 0x67);
	ck_assert_uint_eq(cpu.cpl, 0);
	ck_assert(!cpu.vec_dirty);
	ck_assert(all_bytes(cpu.vec, 0, sizeof(cpu.vec)));
	ck_assert_uint_eq(x86_cpu_code_bits(&cpu), 64);
}
END_TEST

/* The CPL and the code size in each mode a guest can fail in. */
static const struct {
	const char *name;
	uint64_t cr0, rflags;
	uint8_t ss_dpl, cs_db, cs_l;
	uint64_t efer;
	unsigned int cpl, bits;
} modes[] = {
	{ "real mode", 0, 0, 0, 0, 0, 0, 0, 16 },
	{ "real mode ignores SS.DPL", 0, 0, 3, 0, 0, 0, 0, 16 },
	{ "32-bit kernel", X86_CR0_PE, 0, 0, 1, 0, 0, 0, 32 },
	{ "32-bit user", X86_CR0_PE, 0, 3, 1, 0, 0, 3, 32 },
	{ "16-bit protected, ring 1", X86_CR0_PE, 0, 1, 0, 0, 0, 1, 16 },
	{ "virtual-8086", X86_CR0_PE, X86_EFLAGS_VM, 0, 0, 0, 0, 3, 16 },
	{ "64-bit user", X86_CR0_PE | X86_CR0_PG, 0, 3, 0, 1, X86_EFER_LMA, 3,
	  64 },
	{ "compatibility mode", X86_CR0_PE | X86_CR0_PG, 0, 3, 1, 0,
	  X86_EFER_LMA, 3, 32 },
};

START_TEST(test_modes)
{
	memset(&regs, 0, sizeof(regs));
	memset(&sregs, 0, sizeof(sregs));
	regs.rflags = X86_EFLAGS_FIXED | modes[_i].rflags;
	sregs.cr0 = modes[_i].cr0;
	sregs.efer = modes[_i].efer;
	sregs.ss.dpl = modes[_i].ss_dpl;
	sregs.cs.db = modes[_i].cs_db;
	sregs.cs.l = modes[_i].cs_l;
	x86_cpu_from_kvm(&cpu, &regs, &sregs);
	ck_assert_msg(cpu.cpl == modes[_i].cpl, "%s: CPL %u", modes[_i].name,
		      cpu.cpl);
	ck_assert_msg(x86_cpu_code_bits(&cpu) == modes[_i].bits,
		      "%s: %u-bit code", modes[_i].name,
		      x86_cpu_code_bits(&cpu));
}
END_TEST

/* Only GPRs, RIP and RFLAGS go back; nothing else in kvm_regs moves. */
START_TEST(test_to_kvm_regs)
{
	struct kvm_regs want;
	unsigned int i;

	memset(&cpu, 0, sizeof(cpu));
	for (i = 0; i < X86_NR_GPRS; i++)
		cpu.gpr[i] = 0xabc00000 + i;
	cpu.rip = 0x401000;
	cpu.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_ZF;
	memset(&regs, 0x77, sizeof(regs));
	x86_cpu_to_kvm_regs(&cpu, &regs);
	set_named_gprs(&want, 0xabc00000);
	want.rip = 0x401000;
	want.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_ZF;
	ck_assert(!memcmp(&regs, &want, sizeof(regs)));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Vector registers through XSAVE                                      */
/* ------------------------------------------------------------------ */

static uint8_t xsave[sizeof(struct kvm_xsave)];

static void set_bv(uint64_t bv)
{
	memcpy(xsave + XSAVE_BV_OFFSET, &bv, sizeof(bv));
}

static uint64_t get_bv(void)
{
	uint64_t bv;

	memcpy(&bv, xsave + XSAVE_BV_OFFSET, sizeof(bv));
	return bv;
}

/* Byte b of YMMn, as the image should hold it. */
static uint8_t ymm_byte(unsigned int n, unsigned int b)
{
	return (uint8_t)(n * 32 + b + 1);
}

static void fill_image(void)
{
	unsigned int n, b;

	memset(xsave, 0x99, sizeof(xsave));
	for (n = 0; n < 16; n++)
		for (b = 0; b < 16; b++) {
			xsave[XSAVE_XMM_OFFSET + 16 * n + b] = ymm_byte(n, b);
			xsave[XSAVE_YMM_HI_OFFSET + 16 * n + b] =
				ymm_byte(n, b + 16);
		}
}

static const struct {
	uint64_t bv;
	bool low, high;		/* which halves come from the image */
} images[] = {
	{ XFEATURE_SSE | XFEATURE_AVX | 1, true, true },
	{ XFEATURE_SSE, true, false },
	{ XFEATURE_AVX, false, true },
	{ 0, false, false },
};

START_TEST(test_vec_from_xsave)
{
	unsigned int n, b;

	fill_image();
	set_bv(images[_i].bv);
	memset(cpu.vec, 0x55, sizeof(cpu.vec));
	x86_vec_from_xsave(&cpu, xsave);
	for (n = 0; n < 16; n++)
		for (b = 0; b < 32; b++) {
			bool from = b < 16 ? images[_i].low : images[_i].high;
			uint8_t want = from ? ymm_byte(n, b) : 0;

			ck_assert_msg(cpu.vec[n][b] == want,
				      "ymm%u byte %u is %#x (XSTATE_BV %#llx)",
				      n, b, cpu.vec[n][b],
				      (unsigned long long)images[_i].bv);
		}
}
END_TEST

/* Legacy SSE leaves the upper halves (and the AVX bit) as they were. */
START_TEST(test_vec_to_xsave)
{
	bool ymm = _i;
	unsigned int n, b;

	fill_image();
	set_bv(1);	/* x87 only: SSE and AVX in their initial state */
	for (n = 0; n < 16; n++)
		for (b = 0; b < 32; b++)
			cpu.vec[n][b] = (uint8_t)~ymm_byte(n, b);
	x86_vec_to_xsave(&cpu, xsave, ymm);
	ck_assert_uint_eq(get_bv(),
			  1 | XFEATURE_SSE | (ymm ? XFEATURE_AVX : 0));
	for (n = 0; n < 16; n++)
		for (b = 0; b < 16; b++) {
			uint8_t hi = ymm_byte(n, b + 16);

			ck_assert_uint_eq(xsave[XSAVE_XMM_OFFSET + 16 * n + b],
					  (uint8_t)~ymm_byte(n, b));
			ck_assert_uint_eq(xsave[XSAVE_YMM_HI_OFFSET + 16 * n + b],
					  ymm ? (uint8_t)~hi : hi);
		}
	/* Nothing else in the image moved: MXCSR, x87, the other header. */
	ck_assert(all_bytes(xsave, 0x99, XSAVE_XMM_OFFSET));
	ck_assert(all_bytes(xsave + XSAVE_XMM_OFFSET + 256, 0x99,
			    XSAVE_BV_OFFSET - XSAVE_XMM_OFFSET - 256));
	ck_assert(all_bytes(xsave + XSAVE_BV_OFFSET + 8, 0x99,
			    XSAVE_YMM_HI_OFFSET - XSAVE_BV_OFFSET - 8));
	ck_assert(all_bytes(xsave + XSAVE_YMM_HI_OFFSET + 256, 0x99,
			    sizeof(xsave) - XSAVE_YMM_HI_OFFSET - 256));
}
END_TEST

/* ------------------------------------------------------------------ */
/* A stand-in vCPU for vm_emulate_failure                              */
/* ------------------------------------------------------------------ */

#define FAKE_VCPU_FD 1000	/* no such descriptors: their ioctls are ours */
#define FAKE_VM_FD 1001
#define NESTED_STATE_SIZE 0x2000

static struct {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	unsigned int set_regs;
	bool nested_state;	/* KVM_CAP_NESTED_STATE */
	uint16_t nested_flags;	/* what KVM_GET_NESTED_STATE says */
} vcpu;

static int fake_nested_state(struct kvm_nested_state *ns)
{
	if (!vcpu.nested_state || ns->size < NESTED_STATE_SIZE) {
		errno = EINVAL;
		return -1;
	}
	ns->flags = vcpu.nested_flags;
	return 0;
}

int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd == FAKE_VM_FD && req == KVM_CHECK_EXTENSION)
		return (unsigned long)arg == KVM_CAP_NESTED_STATE &&
			       vcpu.nested_state ?
			       NESTED_STATE_SIZE :
			       0;
	if (fd != FAKE_VCPU_FD)
		return __real_ioctl(fd, req, arg);
	switch (req) {
	case KVM_GET_NESTED_STATE:
		return fake_nested_state(arg);
	case KVM_GET_REGS:
		memcpy(arg, &vcpu.regs, sizeof(vcpu.regs));
		return 0;
	case KVM_SET_REGS:
		memcpy(&vcpu.regs, arg, sizeof(vcpu.regs));
		vcpu.set_regs++;
		return 0;
	case KVM_GET_SREGS:
		memcpy(arg, &vcpu.sregs, sizeof(vcpu.sregs));
		return 0;
	default:
		errno = EINVAL;	/* KVM_GET_CPUID2: MAXPHYADDR's default */
		return -1;
	}
}

/* 32-bit protected mode, flat, no paging: linear is physical. */
static void flat32_vcpu(void)
{
	struct kvm_segment flat = { .limit = 0xffffffff, .db = 1, .g = 1,
				    .present = 1, .s = 1 };

	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.sregs.cr0 = X86_CR0_PE;
	vcpu.sregs.cs = vcpu.sregs.ds = vcpu.sregs.es = vcpu.sregs.ss = flat;
	vcpu.sregs.cs.type = 0xb;
	vcpu.sregs.ds.type = vcpu.sregs.ss.type = 0x3;
	vcpu.regs.rflags = 0x2;
}

/*
 * REP OUTSB with ECX = 2^32 - 1, which KVM handed over: one call does
 * one batch and returns to KVM_RUN with RIP still on the instruction and
 * the count and source showing the progress; the next call goes on.
 * (Before, the whole REP ran inside one call: 4 billion iterations.)
 */
static struct emu_machine m;
static struct vm vm;
static struct vcpu *vc = &vm.cpus[0];
static struct kvm_run run;

/* KVM handed over REP OUTSB, ECX = 2^32 - 1, to nobody's port. */
static void rep_outsb_failure(void)
{
	static const uint8_t rep_outsb[] = { 0xf3, 0x6e };

	ck_assert_int_eq(emu_machine_init(&m, 1 << 20), 0);
	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = FAKE_VM_FD;
	vm.ncpus = 1;
	vc->vm = &vm;
	vc->fd = FAKE_VCPU_FD;
	vc->run = &run;
	vm.mem = m.mem;
	vm.pio = m.pio;
	vm.mmio = m.mmio;
	run.exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run.emulation_failure.flags =
		KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES;
	run.emulation_failure.insn_size = 15;
	memset(run.emulation_failure.insn_bytes, 0x90,
	       sizeof(run.emulation_failure.insn_bytes));
	memcpy(run.emulation_failure.insn_bytes, rep_outsb, sizeof(rep_outsb));
	flat32_vcpu();
	vcpu.regs.rip = 0x8000;
	vcpu.regs.rsi = 0x1000;
	vcpu.regs.rcx = 0xffffffff;
	vcpu.regs.rdx = 0x2f8;
}

START_TEST(test_rep_returns_in_batches)
{
	rep_outsb_failure();

	ck_assert_msg(vcpu_emulate_failure(vc), "%s", vc->emulate_failed);
	ck_assert_uint_eq(vcpu.regs.rcx, 0xffffffffULL - X86_EMU_REP_BATCH);
	ck_assert_uint_eq(vcpu.regs.rsi, 0x1000 + X86_EMU_REP_BATCH);
	ck_assert_uint_eq(vcpu.regs.rip, 0x8000);
	ck_assert_msg(vcpu_emulate_failure(vc), "%s", vc->emulate_failed);
	ck_assert_uint_eq(vcpu.regs.rcx,
			  0xffffffffULL - 2 * X86_EMU_REP_BATCH);
	ck_assert_uint_eq(vcpu.set_regs, 2);
	ck_assert_uint_eq(vc->emulated, 2);
	emu_machine_free(&m);
}
END_TEST

static const struct nested_case {
	const char *name;
	bool nested_virt, nested_state;
	uint16_t flags;
	bool emulated;
} nested_cases[] = {
	{ "no --nested-virt: never asked", false, false, 0, true },
	{ "--nested-virt, the guest itself", true, true, 0, true },
	{ "--nested-virt, a nested guest", true, true,
	  KVM_STATE_NESTED_GUEST_MODE, false },
	{ "--nested-virt, no nested state to read", true, false, 0, false },
};

/*
 * With --nested-virt, an emulation failure in a nested guest (or one we
 * cannot place) is refused with the reason, registers untouched; the
 * launcher then exits 4 through describe_internal_error.
 */
START_TEST(test_nested_guest_refused)
{
	const struct nested_case *c = &nested_cases[_i];
	bool ok;

	rep_outsb_failure();
	vm.nested_virt = c->nested_virt;
	vcpu.nested_state = c->nested_state;
	vcpu.nested_flags = c->flags;
	ok = vcpu_emulate_failure(vc);
	ck_assert_msg(ok == c->emulated, "%s: %s", c->name,
		      vc->emulate_failed ? vc->emulate_failed : "emulated");
	ck_assert_uint_eq(vcpu.set_regs, c->emulated);
	if (!c->emulated) {
		ck_assert_str_eq(vc->emulate_failed, "it is a nested guest's (--nested-virt), whose memory and exceptions belong to the guest's own hypervisor");
		ck_assert_uint_eq(vcpu.regs.rcx, 0xffffffff);
	}
	emu_machine_free(&m);
}
END_TEST

static Suite *kvm_emulate_suite(void)
{
	Suite *s = suite_create("kvm_emulate");
	TCase *t = tcase_create("state");

	tcase_add_test(t, test_from_kvm);
	tcase_add_loop_test(t, test_modes, 0, ARRAY_SIZE(modes));
	tcase_add_test(t, test_to_kvm_regs);
	tcase_add_loop_test(t, test_vec_from_xsave, 0, ARRAY_SIZE(images));
	tcase_add_loop_test(t, test_vec_to_xsave, 0, 2);
	suite_add_tcase(s, t);
	t = tcase_create("failures");
	tcase_set_timeout(t, 10);
	tcase_add_test(t, test_rep_returns_in_batches);
	tcase_add_loop_test(t, test_nested_guest_refused, 0,
			    ARRAY_SIZE(nested_cases));
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return run_suite(kvm_emulate_suite());
}
