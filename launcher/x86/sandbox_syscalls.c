// SPDX-License-Identifier: GPL-2.0
/*
 * The sandbox's x86-64 tables: which system calls each launcher thread
 * may make, and the names of calls for the SIGSYS message.  The lists
 * come from reading what each thread runs and were checked with
 * `strace -f` on the test guests and on Linux boots (see README).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "../sandbox.h"

const uint32_t sandbox_audit_arch = AUDIT_ARCH_X86_64;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define ALLOW(name) { .nr = __NR_##name, .check = SC_ALLOW }
#define ARG_IN(name, i, list) \
	{ .nr = __NR_##name, .check = SC_ARG_IN, .arg = (i), \
	  .values = (list), .nvalues = COUNT(list) }
#define ARG_CLEAR(name, i, bits) \
	{ .nr = __NR_##name, .check = SC_ARG_CLEAR, .arg = (i), .value = (bits) }
#define RULESET(r) { (r), COUNT(r) }

/*
 * Every confined thread: eventfd reads and writes (doorbells, irqfds,
 * stop requests), messages on stderr, locks, memory for malloc (never
 * executable), pthread_kill (vm_kick) and raise() on our own threads
 * only, sleeping, and dying.
 */
static const struct sandbox_rule base_rules[] = {
	ALLOW(read),
	ALLOW(write),
	ALLOW(futex),
	ALLOW(clock_gettime),
	ALLOW(clock_nanosleep),
	ALLOW(nanosleep),
	ALLOW(getpid),
	ALLOW(gettid),
	{ .nr = __NR_tgkill, .check = SC_ARG_OWN_TGID, .arg = 0 },
	ALLOW(rt_sigprocmask),
	ALLOW(rt_sigreturn),
	ALLOW(restart_syscall),
	ALLOW(sched_yield),
	ARG_CLEAR(mmap, 2, PROT_EXEC),
	ARG_CLEAR(mprotect, 2, PROT_EXEC),
	ALLOW(munmap),
	ALLOW(madvise),
	ALLOW(brk),
	ALLOW(exit),
	ALLOW(exit_group),
};

/* The vCPU thread's ioctls: running the guest, emulating, the devices. */
static const uint32_t vcpu_ioctls[] = {
	KVM_RUN,
	KVM_GET_REGS,
	KVM_SET_REGS,
	KVM_GET_SREGS,
	KVM_SET_SREGS,
	KVM_GET_MP_STATE,
	KVM_IRQ_LINE,		/* the UART's interrupt */
	KVM_GET_CPUID2,		/* the emulator's feature checks */
	KVM_CHECK_EXTENSION,
	KVM_GET_XSAVE,
#ifdef KVM_GET_XSAVE2
	KVM_GET_XSAVE2,
#endif
	KVM_SET_XSAVE,
	KVM_GET_VCPU_EVENTS,	/* exceptions the emulator raises */
	KVM_SET_VCPU_EVENTS,
	KVM_IRQFD,		/* MSI-X vectors, queue doorbells */
	KVM_IOEVENTFD,
	KVM_SET_GSI_ROUTING,
	TUNSETOFFLOAD,		/* the offloads a net driver accepted */
	TCGETS,			/* putting the terminal back at exit */
	TCSETS,
};

static const struct sandbox_rule vcpu_rules[] = {
	ARG_IN(ioctl, 1, vcpu_ioctls),
	ALLOW(timer_create),	/* the halt watch */
	ALLOW(timer_settime),
	ALLOW(timer_delete),
	ALLOW(poll),
};

/* --nested-virt: is an emulation failure a nested guest's? */
static const uint32_t nested_ioctls[] = { KVM_GET_NESTED_STATE };

static const struct sandbox_rule nested_rules[] = {
	ARG_IN(ioctl, 1, nested_ioctls),
};

/*
 * stdin to the UART (its interrupt) or the virtio console's pipe: the
 * read and the write are in the base.
 */
static const uint32_t console_input_ioctls[] = { KVM_IRQ_LINE };

static const struct sandbox_rule console_input_rules[] = {
	ARG_IN(ioctl, 1, console_input_ioctls),
	ALLOW(close),		/* the virtio console's pipe, at end of input */
};

/* Every queue thread sleeps in poll() on its doorbell and stop eventfd. */
static const struct sandbox_rule queue_rules[] = {
	ALLOW(poll),
	ALLOW(ppoll),
};

static const struct sandbox_rule blk_rules[] = {
	ALLOW(preadv),
	ALLOW(pwritev),
	ALLOW(fdatasync),
};

