// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM backend.  In the seed, the Launcher read /dev/lguest to run the
 * guest and got back a reason it stopped; here KVM_RUN does the same job.
 * KVM itself emulates the interrupt controllers and the PIT; everything
 * else comes back to us as port I/O or MMIO for the buses.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvm.h"
#include "x86/cpu.h"
#include "x86/cpu_topology.h"
#include "x86/kvm_emulate.h"
#include "x86/layout.h"

#define KICK_SIGNAL SIGUSR1
#define CPUID_MAX_ENTRIES 256
#define HALT_WATCH_NS 200000000L	/* look for a dead halt 5 times a second */
#define X86_EFLAGS_IF 0x200
#define JOIN_RETRY_NS 50000000L	/* re-kick a vCPU that has not stopped */

static int kvm_fail(struct lg_error *err, const char *what)
{
	return lg_fail(err, "%s: %s", what, strerror(errno));
}

#define HUGE_PAGE_SIZE (2ULL << 20)

/*
 * Guest RAM on a 2 MiB boundary: KVM maps a guest page 2 MiB at a time
 * only where guest-physical and host-virtual addresses agree modulo
 * 2 MiB, and a huge mapping takes one fault where 4 KiB pages take 512
 * (QEMU aligns its RAM the same way).  Over-map by 2 MiB, then give back
 * the unaligned ends.  No MADV_HUGEPAGE: with the usual "defrag=madvise"
 * that makes every first touch wait for compaction (up to 100 ms seen
 * here on a busy host); where THP is "always" huge pages come anyway.
 */
static void *map_huge_aligned(uint64_t bytes)
{
	uint8_t *raw, *ram;
	uint64_t head;

	raw = mmap(NULL, bytes + HUGE_PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	ram = (uint8_t *)(((uintptr_t)raw + HUGE_PAGE_SIZE - 1) &
			  ~(uintptr_t)(HUGE_PAGE_SIZE - 1));
	head = ram - raw;
	if (head)
		munmap(raw, head);
	munmap(ram + bytes, HUGE_PAGE_SIZE - head);
	madvise(ram, bytes, MADV_HUGEPAGE); /* a hint: may be refused */
	return ram;
}

static int map_ram(struct vm *vm, uint64_t bytes, struct lg_error *err)
{
	struct kvm_userspace_memory_region low = { 0 }, high = { 0 };

	vm->ram_size = bytes;
	vm->ram = map_huge_aligned(bytes);
	if (!vm->ram)
		return lg_fail(err, "cannot map %llu MiB of guest memory: %s",
			       (unsigned long long)(bytes >> 20),
			       strerror(errno));
	gmem_init(&vm->mem, vm->ram, bytes, LAYOUT_LOW_RAM_LIMIT);
	low = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0,
		.memory_size = vm->mem.low_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &low) < 0)
		return kvm_fail(err, "KVM_SET_USER_MEMORY_REGION");
	if (bytes == vm->mem.low_size)
		return 0;
	high = (struct kvm_userspace_memory_region){
		.slot = 1, .guest_phys_addr = GMEM_HIGH_BASE,
		.memory_size = bytes - vm->mem.low_size,
		.userspace_addr = (uintptr_t)vm->ram + vm->mem.low_size,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &high) < 0)
		return kvm_fail(err, "KVM_SET_USER_MEMORY_REGION (above 4 GiB)");
	return 0;
}

/*
 * Ask KVM to hand us the instruction bytes when its emulator gives up,
 * so an internal error can say exactly what the guest was doing.  Older
 * kernels lack the capability; that only makes the message shorter.
 */
static void enable_emulation_failure_exits(struct vm *vm)
{
#ifdef KVM_CAP_EXIT_ON_EMULATION_FAILURE
	struct kvm_enable_cap cap = { .cap = KVM_CAP_EXIT_ON_EMULATION_FAILURE,
				      .args = { 1 } };

	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
		  KVM_CAP_EXIT_ON_EMULATION_FAILURE) > 0)
		ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap);
#endif
}

static int create_platform(struct vm *vm, struct lg_error *err)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t ident = LAYOUT_KVM_IDENT_MAP;

	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_KVM_TSS) < 0)
		return kvm_fail(err, "KVM_SET_TSS_ADDR");
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0)
		return kvm_fail(err, "KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP) < 0)
		return kvm_fail(err, "KVM_CREATE_IRQCHIP");
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return kvm_fail(err, "KVM_CREATE_PIT2");
	enable_emulation_failure_exits(vm);
	return 0;
}

