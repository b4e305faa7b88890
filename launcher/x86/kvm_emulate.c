// SPDX-License-Identifier: GPL-2.0
/*
 * When KVM's own emulator gives up it stops the vCPU with an emulation
 * failure and, with KVM_CAP_EXIT_ON_EMULATION_FAILURE, the instruction's
 * bytes.  QEMU and kvmtool die there.  We finish the instruction with the
 * launcher's emulator against guest RAM and the device buses, put the
 * registers back and resume the guest, or deliver the exception the
 * instruction raised, as the seed's Launcher did for the port I/O its
 * Host left to it.
 */
#include <asm/processor-flags.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "emulate_bus.h"
#include "kvm_emulate.h"

#define CPUID_MAX_ENTRIES	256
#define CPUID_ADDR_SIZES	0x80000008U
#define MAXPHYADDR_DEFAULT	36	/* without leaf 0x80000008 (SDM) */
#define PAGE_SIZE		4096ULL

/* Where each of our GPRs lives in struct kvm_regs. */
static const size_t gpr_offset[X86_NR_GPRS] = {
	[X86_RAX] = offsetof(struct kvm_regs, rax),
	[X86_RCX] = offsetof(struct kvm_regs, rcx),
	[X86_RDX] = offsetof(struct kvm_regs, rdx),
	[X86_RBX] = offsetof(struct kvm_regs, rbx),
	[X86_RSP] = offsetof(struct kvm_regs, rsp),
	[X86_RBP] = offsetof(struct kvm_regs, rbp),
	[X86_RSI] = offsetof(struct kvm_regs, rsi),
	[X86_RDI] = offsetof(struct kvm_regs, rdi),
	[X86_R8] = offsetof(struct kvm_regs, r8),
	[X86_R9] = offsetof(struct kvm_regs, r9),
	[X86_R10] = offsetof(struct kvm_regs, r10),
	[X86_R11] = offsetof(struct kvm_regs, r11),
	[X86_R12] = offsetof(struct kvm_regs, r12),
	[X86_R13] = offsetof(struct kvm_regs, r13),
	[X86_R14] = offsetof(struct kvm_regs, r14),
	[X86_R15] = offsetof(struct kvm_regs, r15),
};

static void segment_from_kvm(struct x86_segment *s,
			     const struct kvm_segment *k)
{
	*s = (struct x86_segment){ .base = k->base, .limit = k->limit,
				   .db = k->db, .l = k->l };
}

/* SS.DPL is the CPL in protected mode (KVM reports it there for SVM too). */
static unsigned int cpl_of(const struct kvm_sregs *s, uint64_t rflags)
{
	if (!(s->cr0 & X86_CR0_PE))
		return 0;
	if (rflags & X86_EFLAGS_VM)
		return 3;
	return s->ss.dpl;
}

void x86_cpu_from_kvm(struct x86_cpu *cpu, const struct kvm_regs *regs,
		      const struct kvm_sregs *sregs)
{
	const struct kvm_segment *segs[X86_NR_SEGS] = {
		[X86_SEG_ES] = &sregs->es, [X86_SEG_CS] = &sregs->cs,
		[X86_SEG_SS] = &sregs->ss, [X86_SEG_DS] = &sregs->ds,
		[X86_SEG_FS] = &sregs->fs, [X86_SEG_GS] = &sregs->gs,
	};
	unsigned int i;

	memset(cpu, 0, sizeof(*cpu));
	for (i = 0; i < X86_NR_GPRS; i++)
		memcpy(&cpu->gpr[i], (const uint8_t *)regs + gpr_offset[i], 8);
	cpu->rip = regs->rip;
	cpu->rflags = regs->rflags;
	for (i = 0; i < X86_NR_SEGS; i++)
		segment_from_kvm(&cpu->seg[i], segs[i]);
	segment_from_kvm(&cpu->tr, &sregs->tr);
	cpu->cr0 = sregs->cr0;
	cpu->cr3 = sregs->cr3;
	cpu->cr4 = sregs->cr4;
	cpu->efer = sregs->efer;
	cpu->cpl = cpl_of(sregs, regs->rflags);
}