static const struct sandbox_rule rng_rules[] = {
	ALLOW(getrandom),
};

static const struct sandbox_rule console_rules[] = {
	ALLOW(readv),
	ALLOW(writev),
};

/* A tap moves packets with readv/writev, a --sharenet socket with msgs. */
static const struct sandbox_rule net_rules[] = {
	ALLOW(readv),
	ALLOW(writev),
	ALLOW(recvmsg),
	ALLOW(sendmsg),
	ALLOW(accept4),
	ALLOW(epoll_ctl),
	ALLOW(close),
};

/*
 * virtio-fs's control thread: vhost-user requests out, with their
 * descriptors (the memfd, kick and call eventfds), and replies in over
 * the connected socket; close for descriptors a reply wrongly carried
 * and for the socket of a back-end given up.  No socket, connect or
 * open: the connection was made before the lock-down.  Answering the
 * queues of a back-end gone (kick eventfd read, irqfd written) takes
 * only the base's read and write.
 */
static const struct sandbox_rule fs_rules[] = {
	ALLOW(sendmsg),
	ALLOW(recvmsg),
	ALLOW(close),
};

/*
 * The --sharenet helper process (not a thread: it shares no memory with
 * the guest-facing ones) connects again or listens itself for a device
 * whose peer died: a unix socket and the rendezvous lock file; requests
 * in and sockets out (SCM_RIGHTS) over its socket pair.
 */
static const uint32_t unix_only[] = { AF_UNIX };

static const struct sandbox_rule share_helper_rules[] = {
	ALLOW(recvmsg),
	ALLOW(sendmsg),
	ALLOW(close),
	ARG_IN(socket, 0, unix_only),
	ALLOW(connect),
	ALLOW(bind),
	ALLOW(listen),
	ALLOW(openat),
	ALLOW(flock),
	ALLOW(newfstatat),
	ALLOW(unlink),
};

static const struct sandbox_ruleset base = RULESET(base_rules);
static const struct sandbox_ruleset vcpu = RULESET(vcpu_rules);
static const struct sandbox_ruleset nested = RULESET(nested_rules);
static const struct sandbox_ruleset console_input = RULESET(console_input_rules);
static const struct sandbox_ruleset queue = RULESET(queue_rules);
static const struct sandbox_ruleset blk = RULESET(blk_rules);
static const struct sandbox_ruleset rng = RULESET(rng_rules);
static const struct sandbox_ruleset console = RULESET(console_rules);
static const struct sandbox_ruleset net = RULESET(net_rules);
static const struct sandbox_ruleset fs = RULESET(fs_rules);
static const struct sandbox_ruleset share_helper = RULESET(share_helper_rules);

/*
 * Each role: how the SIGSYS message names it, and its rule sets before
 * the base.  The hot calls come first (the filter is a linear scan):
 * KVM_RUN for the vCPU, poll and the I/O call for the queues.
 */
static const struct {
	const char *name;
	const struct sandbox_ruleset *sets[2];
} roles[SANDBOX_ROLES] = {
	[SANDBOX_VCPU] = { "the vcpu thread", { &vcpu } },
	[SANDBOX_CONSOLE_INPUT] = { "the console input thread",
				    { &console_input } },
	[SANDBOX_VIRTIO_BLK] = { "a virtio-blk queue thread", { &queue, &blk } },
	[SANDBOX_VIRTIO_RNG] = { "a virtio-rng queue thread", { &queue, &rng } },
	[SANDBOX_VIRTIO_CONSOLE] = { "a virtio-console queue thread",
				     { &queue, &console } },
	[SANDBOX_VIRTIO_NET] = { "a virtio-net queue thread", { &queue, &net } },
	[SANDBOX_VIRTIO_FS] = { "the virtio-fs control thread", { &queue, &fs } },
	[SANDBOX_SHARE_HELPER] = { "the --sharenet helper process",
				   { &share_helper } },
};

/* --nested-virt adds the nested guest's calls to the vCPU's. */
void sandbox_role_rules(enum sandbox_role role,
			const struct sandbox_config *cfg,
			const struct sandbox_ruleset *sets[SANDBOX_MAX_SETS + 1])
{
	unsigned int n = 0, i;

	for (i = 0; role < SANDBOX_ROLES && i < COUNT(roles[0].sets); i++)
		if (roles[role].sets[i])
			sets[n++] = roles[role].sets[i];
	if (role == SANDBOX_VCPU && cfg->nested_virt)
		sets[n++] = &nested;
	sets[n++] = &base;
	sets[n] = NULL;
}