static void kick_handler(int sig)
{
	(void)sig;
}

/* KVM's own limit on vCPUs per VM; without the capability, its old 4. */
static unsigned int kvm_max_vcpus(int kvm_fd)
{
	int n = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	if (n <= 0)
		n = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (n <= 0)
		n = 4;
	return n < VM_MAX_CPUS ? (unsigned int)n : VM_MAX_CPUS;
}

int vm_create(struct vm *vm, uint64_t ram_bytes, unsigned int ncpus,
	      struct lg_error *err)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	unsigned int i, max;
	int version;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	for (i = 0; i < VM_MAX_CPUS; i++)
		vm->cpus[i] = (struct vcpu){ .vm = vm, .index = i, .fd = -1 };
	pthread_mutex_init(&vm->bus_lock, NULL);
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return lg_fail(err, "cannot open /dev/kvm: %s%s", strerror(errno),
			       errno == ENOENT ? " (is the kvm module loaded?)" :
			       errno == EACCES ? " (are you in the kvm group?)" : "");
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION)
		return lg_fail(err, "/dev/kvm speaks API version %d, not %d",
			       version, KVM_API_VERSION);
	max = kvm_max_vcpus(vm->kvm_fd);
	if (ncpus < 1 || ncpus > max)
		return lg_fail(err, "--cpus %u: KVM here runs 1 to %u vCPUs",
			       ncpus, max);
	vm->ncpus = ncpus;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return kvm_fail(err, "KVM_CREATE_VM");
	if (create_platform(vm, err) || map_ram(vm, ram_bytes, err))
		return -1;
	/* No SA_RESTART: a kick must make KVM_RUN return EINTR. */
	sigaction(KICK_SIGNAL, &sa, NULL);
	return 0;
}

/* KVM's CPUID, filtered, with this vCPU's APIC ID and the topology. */
static int set_cpuid(struct vcpu *c, struct lg_error *err)
{
	size_t size = sizeof(struct kvm_cpuid2) +
		      CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *cpuid = calloc(1, size);
	int ret = 0;

	if (!cpuid)
		return lg_fail(err, "out of memory for CPUID");
	cpuid->nent = CPUID_MAX_ENTRIES;
	if (ioctl(c->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0)
		ret = kvm_fail(err, "KVM_GET_SUPPORTED_CPUID");
	else {
		x86_filter_cpuid(cpuid);
		if (!c->vm->nested_virt)
			x86_hide_nested_virt(cpuid);
		x86_cpuid_topology(cpuid, CPUID_MAX_ENTRIES, c->index,
				   c->vm->ncpus);
		if (ioctl(c->fd, KVM_SET_CPUID2, cpuid) < 0)
			ret = kvm_fail(err, "KVM_SET_CPUID2");
	}
	free(cpuid);
	return ret;
}

static int set_msrs(struct vcpu *c, struct lg_error *err)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[X86_BOOT_MSRS_MAX];
	} m = { 0 };
	int n;

	m.hdr.nmsrs = x86_boot_msrs(m.e);
	n = ioctl(c->fd, KVM_SET_MSRS, &m);
	if (n < 0)
		return kvm_fail(err, "KVM_SET_MSRS");
	if ((unsigned int)n != m.hdr.nmsrs)
		return lg_fail(err, "KVM_SET_MSRS: KVM refused MSR %#x",
			       m.e[n].index);
	return 0;
}

/*
 * Wire the local APIC's LINT0 to the PIC (ExtINT) and LINT1 to NMI, as a
 * BIOS would, so PIC interrupts reach the CPU before Linux sets up its
 * own APIC routing.
 */
static int set_lapic(struct vcpu *c, struct lg_error *err)
{
	struct kvm_lapic_state lapic;
	uint32_t *lint0 = (uint32_t *)&lapic.regs[0x350];
	uint32_t *lint1 = (uint32_t *)&lapic.regs[0x360];

	if (ioctl(c->fd, KVM_GET_LAPIC, &lapic) < 0)
		return kvm_fail(err, "KVM_GET_LAPIC");
	*lint0 = (*lint0 & ~0x700U) | (7U << 8);
	*lint1 = (*lint1 & ~0x700U) | (4U << 8);
	if (ioctl(c->fd, KVM_SET_LAPIC, &lapic) < 0)
		return kvm_fail(err, "KVM_SET_LAPIC");
	return 0;
}