void x86_cpu_to_kvm_regs(const struct x86_cpu *cpu, struct kvm_regs *regs)
{
	unsigned int i;

	for (i = 0; i < X86_NR_GPRS; i++)
		memcpy((uint8_t *)regs + gpr_offset[i], &cpu->gpr[i], 8);
	regs->rip = cpu->rip;
	regs->rflags = cpu->rflags;
}

static uint64_t xstate_bv(const uint8_t *xsave)
{
	uint64_t bv;

	memcpy(&bv, xsave + XSAVE_BV_OFFSET, sizeof(bv));
	return bv;
}

void x86_vec_from_xsave(struct x86_cpu *cpu, const uint8_t *xsave)
{
	uint64_t bv = xstate_bv(xsave);
	unsigned int i;

	memset(cpu->vec, 0, sizeof(cpu->vec));
	for (i = 0; i < 16; i++) {
		if (bv & XFEATURE_SSE)
			memcpy(cpu->vec[i], xsave + XSAVE_XMM_OFFSET + 16 * i,
			       16);
		if (bv & XFEATURE_AVX)
			memcpy(cpu->vec[i] + 16,
			       xsave + XSAVE_YMM_HI_OFFSET + 16 * i, 16);
	}
}

void x86_vec_to_xsave(const struct x86_cpu *cpu, uint8_t *xsave, bool ymm)
{
	uint64_t bv = xstate_bv(xsave) | XFEATURE_SSE;
	unsigned int i;

	for (i = 0; i < 16; i++) {
		memcpy(xsave + XSAVE_XMM_OFFSET + 16 * i, cpu->vec[i], 16);
		if (ymm)
			memcpy(xsave + XSAVE_YMM_HI_OFFSET + 16 * i,
			       cpu->vec[i] + 16, 16);
	}
	if (ymm)
		bv |= XFEATURE_AVX;
	memcpy(xsave + XSAVE_BV_OFFSET, &bv, sizeof(bv));
}

/* One emulation failure being finished. */
struct emu_exit {
	struct vcpu *vc;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct x86_cpu cpu;
	struct x86_insn insn;
	struct emu_bus bus;
	uint8_t *xsave;		/* if the instruction uses vector registers */
};

static bool failed(struct emu_exit *x, const char *why)
{
	x->vc->emulate_failed = why;
	return false;
}

/* The guest's MAXPHYADDR, for the page walk's reserved-bit checks. */
static unsigned int guest_maxphyaddr(struct vcpu *vc)
{
	size_t size = sizeof(struct kvm_cpuid2) +
		      CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c;
	unsigned int i;

	if (vc->maxphyaddr)
		return vc->maxphyaddr;
	c = calloc(1, size);
	if (!c)
		return 0;	/* the walk then assumes 52 bits */
	c->nent = CPUID_MAX_ENTRIES;
	vc->maxphyaddr = MAXPHYADDR_DEFAULT;
	if (ioctl(vc->fd, KVM_GET_CPUID2, c) == 0)
		for (i = 0; i < c->nent; i++)
			if (c->entries[i].function == CPUID_ADDR_SIZES)
				vc->maxphyaddr = c->entries[i].eax & 0xff;
	free(c);
	return vc->maxphyaddr;
}

/*
 * KVM reads ahead only to the end of the page, so an instruction that
 * straddles one arrives cut short: fetch the rest as the CPU would.
 */
static enum x86_emu_status fetch_rest(struct emu_exit *x, uint8_t *bytes,
				      unsigned int *len,
				      struct x86_fault *fault)
{
	const struct x86_cpu *cpu = &x->cpu;
	unsigned int access = X86_ACCESS_FETCH, n;
	uint64_t lin, gpa;
	enum x86_emu_status s;

	if (cpu->cpl == 3)
		access |= X86_ACCESS_USER;
	while (*len < X86_MAX_INSN_LEN) {
		lin = cpu->seg[X86_SEG_CS].base + cpu->rip + *len;
		if (x86_cpu_code_bits(cpu) != 64)
			lin &= 0xffffffffULL;
		s = x86_translate(cpu, &emu_bus_ops, &x->bus, lin, access, &gpa,
				  fault);
		if (s)
			return s;
		n = PAGE_SIZE - (lin & (PAGE_SIZE - 1));
		if (n > X86_MAX_INSN_LEN - *len)
			n = X86_MAX_INSN_LEN - *len;
		if (emu_bus_ops.read(&x->bus, gpa, bytes + *len, n))
			return X86_EMU_ERROR;
		*len += n;
	}
	return X86_EMU_OK;
}