const char *sandbox_role_name(enum sandbox_role role)
{
	return role < SANDBOX_ROLES ? roles[role].name : "an unconfined thread";
}

#define NAME(n) [__NR_##n] = #n

/* The calls the roles use, and those an attacker would want. */
static const char *const syscall_names[] = {
	NAME(read), NAME(write), NAME(open), NAME(close), NAME(stat),
	NAME(fstat), NAME(lstat), NAME(poll), NAME(lseek), NAME(mmap),
	NAME(mprotect), NAME(munmap), NAME(brk), NAME(rt_sigaction),
	NAME(rt_sigprocmask), NAME(rt_sigreturn), NAME(ioctl), NAME(pread64),
	NAME(pwrite64), NAME(readv), NAME(writev), NAME(access), NAME(pipe),
	NAME(select), NAME(sched_yield), NAME(mremap), NAME(madvise),
	NAME(dup), NAME(dup2), NAME(nanosleep), NAME(getpid),
	NAME(sendfile), NAME(socket), NAME(connect), NAME(accept),
	NAME(sendto), NAME(recvfrom), NAME(sendmsg), NAME(recvmsg),
	NAME(shutdown), NAME(bind), NAME(listen), NAME(socketpair),
	NAME(clone), NAME(fork), NAME(vfork), NAME(execve), NAME(exit),
	NAME(wait4), NAME(kill), NAME(uname), NAME(fcntl), NAME(flock),
	NAME(fsync), NAME(fdatasync), NAME(truncate), NAME(ftruncate),
	NAME(getdents), NAME(getcwd), NAME(chdir), NAME(fchdir),
	NAME(rename), NAME(mkdir), NAME(rmdir), NAME(creat), NAME(link),
	NAME(unlink), NAME(symlink), NAME(readlink), NAME(chmod),
	NAME(fchmod), NAME(chown), NAME(fchown), NAME(umask),
	NAME(getrlimit), NAME(getrusage), NAME(ptrace), NAME(getuid),
	NAME(getgid), NAME(setuid), NAME(setgid), NAME(geteuid),
	NAME(getegid), NAME(setpgid), NAME(getppid), NAME(setsid),
	NAME(setgroups), NAME(setresuid), NAME(setresgid), NAME(capset),
	NAME(sigaltstack), NAME(mknod), NAME(personality), NAME(statfs),
	NAME(prctl), NAME(arch_prctl), NAME(setrlimit), NAME(chroot),
	NAME(mount), NAME(umount2), NAME(reboot), NAME(init_module),
	NAME(delete_module), NAME(gettid), NAME(tkill), NAME(futex),
	NAME(sched_setaffinity), NAME(sched_getaffinity),
	NAME(getdents64), NAME(set_tid_address), NAME(restart_syscall),
	NAME(timer_create), NAME(timer_settime), NAME(timer_gettime),
	NAME(timer_delete), NAME(clock_gettime), NAME(clock_nanosleep),
	NAME(exit_group), NAME(epoll_wait), NAME(epoll_ctl), NAME(tgkill),
	NAME(openat), NAME(mkdirat), NAME(newfstatat), NAME(unlinkat),
	NAME(renameat), NAME(linkat), NAME(symlinkat), NAME(fchmodat),
	NAME(faccessat), NAME(ppoll), NAME(unshare), NAME(set_robust_list),
	NAME(splice), NAME(tee), NAME(epoll_pwait), NAME(eventfd2),
	NAME(epoll_create1), NAME(dup3), NAME(pipe2), NAME(preadv),
	NAME(pwritev), NAME(perf_event_open), NAME(accept4),
	NAME(prlimit64), NAME(open_by_handle_at), NAME(setns),
	NAME(process_vm_readv), NAME(process_vm_writev), NAME(kcmp),
	NAME(finit_module), NAME(seccomp), NAME(getrandom),
	NAME(memfd_create), NAME(bpf), NAME(execveat), NAME(userfaultfd),
	NAME(preadv2), NAME(pwritev2), NAME(pkey_mprotect), NAME(statx),
	NAME(io_uring_setup), NAME(io_uring_enter), NAME(pidfd_open),
	NAME(clone3), NAME(close_range), NAME(openat2), NAME(pidfd_getfd),
	NAME(rseq), NAME(keyctl), NAME(add_key), NAME(request_key),
};

const char *sandbox_syscall_name(int nr)
{
	if (nr < 0 || (unsigned int)nr >= COUNT(syscall_names))
		return NULL;
	return syscall_names[nr];
}
