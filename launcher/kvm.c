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
#include "x86/kvm_emulate.h"
#include "x86/layout.h"

#define KICK_SIGNAL SIGUSR1
#define CPUID_MAX_ENTRIES 256
#define HALT_WATCH_NS 200000000L	/* look for a dead halt 5 times a second */
#define X86_EFLAGS_IF 0x200

static int kvm_fail(struct lg_error *err, const char *what)
{
	return lg_fail(err, "%s: %s", what, strerror(errno));
}

static int map_ram(struct vm *vm, uint64_t bytes, struct lg_error *err)
{
	struct kvm_userspace_memory_region low = { 0 }, high = { 0 };

	vm->ram_size = bytes;
	vm->ram = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		return lg_fail(err, "cannot map %llu MiB of guest memory: %s",
			       (unsigned long long)(bytes >> 20),
			       strerror(errno));
	}
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

int vm_create(struct vm *vm, uint64_t ram_bytes, struct lg_error *err)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	int version;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = vm->vcpu_fd = -1;
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return lg_fail(err, "cannot open /dev/kvm: %s%s", strerror(errno),
			       errno == ENOENT ? " (is the kvm module loaded?)" :
			       errno == EACCES ? " (are you in the kvm group?)" : "");
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION)
		return lg_fail(err, "/dev/kvm speaks API version %d, not %d",
			       version, KVM_API_VERSION);
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return kvm_fail(err, "KVM_CREATE_VM");
	if (create_platform(vm, err) || map_ram(vm, ram_bytes, err))
		return -1;
	/* No SA_RESTART: a kick must make KVM_RUN return EINTR. */
	sigaction(KICK_SIGNAL, &sa, NULL);
	return 0;
}

static int set_cpuid(struct vm *vm, struct lg_error *err)
{
	size_t size = sizeof(struct kvm_cpuid2) +
		      CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c = calloc(1, size);
	int ret = 0;

	if (!c)
		return lg_fail(err, "out of memory for CPUID");
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0)
		ret = kvm_fail(err, "KVM_GET_SUPPORTED_CPUID");
	else {
		x86_filter_cpuid(c);
		if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, c) < 0)
			ret = kvm_fail(err, "KVM_SET_CPUID2");
	}
	free(c);
	return ret;
}

static int set_msrs(struct vm *vm, struct lg_error *err)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[X86_BOOT_MSRS_MAX];
	} m = { 0 };
	int n;

	m.hdr.nmsrs = x86_boot_msrs(m.e);
	n = ioctl(vm->vcpu_fd, KVM_SET_MSRS, &m);
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
static int set_lapic(struct vm *vm, struct lg_error *err)
{
	struct kvm_lapic_state lapic;
	uint32_t *lint0 = (uint32_t *)&lapic.regs[0x350];
	uint32_t *lint1 = (uint32_t *)&lapic.regs[0x360];

	if (ioctl(vm->vcpu_fd, KVM_GET_LAPIC, &lapic) < 0)
		return kvm_fail(err, "KVM_GET_LAPIC");
	*lint0 = (*lint0 & ~0x700U) | (7U << 8);
	*lint1 = (*lint1 & ~0x700U) | (4U << 8);
	if (ioctl(vm->vcpu_fd, KVM_SET_LAPIC, &lapic) < 0)
		return kvm_fail(err, "KVM_SET_LAPIC");
	return 0;
}

static int set_registers(struct vm *vm, const struct boot_setup *boot,
			 struct lg_error *err)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return kvm_fail(err, "KVM_GET_SREGS");
	x86_boot_sregs(&sregs, boot->mode);
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return kvm_fail(err, "KVM_SET_SREGS");
	x86_boot_regs(&regs, boot);
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return kvm_fail(err, "KVM_SET_REGS");
	if (ioctl(vm->vcpu_fd, KVM_SET_FPU, &fpu) < 0)
		return kvm_fail(err, "KVM_SET_FPU");
	return 0;
}

int vm_setup_vcpu(struct vm *vm, const struct boot_setup *boot,
		  struct lg_error *err)
{
	int size;