static int set_registers(struct vcpu *c, const struct boot_setup *boot,
			 struct lg_error *err)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0)
		return kvm_fail(err, "KVM_GET_SREGS");
	x86_boot_sregs(&sregs, boot->mode);
	if (ioctl(c->fd, KVM_SET_SREGS, &sregs) < 0)
		return kvm_fail(err, "KVM_SET_SREGS");
	x86_boot_regs(&regs, boot);
	if (ioctl(c->fd, KVM_SET_REGS, &regs) < 0)
		return kvm_fail(err, "KVM_SET_REGS");
	if (ioctl(c->fd, KVM_SET_FPU, &fpu) < 0)
		return kvm_fail(err, "KVM_SET_FPU");
	return 0;
}

static int create_vcpu(struct vcpu *c, struct lg_error *err)
{
	struct vm *vm = c->vm;

	if (vm->stats && !(c->stats = calloc(1, sizeof(*c->stats))))
		return lg_fail(err, "out of memory for --stats");

	c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)c->index);
	if (c->fd < 0)
		return kvm_fail(err, "KVM_CREATE_VCPU");
	c->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->fd, 0);
	if (c->run == MAP_FAILED) {
		c->run = NULL;
		return kvm_fail(err, "mmap of the vCPU's kvm_run");
	}
	return set_cpuid(c, err) || set_msrs(c, err);
}

/*
 * With the in-kernel irqchip KVM starts every vCPU but the first in
 * KVM_MP_STATE_UNINITIALIZED: the APs wait for the guest's INIT and SIPI
 * through the local APIC, as on hardware, so only the BSP gets entry
 * registers and the BIOS's LINT wiring.
 */
int vm_setup_vcpus(struct vm *vm, const struct boot_setup *boot,
		   struct lg_error *err)
{
	unsigned int i;
	int size;

	if (x86_write_boot_tables(&vm->mem, boot->mode))
		return lg_fail(err, "no guest memory for the boot page tables");
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return kvm_fail(err, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = size;
	for (i = 0; i < vm->ncpus; i++)
		if (create_vcpu(&vm->cpus[i], err))
			return -1;
	if (set_lapic(&vm->cpus[0], err) ||
	    set_registers(&vm->cpus[0], boot, err))
		return -1;
	vm->cpus[0].thread = pthread_self();
	atomic_store(&vm->cpus[0].started, true);
	return 0;
}

void vm_irq_line(void *opaque, unsigned int irq, int level)
{
	struct vm *vm = opaque;
	struct kvm_irq_level l = { .irq = irq, .level = level };

	ioctl(vm->vm_fd, KVM_IRQ_LINE, &l);
}

/*
 * Called after a stop request.  immediate_exit covers the window where the
 * vCPU thread has checked for a stop but not yet entered KVM_RUN; the
 * signal covers the guest already running.
 */
static void kick_vcpu(struct vcpu *c)
{
	if (!atomic_load(&c->started))
		return;
	c->run->immediate_exit = 1;
	if (!pthread_equal(c->thread, pthread_self()))
		pthread_kill(c->thread, KICK_SIGNAL);
}

void vm_kick(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->ncpus; i++)
		kick_vcpu(&vm->cpus[i]);
}

/*
 * The first stop request wins, and only its vCPU's detail is kept,
 * named by vCPU when there are several.
 */
static void vcpu_stop(struct vcpu *c, enum stop_reason why)
{
	struct vm *vm = c->vm;

	if (!vm_request_stop(&vm->stop, why, 0))
		return;
	if (vm->ncpus > 1)
		snprintf(vm->detail, sizeof(vm->detail), "vCPU %u: %s",
			 c->index, c->detail);
	else
		snprintf(vm->detail, sizeof(vm->detail), "%s", c->detail);
}

__attribute__((format(printf, 3, 4))) static void
vcpu_fail(struct vcpu *c, enum stop_reason why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	vcpu_stop(c, why);
}

/* String I/O (INS/OUTS) arrives as `count` back-to-back accesses. */
static void handle_pio(struct vcpu *c)
{
	struct kvm_run *r = c->run;
	uint8_t *data = (uint8_t *)r + r->io.data_offset;
	uint32_t i;

	for (i = 0; i < r->io.count; i++, data += r->io.size)
		bus_access(&c->vm->pio, r->io.port, data, r->io.size,
			   r->io.direction == KVM_EXIT_IO_OUT);
}

static void handle_mmio(struct vcpu *c)
{
	struct kvm_run *r = c->run;
	unsigned int len = r->mmio.len <= 8 ? r->mmio.len : 8;

	bus_access(&c->vm->mmio, r->mmio.phys_addr, r->mmio.data, len,
		   r->mmio.is_write);
}