static bool read_state(struct emu_exit *x)
{
	int fd = x->vc->fd;

	if (ioctl(fd, KVM_GET_REGS, &x->regs) < 0 ||
	    ioctl(fd, KVM_GET_SREGS, &x->sregs) < 0)
		return failed(x, "cannot read the vCPU's registers");
	x86_cpu_from_kvm(&x->cpu, &x->regs, &x->sregs);
	x->cpu.maxphyaddr = guest_maxphyaddr(x->vc);
	return true;
}

/*
 * With dynamic features (AMX) the image outgrows struct kvm_xsave and
 * only KVM_GET_XSAVE2 gives it; below that, KVM_GET_XSAVE does the same.
 */
static size_t xsave_size(struct vcpu *vc)
{
	int size;

	if (!vc->xsave_size) {
		size = ioctl(vc->vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
		vc->xsave_size = sizeof(struct kvm_xsave);
		if (size > (int)sizeof(struct kvm_xsave))
			vc->xsave_size = size;
	}
	return vc->xsave_size;
}

static bool read_vec(struct emu_exit *x)
{
	size_t size = xsave_size(x->vc);
	unsigned long req = size > sizeof(struct kvm_xsave) ? KVM_GET_XSAVE2 :
							      KVM_GET_XSAVE;

	x->xsave = calloc(1, size);
	if (!x->xsave || ioctl(x->vc->fd, req, x->xsave) < 0)
		return failed(x, "cannot read the vCPU's vector registers");
	x86_vec_from_xsave(&x->cpu, x->xsave);
	return true;
}

static bool decode(struct emu_exit *x, struct x86_fault *fault,
		   enum x86_emu_status *fetch)
{
	struct kvm_run *r = x->vc->run;
	uint8_t bytes[X86_MAX_INSN_LEN];
	unsigned int len = r->emulation_failure.insn_size;
	enum x86_decode_status ds;
	unsigned int bits = x86_cpu_code_bits(&x->cpu);

	if (len > X86_MAX_INSN_LEN)
		len = X86_MAX_INSN_LEN;
	memcpy(bytes, r->emulation_failure.insn_bytes, len);
	*fetch = X86_EMU_OK;
	ds = x86_decode(bytes, len, bits, &x->insn);
	if (ds == X86_DECODE_TRUNCATED) {
		*fetch = fetch_rest(x, bytes, &len, fault);
		if (*fetch == X86_EMU_FAULT)
			return true;
		if (*fetch == X86_EMU_ERROR)
			return failed(x, x->bus.refused ? x->bus.refused :
					  "cannot fetch the rest of the instruction");
		ds = x86_decode(bytes, len, bits, &x->insn);
	}
	if (ds != X86_DECODE_OK)
		return failed(x, x86_decode_status_str(ds));
	return true;
}

static bool write_back(struct emu_exit *x)
{
	int fd = x->vc->fd;

	x86_cpu_to_kvm_regs(&x->cpu, &x->regs);
	if (ioctl(fd, KVM_SET_REGS, &x->regs) < 0)
		return failed(x, "cannot write the vCPU's registers");
	if (!x->cpu.vec_dirty)
		return true;
	x86_vec_to_xsave(&x->cpu, x->xsave, x->insn.vex);
	if (ioctl(fd, KVM_SET_XSAVE, x->xsave) < 0)
		return failed(x, "cannot write the vCPU's vector registers");
	return true;
}

/*
 * The fault becomes an exception KVM delivers on entry through the
 * guest's IDT.  Without KVM_CAP_EXCEPTION_PAYLOAD an injected #PF does
 * not set CR2, so it goes in first, as the CPU would have put it.
 * After KVM_SET_REGS: that drops any exception still pending.
 */
static bool inject(struct emu_exit *x, const struct x86_fault *f)
{
	int fd = x->vc->fd;
	struct kvm_vcpu_events ev;

	if (ioctl(fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		return failed(x, "cannot read the vCPU's pending events");
	if (ev.exception.injected || ev.interrupt.injected ||
	    ev.nmi.injected)
		return failed(x, "the instruction faulted while an event was being delivered");
	if (f->vector == X86_VEC_PF) {
		x->sregs.cr2 = f->address;
		if (ioctl(fd, KVM_SET_SREGS, &x->sregs) < 0)
			return failed(x, "cannot set CR2 for the page fault");
	}
	ev.flags = 0;	/* leave NMI, SMM, SIPI and shadow state alone */
	ev.exception.injected = 1;
	ev.exception.nr = f->vector;
	ev.exception.has_error_code = f->has_error_code;
	ev.exception.error_code = f->error_code;
	if (ioctl(fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		return failed(x, "cannot inject the exception");
	return true;
}

/*
 * A REP instruction runs one batch (X86_EMU_REP_BATCH iterations) per
 * emulation failure: the registers then show how far it got and RIP is
 * still on it, as on an interrupted REP, and the guest goes back into
 * KVM_RUN, which takes interrupts, signals and stop requests before it
 * comes back here for the next batch.  Finishing it here would let a
 * REP with a count of 2^64 hold the vCPU thread for good.
 */
static enum x86_emu_status execute(struct emu_exit *x,
				   struct x86_emu_result *res)
{
	return x86_execute(&x->cpu, &x->insn, &emu_bus_ops, &x->bus, res);
}

/*
 * With --nested-virt the failing instruction may be a nested guest's:
 * its addresses go through page tables we do not know (the guest
 * hypervisor's EPT/NPT) and its exceptions are not ours to deliver, so
 * we do not touch it.  A state we cannot read counts as nested.
 */
static bool in_nested_guest(struct vcpu *vc)
{
	struct vm *vm = vc->vm;
	struct kvm_nested_state *ns;
	int size;
	bool nested = true;

	if (!vm->nested_virt)
		return false;
	size = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NESTED_STATE);
	if (size < (int)sizeof(*ns))
		return true;
	ns = calloc(1, size);
	if (!ns)
		return true;
	ns->size = size;
	if (ioctl(vc->fd, KVM_GET_NESTED_STATE, ns) == 0)
		nested = ns->flags & KVM_STATE_NESTED_GUEST_MODE;
	free(ns);
	return nested;
}

static bool has_insn_bytes(const struct kvm_run *r)
{
	return r->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	       r->emulation_failure.flags &
		       KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES;
}

static bool emulate(struct emu_exit *x)
{
	struct x86_emu_result res = { .status = X86_EMU_OK };
	enum x86_emu_status s;

	if (!read_state(x) || !decode(x, &res.fault, &s))
		return false;
	if (s == X86_EMU_OK) {
		if (x86_insn_uses_vec(&x->insn) && !read_vec(x))
			return false;
		s = execute(x, &res);
	}
	if (s != X86_EMU_OK && s != X86_EMU_FAULT)
		return failed(x, x->bus.refused ? x->bus.refused : res.reason);
	/* A faulting REP keeps the iterations before the fault. */
	if (!write_back(x) || (s == X86_EMU_FAULT && !inject(x, &res.fault)))
		return false;
	x->vc->emulated++;
	if (s == X86_EMU_FAULT)
		x->vc->emulated_faults++;
	return true;
}

bool vcpu_emulate_failure(struct vcpu *vc)
{
	struct vm *vm = vc->vm;
	struct emu_exit x = {
		.vc = vc,
		.bus = { .mem = &vm->mem, .pio = &vm->pio, .mmio = &vm->mmio },
	};
	bool ok;

	vc->emulate_failed = NULL;
	if (!has_insn_bytes(vc->run))
		return false;
	if (in_nested_guest(vc)) {
		vc->emulate_failed = "it is a nested guest's (--nested-virt), whose memory and exceptions belong to the guest's own hypervisor";
		return false;
	}
	ok = emulate(&x);
	free(x.xsave);
	return ok;
}