	if (x86_write_boot_tables(&vm->mem, boot->mode))
		return lg_fail(err, "no guest memory for the boot page tables");
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		return kvm_fail(err, "KVM_CREATE_VCPU");
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return kvm_fail(err, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = size;
	vm->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return kvm_fail(err, "mmap of the vCPU's kvm_run");
	}
	if (set_cpuid(vm, err) || set_msrs(vm, err) || set_lapic(vm, err) ||
	    set_registers(vm, boot, err))
		return -1;
	vm->vcpu_thread = pthread_self();
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
void vm_kick(struct vm *vm)
{
	if (vm->run)
		vm->run->immediate_exit = 1;
	pthread_kill(vm->vcpu_thread, KICK_SIGNAL);
}

/* String I/O (INS/OUTS) arrives as `count` back-to-back accesses. */
static void handle_pio(struct vm *vm)
{
	struct kvm_run *r = vm->run;
	uint8_t *data = (uint8_t *)r + r->io.data_offset;
	uint32_t i;

	for (i = 0; i < r->io.count; i++, data += r->io.size)
		bus_access(&vm->pio, r->io.port, data, r->io.size,
			   r->io.direction == KVM_EXIT_IO_OUT);
}

static void handle_mmio(struct vm *vm)
{
	struct kvm_run *r = vm->run;
	unsigned int len = r->mmio.len <= 8 ? r->mmio.len : 8;

	bus_access(&vm->mmio, r->mmio.phys_addr, r->mmio.data, len,
		   r->mmio.is_write);
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
static void describe_internal_error(struct vm *vm)
{
	struct kvm_run *r = vm->run;
	struct kvm_regs regs;
	int n;

	n = append(vm->detail, sizeof(vm->detail), 0,
		   "KVM internal error, suberror %u", r->internal.suberror);
	if (r->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
		n = append(vm->detail, sizeof(vm->detail), n, " (emulation failure)");
	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs) == 0)
		n = append(vm->detail, sizeof(vm->detail), n, " at RIP %#llx",
			   (unsigned long long)regs.rip);
#ifdef KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES
	if (r->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	    (r->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		unsigned int i, len = r->emulation_failure.insn_size;

		if (len > sizeof(r->emulation_failure.insn_bytes))
			len = sizeof(r->emulation_failure.insn_bytes);
		n = append(vm->detail, sizeof(vm->detail), n, ", instruction bytes:");
		for (i = 0; i < len; i++)
			n = append(vm->detail, sizeof(vm->detail), n, " %02x",
				   r->emulation_failure.insn_bytes[i]);
		if (vm->emulate_failed)
			append(vm->detail, sizeof(vm->detail), n,
			       "; lguest cannot emulate it either (%s)",
			       vm->emulate_failed);
		return;
	}
#endif
	for (unsigned int i = 0; i < r->internal.ndata && i < 16; i++)
		n = append(vm->detail, sizeof(vm->detail), n, " data[%u]=%#llx",
			   i, (unsigned long long)r->internal.data[i]);
}

static void handle_system_event(struct vm *vm)
{
	switch (vm->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(&vm->stop, STOP_POWER_OFF, 0);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(&vm->stop, STOP_RESET, 0);
		break;
	default:
		snprintf(vm->detail, sizeof(vm->detail),
			 "unexpected KVM system event %u",
			 vm->run->system_event.type);
		vm_request_stop(&vm->stop, STOP_INTERNAL_ERROR, 0);
	}
}

static void handle_exit(struct vm *vm)
{
	struct kvm_run *r = vm->run;

	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		handle_pio(vm);
		break;
	case KVM_EXIT_MMIO:
		handle_mmio(vm);
		break;
	case KVM_EXIT_HLT:
		vm_request_stop(&vm->stop, STOP_HALT, 0);
		break;
	case KVM_EXIT_SHUTDOWN:
		vm_request_stop(&vm->stop, STOP_TRIPLE_FAULT, 0);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(vm);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		if (vm_emulate_failure(vm))
			break;
		describe_internal_error(vm);
		vm_request_stop(&vm->stop, STOP_INTERNAL_ERROR, 0);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(vm->detail, sizeof(vm->detail),
			 "KVM could not enter the guest (hardware reason %#llx)",
			 (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
		vm_request_stop(&vm->stop, STOP_INTERNAL_ERROR, 0);
		break;
	case KVM_EXIT_INTR:
		break;
	default:
		snprintf(vm->detail, sizeof(vm->detail),
			 "unhandled KVM exit reason %u", r->exit_reason);
		vm_request_stop(&vm->stop, STOP_INTERNAL_ERROR, 0);
	}
}

/*
 * With the in-kernel irqchip, HLT never reaches us: KVM sleeps the vCPU
 * until an interrupt.  A guest that halts with interrupts off (Linux's
 * "halt", or a test kernel's cli; hlt) would hang the launcher forever,
 * so a timer interrupts KVM_RUN now and then and we look for that state.
 */
static bool halted_for_good(struct vm *vm)
{
	struct kvm_mp_state mp;
	struct kvm_regs regs;

	if (ioctl(vm->vcpu_fd, KVM_GET_MP_STATE, &mp) < 0 ||
	    mp.mp_state != KVM_MP_STATE_HALTED)
		return false;
	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs) < 0)
		return false;
	return !(regs.rflags & X86_EFLAGS_IF);
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

enum stop_reason vm_run(struct vm *vm)
{
	timer_t watch;
	bool watching = start_halt_watch(&watch) == 0;

	while (vm_stop_reason(&vm->stop) == STOP_NONE) {
		if (vm->host_work)
			vm->host_work(vm->host_work_ctx);
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR && halted_for_good(vm))
				vm_request_stop(&vm->stop, STOP_HALT, 0);
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(vm->detail, sizeof(vm->detail),
				 "KVM_RUN failed: %s", strerror(errno));
			vm_request_stop(&vm->stop, STOP_INTERNAL_ERROR, 0);
			break;
		}
		vm->exits++;
		handle_exit(vm);
	}
	if (watching)
		timer_delete(watch);
	return vm_stop_reason(&vm->stop);
}

void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	memset(vm, 0, sizeof(*vm));
}