/* Device accesses, one vCPU at a time (see struct vm). */
static void handle_bus_exit(struct vcpu *c)
{
	pthread_mutex_lock(&c->vm->bus_lock);
	if (c->run->exit_reason == KVM_EXIT_IO)
		handle_pio(c);
	else
		handle_mmio(c);
	pthread_mutex_unlock(&c->vm->bus_lock);
}

/* The emulator's accesses too: a LOCK'd instruction is then atomic. */
static bool emulate_failure(struct vcpu *c)
{
	bool ok;

	pthread_mutex_lock(&c->vm->bus_lock);
	ok = vcpu_emulate_failure(c);
	pthread_mutex_unlock(&c->vm->bus_lock);
	return ok;
}

static int append(char *buf, size_t size, int used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int append(char *buf, size_t size, int used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (used < 0 || (size_t)used >= size)
		return used;
	va_start(ap, fmt);
	n = vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
	return n < 0 ? used : used + n;
}

/*
 * KVM could not go on: describe where the guest was and, when KVM gave
 * them to us, the bytes of the instruction its emulator refused.
 */
static void describe_internal_error(struct vcpu *c)
{
	struct kvm_run *r = c->run;
	struct kvm_regs regs;
	int n;

	n = append(c->detail, sizeof(c->detail), 0,
		   "KVM internal error, suberror %u", r->internal.suberror);
	if (r->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
		n = append(c->detail, sizeof(c->detail), n, " (emulation failure)");
	if (ioctl(c->fd, KVM_GET_REGS, &regs) == 0)
		n = append(c->detail, sizeof(c->detail), n, " at RIP %#llx",
			   (unsigned long long)regs.rip);
#ifdef KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES
	if (r->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	    (r->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		unsigned int i, len = r->emulation_failure.insn_size;

		if (len > sizeof(r->emulation_failure.insn_bytes))
			len = sizeof(r->emulation_failure.insn_bytes);
		n = append(c->detail, sizeof(c->detail), n, ", instruction bytes:");
		for (i = 0; i < len; i++)
			n = append(c->detail, sizeof(c->detail), n, " %02x",
				   r->emulation_failure.insn_bytes[i]);
		if (c->emulate_failed)
			append(c->detail, sizeof(c->detail), n,
			       "; lguest cannot emulate it either (%s)",
			       c->emulate_failed);
		return;
	}
#endif
	for (unsigned int i = 0; i < r->internal.ndata && i < 16; i++)
		n = append(c->detail, sizeof(c->detail), n, " data[%u]=%#llx",
			   i, (unsigned long long)r->internal.data[i]);
}

/*
 * KVM on AMD (SVM) re-initializes a vCPU's VMCB on the shutdown intercept,
 * so what it reads back after a triple fault is the reset state, not the
 * faulting one; say so rather than send anyone to look at 0xfff0.
 */
static bool is_reset_state(const struct kvm_regs *regs,
			   const struct kvm_sregs *sregs)
{
	return regs->rip == 0xfff0 && sregs->cs.selector == 0xf000 &&
	       !(sregs->cr0 & 1);
}

/*
 * A triple fault leaves no message in the guest's console: the CPU could
 * not even deliver the #DF.  Where it was and in what mode is the one clue
 * to a rare one (an SMP guest in the nested host), so keep it.
 */
static void describe_shutdown(struct vcpu *c)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	bool have_regs;
	int n;

	n = append(c->detail, sizeof(c->detail), 0, "triple fault");
	have_regs = ioctl(c->fd, KVM_GET_REGS, &regs) == 0;
	if (have_regs)
		n = append(c->detail, sizeof(c->detail), n,
			   " at RIP %#llx RSP %#llx RFLAGS %#llx",
			   (unsigned long long)regs.rip,
			   (unsigned long long)regs.rsp,
			   (unsigned long long)regs.rflags);
	if (ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0)
		return;
	n = append(c->detail, sizeof(c->detail), n,
		   ", CS %#x CR0 %#llx CR2 %#llx CR3 %#llx CR4 %#llx EFER %#llx",
		   sregs.cs.selector, (unsigned long long)sregs.cr0,
		   (unsigned long long)sregs.cr2, (unsigned long long)sregs.cr3,
		   (unsigned long long)sregs.cr4,
		   (unsigned long long)sregs.efer);
	if (have_regs && is_reset_state(&regs, &sregs))
		append(c->detail, sizeof(c->detail), n,
		       " (the reset state: KVM on AMD resets a vCPU that "
		       "shut down, so where it faulted is lost)");
}

static void handle_system_event(struct vcpu *c)
{
	switch (c->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(&c->vm->stop, STOP_POWER_OFF, 0);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(&c->vm->stop, STOP_RESET, 0);
		break;
	default:
		vcpu_fail(c, STOP_INTERNAL_ERROR,
			  "unexpected KVM system event %u",
			  c->run->system_event.type);
	}
}

static void handle_exit(struct vcpu *c)
{
	struct kvm_run *r = c->run;
	struct vm_stop *stop = &c->vm->stop;

	switch (r->exit_reason) {
	case KVM_EXIT_IO:
	case KVM_EXIT_MMIO:
		handle_bus_exit(c);
		break;
	case KVM_EXIT_HLT:
		vm_request_stop(stop, STOP_HALT, 0);
		break;
	case KVM_EXIT_SHUTDOWN:
		describe_shutdown(c);
		vcpu_stop(c, STOP_TRIPLE_FAULT);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(c);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		if (emulate_failure(c))
			break;
		describe_internal_error(c);
		vcpu_stop(c, STOP_INTERNAL_ERROR);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_fail(c, STOP_INTERNAL_ERROR,
			  "KVM could not enter the guest (hardware reason %#llx)",
			  (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTR:
		break;
	default:
		vcpu_fail(c, STOP_INTERNAL_ERROR, "unhandled KVM exit reason %u",
			  r->exit_reason);
	}
}

/*
 * With the in-kernel irqchip, HLT never reaches us: KVM sleeps the vCPU
 * until an interrupt.  A guest that halts with interrupts off (Linux's
 * "halt", or a test kernel's cli; hlt) would hang the launcher forever,
 * so a timer interrupts KVM_RUN now and then and each vCPU looks at its
 * own state (another thread's look would wait for its KVM_RUN).  An AP
 * still waiting for INIT or SIPI counts as halted: only another CPU can
 * start it.
 */
static bool halted_for_good(struct vcpu *c)
{
	struct kvm_mp_state mp;
	struct kvm_regs regs;

	if (ioctl(c->fd, KVM_GET_MP_STATE, &mp) < 0)
		return false;
	if (mp.mp_state == KVM_MP_STATE_UNINITIALIZED ||
	    mp.mp_state == KVM_MP_STATE_INIT_RECEIVED)
		return true;
	if (mp.mp_state != KVM_MP_STATE_HALTED ||
	    ioctl(c->fd, KVM_GET_REGS, &regs) < 0)
		return false;
	return !(regs.rflags & X86_EFLAGS_IF);
}

/*
 * Exit 5 needs every vCPU halted for good.  The others' flags are from
 * their own last look, at most a watch period old, and each clears its
 * flag as soon as it exits for anything else.
 */
static bool all_halted(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->ncpus; i++)
		if (!atomic_load(&vm->cpus[i].halted))
			return false;
	return true;
}

static void look_for_halt(struct vcpu *c)
{
	bool halted = halted_for_good(c);

	atomic_store(&c->halted, halted);
	if (halted && all_halted(c->vm))
		vm_request_stop(&c->vm->stop, STOP_HALT, 0);
}

static int start_halt_watch(timer_t *timer)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID,
				.sigev_signo = KICK_SIGNAL };
	struct itimerspec every = { { 0, HALT_WATCH_NS }, { 0, HALT_WATCH_NS } };

	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, timer) < 0)
		return -1;
	return timer_settime(*timer, 0, &every, NULL);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

/* KVM_RUN with --stats: the time inside it is the guest's (and KVM's). */
static int timed_run(struct vcpu *c, uint64_t *end)
{
	uint64_t start = now_ns();
	int ret = ioctl(c->fd, KVM_RUN, 0);

	*end = now_ns();
	c->stats->guest_ns += *end - start;
	c->stats->runs++;
	return ret;
}

/* What --stats files an exit under: its kind and port or address. */
static enum exit_kind exit_kind_of(const struct kvm_run *r, uint64_t *addr)
{
	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		*addr = r->io.port;
		return r->io.direction == KVM_EXIT_IO_OUT ? EXIT_KIND_PIO_OUT
							  : EXIT_KIND_PIO_IN;
	case KVM_EXIT_MMIO:
		*addr = r->mmio.phys_addr;
		return r->mmio.is_write ? EXIT_KIND_MMIO_WRITE
					: EXIT_KIND_MMIO_READ;
	default:
		*addr = r->exit_reason;
		return EXIT_KIND_OTHER;
	}
}

static void count_exit(struct vcpu *c, uint64_t since)
{
	uint64_t addr;
	enum exit_kind kind = exit_kind_of(c->run, &addr);

	exit_stats_add(c->stats, kind, addr, now_ns() - since);
}

/* An interrupted KVM_RUN: the halt watch's look, and with --stats its cost. */
static void interrupted(struct vcpu *c, uint64_t since)
{
	look_for_halt(c);
	if (c->stats)
		exit_stats_add(c->stats, EXIT_KIND_SIGNAL, 0, now_ns() - since);
}

/* One vCPU's loop, in its own thread; a stop from any of them stops all. */
static void vcpu_loop(struct vcpu *c)
{
	struct vm *vm = c->vm;
	timer_t watch;
	bool watching = start_halt_watch(&watch) == 0;
	uint64_t end = 0;
	int ret;

	while (vm_stop_reason(&vm->stop) == STOP_NONE) {
		if (vm->host_work)
			vm->host_work(vm->host_work_ctx);
		ret = c->stats ? timed_run(c, &end) : ioctl(c->fd, KVM_RUN, 0);
		if (ret < 0) {
			if (errno == EINTR)
				interrupted(c, end);
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vcpu_fail(c, STOP_INTERNAL_ERROR, "KVM_RUN failed: %s",
				  strerror(errno));
			break;
		}
		atomic_store(&c->halted, false);
		c->exits++;
		handle_exit(c);
		if (c->stats)
			count_exit(c, end);
	}
	if (watching)
		timer_delete(watch);
	vm_kick(vm);
}

struct ap_start {
	struct vcpu *c;
	int (*confine)(struct lg_error *err);
};

static void *ap_thread(void *arg)
{
	const struct ap_start *start = arg;
	struct vcpu *c = start->c;
	struct lg_error err;

	if (start->confine && start->confine(&err)) {
		vcpu_fail(c, STOP_HOST_ERROR, "%s", err.msg);
		vm_kick(c->vm);
		return NULL;
	}
	vcpu_loop(c);
	return NULL;
}

int vm_start_aps(struct vm *vm, int (*confine)(struct lg_error *err),
		 struct lg_error *err)
{
	static struct ap_start starts[VM_MAX_CPUS];
	unsigned int i;

	for (i = 1; i < vm->ncpus; i++) {
		struct vcpu *c = &vm->cpus[i];

		starts[i] = (struct ap_start){ c, confine };
		if (pthread_create(&c->thread, NULL, ap_thread, &starts[i]))
			return lg_fail(err, "cannot start the thread of vCPU %u",
				       i);
		atomic_store(&c->started, true);
	}
	return 0;
}

/*
 * A kick can land between an AP's look at the stop word and its
 * KVM_RUN, and an AP still waiting for SIPI may sleep in KVM_RUN without
 * looking at immediate_exit, so kick again until it is back.
 */
static void join_vcpu(struct vcpu *c)
{
	struct timespec t;

	for (;;) {
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += JOIN_RETRY_NS;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(c->thread, NULL, &t) != ETIMEDOUT)
			return;
		kick_vcpu(c);
	}
}

enum stop_reason vm_run(struct vm *vm)
{
	unsigned int i;

	vcpu_loop(&vm->cpus[0]);
	for (i = 1; i < vm->ncpus; i++)
		if (atomic_load(&vm->cpus[i].started))
			join_vcpu(&vm->cpus[i]);
	return vm_stop_reason(&vm->stop);
}

void vm_print_stats(const struct vm *vm, FILE *f, uint64_t setup_ns,
		    uint64_t wall_ns)
{
	static struct exit_stats all;
	unsigned int i;

	memset(&all, 0, sizeof(all));
	for (i = 0; i < vm->ncpus; i++)
		if (vm->cpus[i].stats)
			exit_stats_merge(&all, vm->cpus[i].stats);
	exit_stats_print(f, &all, &vm->pio, &vm->mmio, setup_ns, wall_ns);
}

void vm_destroy(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->ncpus; i++) {
		free(vm->cpus[i].stats);
		if (vm->cpus[i].run)
			munmap(vm->cpus[i].run, vm->run_size);
		if (vm->cpus[i].fd >= 0)
			close(vm->cpus[i].fd);
	}
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	memset(vm, 0, sizeof(*vm));
}
