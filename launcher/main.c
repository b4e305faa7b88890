// SPDX-License-Identifier: GPL-2.0
/*
 * lguest: the Launcher, on KVM.
 *
 * Like the original, it is a small program that maps guest memory, loads
 * the kernel into it, builds what the kernel needs to start, and then
 * runs the guest, answering its device accesses, until the guest stops.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devices/acpi_pm.h"
#include "devices/rtc.h"
#include "devices/virtio_blk.h"
#include "devices/net_backends.h"
#include "devices/virtio_console.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "devices/vhost_user_fs.h"
#include "devices/virtio_fs.h"
#include "devices/virtiofsd.h"
#include "devices/serial.h"
#include "devices/testdev.h"
#include "device_table.h"
#include "exit_status.h"
#include "host_mem.h"
#include "kvm.h"
#include "kvm_platform.h"
#include "pci.h"
#include "loader.h"
#include "privileges.h"
#include "sandbox.h"
#include "supervisor.h"
#include "term.h"
#include "x86/acpi.h"
#include "x86/layout.h"
#include "x86/ports.h"

#define MAX_MEM_MB (1024 * 1024)	/* 1 TiB */
#define MAX_BLOCK_DEVICES 8
#define MAX_NET_DEVICES 4
#define MAX_FS_DEVICES 4

/* Test-only (--sandbox-selftest): a thread the guest can make misbehave. */
enum selftest { SELFTEST_NONE, SELFTEST_VCPU, SELFTEST_RNG };

struct options {
	bool verbose;
	bool sandbox;
	enum selftest selftest;
	const char *username;
	const char *chroot_dir;
	bool no_reboot;
	bool strict;
	bool rng;
	bool virtio_console;
	bool testdev;
	bool nested_virt;
	bool stats;
	const char *net[MAX_NET_DEVICES];
	bool net_is_tap[MAX_NET_DEVICES];
	unsigned int nnet;
	const char *block[MAX_BLOCK_DEVICES];
	bool block_ro[MAX_BLOCK_DEVICES];
	unsigned int nblock;
	struct virtio_fs_args fs[MAX_FS_DEVICES];
	bool fs_is_share[MAX_FS_DEVICES];
	unsigned int nfs;
	const char *initrd;
	unsigned long mem_mb;
	unsigned int cpus;
	const char *kernel;
	char *cmdline;
	int status_fd; /* --status-fd, or -1 */
};

struct mapped_file {
	const uint8_t *data;
	size_t size;
};

static const char usage_text[] =
	"Usage: lguest [options] <mem-in-mb> <kernel> [kernel args...]\n"
	"\n"
	"Boot a Linux kernel (ELF vmlinux, 32- or 64-bit, or bzImage) on KVM\n"
	"with a 16550A serial console (COM1, use console=ttyS0) on "
	"stdin/stdout.\n"
	"\n"
	"Options:\n"
	"  -i, --initrd=FILE   load FILE as the initial ramdisk\n"
	"  -c, --cpus=N        N vCPUs (default 1, at most what KVM allows\n"
	"                      and 254); the guest starts the others itself\n"
	"                      (INIT and SIPI through its local APIC)\n"
	"      --no-reboot     exit when the guest resets or triple-faults,\n"
	"                      instead of rebooting it\n"
	"      --block=FILE    a virtio-blk disk backed by FILE (repeatable)\n"
	"      --block-ro=FILE the same, read-only\n"
	"      --rng           give the guest a virtio-rng fed by getrandom()\n"
	"      --tunnet=IP[:MAC]  virtio-net to a tap device whose host end "
	"has\n"
	"                      address IP (needs CAP_NET_ADMIN)\n"
	"      --tunnet=bridge:NAME[:MAC]  the same, the tap added to bridge "
	"NAME\n"
	"      --sharenet=PATH[:MAC]  virtio-net to another launcher started\n"
	"                      with the same PATH (a unix socket; no root)\n"
	"      --fs=SOCKET:TAG  a virtio-fs device the guest mounts by TAG,\n"
	"                      served by the vhost-user back-end listening on\n"
	"                      SOCKET (virtiofsd --socket-path=SOCKET)\n"
	"      --share=HOSTDIR:TAG[:ro]  the same, served by a virtiofsd the\n"
	"                      launcher starts on HOSTDIR for as long as it\n"
	"                      runs (" VIRTIOFSD_PATH "); ro: read-only\n"
	"                      (--fs and --share together at most 4 times)\n"
	"      --virtio-console  a virtio console (hvc0) on stdin/stdout; "
	"stdin\n"
	"                      then goes to it rather than to the UART\n"
	"      --strict        exit when the guest breaks a virtio queue,\n"
	"                      instead of marking only that device broken\n"
	"      --testdev       a page of scratch MMIO at 0xfedf0000 that "
	"reads\n"
	"                      back what was written (for test guests)\n"
	"      --nested-virt   leave VMX/SVM in CPUID, so the guest may run\n"
	"                      guests of its own (never emulated for)\n"
	"      --username=USER once set up, run as USER (and USER's groups)\n"
	"      --chroot=DIR    once set up, chroot to DIR\n"
	"      --sandbox=on|off  confine every thread to the system calls it\n"
	"                      needs with seccomp (default on)\n"
	"      --status-fd=N   on exit, write one line to open descriptor N\n"
	"                      saying who chose the exit status: 'guest V',\n"
	"                      'launcher REASON' or 'launcher signal N'\n"
	"      --stats         at exit, print on stderr every KVM exit by "
	"kind\n"
	"                      and port or MMIO address (count, time handling\n"
	"                      it) and the time inside KVM_RUN\n"
	"  -v, --verbose       describe what the launcher does, on stderr,\n"
	"                      with exit counts for each vCPU at the end\n"
	"  -h, --help          show this help and exit\n"
	"\n"
	"Signals:\n"
	"  SIGURG  send a BREAK to the guest's COM1; Linux's 8250 driver "
	"takes\n"
	"          the next byte typed (within 5 s) as a magic sysrq key\n"
	"  SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR2, SIGALRM  stop the guest\n"
	"\n"
	"Exit status:\n"
	"  V    the guest wrote byte V to I/O port 0xf4\n"
	"  0    the guest powered off\n"
	"  1    usage or set-up error (bad arguments, unreadable or malformed\n"
	"       kernel or initrd, no /dev/kvm)\n"
	"  2    the guest reset itself, with --no-reboot\n"
	"  3    the guest triple-faulted, with --no-reboot\n"
	"  4    KVM internal error or emulation failure (RIP and instruction\n"
	"       bytes are printed)\n"
	"  5    the guest halted with nothing left to wake it\n"
	"  6    the guest broke a virtio device's queue, with --strict\n"
	"  130  three ^C within one second on the console terminal\n"
	"  159  the sandbox stopped a forbidden system call (it is named)\n"
	"A guest may write any of these to port 0xf4 too: --status-fd tells\n"
	"the two apart.\n"
	"\n"
	"Without --no-reboot, a reset or triple fault restarts the guest in a\n"
	"fresh launcher process with the same arguments.\n";

static bool verbose;
/* --status-fd until the supervisor takes it over; -1 after. */
static int status_fd = -1;

/* A set-up error: the status line too, while it is still ours to write. */
static void __attribute__((noreturn)) exit_setup_error(void)
{
	if (status_fd >= 0)
		supervisor_report(status_fd, LG_BY_LAUNCHER, LG_EXIT_SETUP);
	exit(LG_EXIT_SETUP);
}

__attribute__((format(printf, 1, 2))) static void verbose_log(const char *fmt,
							       ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	fputs("lguest: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt,
								...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("lguest: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit_setup_error();
}

static void usage_error(const char *msg)
{
	fprintf(stderr, "lguest: %s\n%s", msg, usage_text);
	exit_setup_error();
}

static unsigned long parse_mem(const char *arg)
{
	char *end;
	unsigned long mb;

	errno = 0;
	mb = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-')
		die("memory size '%s' is not a number of megabytes", arg);
	if (mb < 2 || mb > MAX_MEM_MB)
		die("memory size %lu MiB is out of range (2..%d)", mb,
		    MAX_MEM_MB);
	return mb;
}

/* 1..VM_MAX_CPUS here; what this host's KVM allows, at vm_create(). */
static unsigned int parse_cpus(const char *arg)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || n < 1 ||
	    n > VM_MAX_CPUS)
		die("--cpus %s: say a number of vCPUs from 1 to %d", arg,
		    VM_MAX_CPUS);
	return n;
}

/*
 * The descriptor the harness reads the status line from: open, and not
 * one of the console's; closed on exec, so no helper holds it open.
 */
static int parse_status_fd(const char *arg)
{
	char *end;
	long fd;

	errno = 0;
	fd = strtol(arg, &end, 10);
	if (errno || end == arg || *end || fd <= STDERR_FILENO || fd > INT_MAX)
		die("--status-fd=%s: say a descriptor number above 2", arg);
	if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0)
		die("--status-fd=%s: descriptor %ld is not open: %s", arg, fd,
		    strerror(errno));
	status_fd = (int)fd;
	return status_fd;
}

/* The kernel arguments, joined with spaces as the seed did. */
static char *join_args(char **argv, int argc)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		die("out of memory");
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/*
 * Hidden, for tests/integration/test_sandbox.c: writes to the test device
 * (vcpu) or virtio-rng reads (virtio-rng) make a forbidden system call.
 */
static void parse_selftest(const char *arg, struct options *o)
{
	if (!strcmp(arg, "vcpu")) {
		o->selftest = SELFTEST_VCPU;
		o->testdev = true;
	} else if (!strcmp(arg, "virtio-rng")) {
		o->selftest = SELFTEST_RNG;
		o->rng = true;
	} else {
		die("--sandbox-selftest=%s: say vcpu or virtio-rng", arg);
	}
}

/* --fs=SOCKET:TAG or --share=HOSTDIR:TAG[:ro]. */
static void parse_fs(struct options *o, bool share, const char *arg)
{
	struct virtio_fs_args *a = &o->fs[o->nfs];
	struct lg_error err;

	if (o->nfs == MAX_FS_DEVICES)
		die("at most %d --fs and --share devices", MAX_FS_DEVICES);
	if (share ? virtio_fs_parse_share(arg, a, &err)
		  : virtio_fs_parse_fs(arg, a, &err))
		die("%s", err.msg);
	o->fs_is_share[o->nfs++] = share;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum {
		OPT_NO_REBOOT = 256,
		OPT_RNG,
		OPT_STRICT,
		OPT_BLOCK,
		OPT_BLOCK_RO,
		OPT_VIRTIO_CONSOLE,
		OPT_TUNNET,
		OPT_SHARENET,
		OPT_FS,
		OPT_SHARE,
		OPT_TESTDEV,
		OPT_USERNAME,
		OPT_CHROOT,
		OPT_SANDBOX,
		OPT_SANDBOX_SELFTEST,
		OPT_NESTED_VIRT,
		OPT_STATUS_FD,
		OPT_STATS
	};
	static const struct option longopts[] = {
		{"block", required_argument, NULL, OPT_BLOCK},
		{"block-ro", required_argument, NULL, OPT_BLOCK_RO},
		{"initrd", required_argument, NULL, 'i'},
		{"cpus", required_argument, NULL, 'c'},
		{"no-reboot", no_argument, NULL, OPT_NO_REBOOT},
		{"rng", no_argument, NULL, OPT_RNG},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"virtio-console", no_argument, NULL, OPT_VIRTIO_CONSOLE},
		{"tunnet", required_argument, NULL, OPT_TUNNET},
		{"sharenet", required_argument, NULL, OPT_SHARENET},
		{"fs", required_argument, NULL, OPT_FS},
		{"share", required_argument, NULL, OPT_SHARE},
		{"testdev", no_argument, NULL, OPT_TESTDEV},
		{"nested-virt", no_argument, NULL, OPT_NESTED_VIRT},
		{"status-fd", required_argument, NULL, OPT_STATUS_FD},
		{"stats", no_argument, NULL, OPT_STATS},
		{"username", required_argument, NULL, OPT_USERNAME},
		{"chroot", required_argument, NULL, OPT_CHROOT},
		{"sandbox", required_argument, NULL, OPT_SANDBOX},
		{"sandbox-selftest", required_argument, NULL,
		 OPT_SANDBOX_SELFTEST},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->sandbox = true;
	o->cpus = 1;
	o->status_fd = -1;
	/* '+': stop at the first non-option, so kernel args pass through. */
	while ((c = getopt_long(argc, argv, "+i:c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->initrd = optarg;
			break;
		case 'c':
			o->cpus = parse_cpus(optarg);
			break;
		case OPT_NO_REBOOT:
			o->no_reboot = true;
			break;
		case OPT_RNG:
			o->rng = true;
			break;
		case OPT_BLOCK:
		case OPT_BLOCK_RO:
			if (o->nblock == MAX_BLOCK_DEVICES)
				die("at most %d --block devices", MAX_BLOCK_DEVICES);
			o->block_ro[o->nblock] = c == OPT_BLOCK_RO;
			o->block[o->nblock++] = optarg;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_VIRTIO_CONSOLE:
			o->virtio_console = true;
			break;
		case OPT_TESTDEV:
			o->testdev = true;
			break;
		case OPT_NESTED_VIRT:
			o->nested_virt = true;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_USERNAME:
			o->username = optarg;
			break;
		case OPT_CHROOT:
			o->chroot_dir = optarg;
			break;
		case OPT_SANDBOX:
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				die("--sandbox=%s: say on or off", optarg);
			o->sandbox = !strcmp(optarg, "on");
			break;
		case OPT_SANDBOX_SELFTEST:
			parse_selftest(optarg, o);
			break;
		case OPT_STATUS_FD:
			o->status_fd = parse_status_fd(optarg);
			break;
		case OPT_TUNNET:
		case OPT_SHARENET:
			if (o->nnet == MAX_NET_DEVICES)
				die("at most %d network devices", MAX_NET_DEVICES);
			o->net_is_tap[o->nnet] = c == OPT_TUNNET;
			o->net[o->nnet++] = optarg;
			break;
		case OPT_FS:
		case OPT_SHARE:
			parse_fs(o, c == OPT_SHARE, optarg);
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs(usage_text, stderr);
			exit_setup_error();
		}
	}
	if (argc - optind < 2)
		usage_error("need a memory size and a kernel");
	o->mem_mb = parse_mem(argv[optind]);
	o->kernel = argv[optind + 1];
	o->cmdline = join_args(argv + optind + 2, argc - optind - 2);
}

/* Map a file read-only; it stays mapped until we exit. */
static struct mapped_file map_file(const char *what, const char *path)
{
	struct mapped_file f = { 0 };
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open %s '%s': %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0)
		die("cannot stat %s '%s': %s", what, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("%s '%s' is not a regular file", what, path);
	if (st.st_size == 0)
		die("%s '%s' is empty", what, path);
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("cannot map %s '%s': %s", what, path, strerror(errno));
	close(fd);
	f.data = p;
	f.size = st.st_size;
	return f;
}

static void load_guest(struct vm *vm, const struct options *o,
		       struct boot_setup *boot)
{
	struct mapped_file kernel = map_file("kernel", o->kernel);
	struct mapped_file initrd = { 0 };
	struct boot_config cfg = { .cmdline = o->cmdline };

	cfg.acpi_rsdp = acpi_write_tables(&vm->mem, vm->ncpus);
	struct lg_error err;

	if (o->initrd) {
		initrd = map_file("initrd", o->initrd);
		cfg.initrd = initrd.data;
		cfg.initrd_size = initrd.size;
	}
	if (load_kernel(&vm->mem, kernel.data, kernel.size, &cfg, boot, &err))
		die("%s: %s", o->kernel, err.msg);
	verbose_log("%s: %s, protocol %#x, %s entry at %#llx, occupies %#llx-%#llx\n",
		    o->kernel, boot->format, boot->protocol,
		    boot->mode == ENTRY_64BIT ? "64-bit" : "32-bit",
		    (unsigned long long)boot->entry,
		    (unsigned long long)boot->kernel_start,
		    (unsigned long long)boot->kernel_end);
	if (boot->initrd_size)
		verbose_log("initrd %s: %llu bytes at %#llx\n", o->initrd,
			    (unsigned long long)boot->initrd_size,
			    (unsigned long long)boot->initrd_start);
	verbose_log("command line: \"%s\"\n", o->cmdline);
}

/* Console output: a write error must not stop the guest (seed's rule). */
static void console_output(void *ctx, const uint8_t *buf, size_t len)
{
	int fd = *(int *)ctx;

	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

#define INPUT_WAIT_MS 100	/* how long a full UART may hold up the terminal */

/*
 * The input thread is the only reader of stdin, for either console: it
 * looks for ^C^C^C in its own buffer, then hands the bytes to the UART
 * or, with --virtio-console, to a pipe the device reads.  On a terminal
 * what the guest does not take in time is dropped and counted, so a
 * guest that stops reading cannot stop us reading the terminal.
 */
struct console_input {
	struct serial *serial;
	struct vm *vm;
	int to_virtio;		/* --virtio-console: the pipe; else -1 */
	bool is_terminal;
	bool sandbox;
	struct escape_watch escape;
	struct host_error dropped;
};

/* With the terminal raw, ^C goes to the guest; ^C^C^C stops the launcher. */
static bool console_input_ok(void *ctx, const uint8_t *buf, size_t len)
{
	struct console_input *in = ctx;

	if (!in->is_terminal || !escape_typed(&in->escape, buf, len))
		return true;
	vm_request_stop(&in->vm->stop, STOP_ESCAPE, 0);
	vm_kick(in->vm);
	return false;
}

/* Into the UART's FIFO; on a terminal, waiting at most INPUT_WAIT_MS. */
static size_t uart_take(struct console_input *in, const uint8_t *buf,
			size_t len)
{
	struct timespec deadline;
	size_t done = serial_receive(in->serial, buf, len);

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += INPUT_WAIT_MS * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	while (done < len &&
	       serial_wait_for_space(in->serial,
				     in->is_terminal ? &deadline : NULL))
		done += serial_receive(in->serial, buf + done, len - done);
	return done;
}

/* Into the virtio console's pipe (non-blocking on a terminal). */
static size_t virtio_take(struct console_input *in, const uint8_t *buf,
			  size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(in->to_virtio, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += n;
	}
	return done;
}

static void deliver_input(struct console_input *in, const uint8_t *buf,
			  size_t len)
{
	size_t done = in->to_virtio >= 0 ? virtio_take(in, buf, len) :
					   uart_take(in, buf, len);
	unsigned long n;

	if (done == len)
		return;
	n = host_error_count(&in->dropped);
	if (n == 1)
		fprintf(stderr, "\r\nlguest: %s\r\n", in->dropped.what);
	else if (n)
		fprintf(stderr, "\r\nlguest: %s (%lu times)\r\n",
			in->dropped.what, n);
}

/* The input thread: stdin to the console.  EOF just ends input. */
static void *console_input_thread(void *arg)
{
	struct console_input *in = arg;
	struct lg_error err;
	uint8_t buf[256];
	ssize_t n;

	if (in->sandbox && sandbox_enter(SANDBOX_CONSOLE_INPUT, &err))
		die("%s", err.msg);
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!console_input_ok(in, buf, n))
			break;
		deliver_input(in, buf, n);
	}
	if (in->to_virtio >= 0)
		close(in->to_virtio);	/* the device sees the end */
	return NULL;
}

static void start_console_input(struct console_input *in)
{
	pthread_t t;

	if (pthread_create(&t, NULL, console_input_thread, in))
		die("cannot start the console input thread");
	pthread_detach(t);
}

/*
 * SIGURG asks for a BREAK on COM1 (lguest(1)).  The handler only notes
 * it; the vCPU thread sends it before its next KVM_RUN (the signal ends
 * one that is running).  Every other thread starts with the signal
 * blocked, and SA_RESTART spares the system calls of any that does not.
 */
#define BREAK_SIGNAL SIGURG

/* Lock-free, so the handler may set it; one taker, whichever vCPU. */
static atomic_int break_requested;

static void note_break_request(int sig)
{
	(void)sig;
	atomic_store(&break_requested, 1);
}

static void send_requested_break(void *com1)
{
	if (atomic_exchange(&break_requested, 0))
		serial_break(com1);
}

static void break_signal_mask(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, BREAK_SIGNAL);
	pthread_sigmask(how, &set, NULL);
}

/* Before any thread starts; the vCPU thread unblocks it to run. */
static void listen_for_break(struct vm *vm, struct serial *com1)
{
	struct sigaction sa = { .sa_handler = note_break_request,
				.sa_flags = SA_RESTART };

	break_signal_mask(SIG_BLOCK);
	sigaction(BREAK_SIGNAL, &sa, NULL);
	vm->host_work = send_requested_break;
	vm->host_work_ctx = com1;
}

/*
 * Reboot, as the seed did, from scratch: the supervisor starts a fresh
 * launcher process once this one has gone.
 */
static int reboot(void)
{
	verbose_log("guest rebooting\n");
	supervisor_request_reboot();
	return 0;
}

static int exit_status(struct vm *vm, enum stop_reason why,
		       const struct options *o)
{
	switch (why) {
	case STOP_EXIT_PORT:
		verbose_log("guest wrote %d to the exit port\n", vm_stop_code(&vm->stop));
		supervisor_note_guest_status();
		return vm_stop_code(&vm->stop);
	case STOP_POWER_OFF:
		verbose_log("guest powered off\n");
		return LG_EXIT_POWER_OFF;
	case STOP_RESET:
	case STOP_TRIPLE_FAULT:
		if (!o->no_reboot) {
			if (why == STOP_TRIPLE_FAULT)
				verbose_log("%s\n", vm->detail);
			return reboot();
		}
		fprintf(stderr, "lguest: guest %s (--no-reboot)\n",
			why == STOP_RESET ? "requested a reset" :
					    "triple-faulted");
		if (why == STOP_TRIPLE_FAULT)
			fprintf(stderr, "lguest: %s\n", vm->detail);
		return why == STOP_RESET ? LG_EXIT_RESET : LG_EXIT_TRIPLE_FAULT;
	case STOP_HALT:
		fprintf(stderr, "lguest: guest halted\n");
		return LG_EXIT_HALTED;
	case STOP_ESCAPE:
		fprintf(stderr, "\nlguest: ^C^C^C: stopping the guest\n");
		return LG_EXIT_ESCAPE;
	case STOP_INTERNAL_ERROR:
		fprintf(stderr, "lguest: %s\n", vm->detail);
		return LG_EXIT_KVM_ERROR;
	case STOP_DEVICE_ERROR:
		fprintf(stderr, "lguest: stopping: a device needs reset (--strict)\n");
		return LG_EXIT_DEVICE_ERROR;
	default:
		fprintf(stderr, "lguest: %s\n", vm->detail);
		return LG_EXIT_SETUP;
	}
}

/*
 * 52:54:00 and three random bytes: unicast, and unlike the peer's.  A MAC
 * need not be secret, so we never wait for the host's entropy pool: on a
 * freshly booted host (a CI VM, the nested test host) a blocking
 * getrandom() held every launcher's start-up for a second or more.
 */
static void default_mac(uint8_t mac[6])
{
	struct timespec now;
	uint32_t mix;

	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	if (getrandom(mac + 3, 3, GRND_NONBLOCK) == 3)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	mix = (uint32_t)getpid() * 2654435761u ^ (uint32_t)now.tv_nsec;
	memcpy(mac + 3, &mix, 3);
}

/* The virtio devices, whose queue threads lock_down() starts. */
struct devices {
	struct virtio_device
		*v[MAX_BLOCK_DEVICES + MAX_NET_DEVICES + MAX_FS_DEVICES + 2];
	unsigned int n;
};

/*
 * What making a device takes: the options, the device model's host
 * side, and for some the console's input or guest RAM's memfd.
 */
struct device_setup {
	const struct options *o;
	const struct virtio_host *host;
	struct console_input *input;
	int memfd;
	struct devices *devs;
};

static void setup_net(const struct device_setup *ds)
{
	static struct tap_backend taps[MAX_NET_DEVICES];
	static struct share_backend shares[MAX_NET_DEVICES];
	static struct virtio_net nets[MAX_NET_DEVICES];
	const struct options *o = ds->o;
	struct devices *devs = ds->devs;
	struct net_backend *backend;
	struct lg_error err;
	unsigned int i;

	for (i = 0; i < o->nnet; i++) {
		uint8_t mac[6];

		default_mac(mac);
		if (o->net_is_tap[i] ? tap_open(&taps[i], o->net[i], mac, &err) :
				       share_open(&shares[i], o->net[i], mac, &err))
			die("%s", err.msg);
		backend = o->net_is_tap[i] ? &taps[i].b : &shares[i].b;
		if (virtio_net_init(&nets[i], backend, mac, ds->host, &err))
			die("%s", err.msg);
		devs->v[devs->n++] = &nets[i].vdev;
		verbose_log("virtio-net %u: %s %s, MAC %02x:%02x:%02x:%02x:%02x:%02x\n",
			    i, backend->name,
			    o->net_is_tap[i] ? taps[i].ifname : o->net[i], mac[0],
			    mac[1], mac[2], mac[3], mac[4], mac[5]);
	}
}

/*
 * virtio-fs devices, each on its back-end's socket: one the user runs
 * (--fs) or a virtiofsd of ours (--share), which goes when we do
 * (PR_SET_PDEATHSIG), however we end.  Guest RAM is memfd.
 */
static void setup_fs(const struct device_setup *ds)
{
	static struct vhost_user_fs fs[MAX_FS_DEVICES];
	static struct virtiofsd daemons[MAX_FS_DEVICES];
	static char names[MAX_FS_DEVICES][VIRTIO_FS_PATH_MAX + 16];
	const struct options *o = ds->o;
	struct devices *devs = ds->devs;
	struct lg_error err;
	struct vu_conn conn;
	unsigned int i;

	for (i = 0; i < o->nfs; i++) {
		const struct virtio_fs_args *a = &o->fs[i];

		snprintf(names[i], sizeof(names[i]), "%s%s",
			 o->fs_is_share[i] ? "virtiofsd on " : "", a->where);
		if (o->fs_is_share[i]) {
			if (virtiofsd_start(&daemons[i], VIRTIOFSD_PATH,
					    a->where, a->read_only, &conn,
					    &err))
				die("%s", err.msg);
		} else if (vu_connect(&conn, a->where, &err)) {
			die("--fs: %s", err.msg);
		}
		if (vhost_user_fs_init(&fs[i], &conn, names[i], a->tag,
				       ds->memfd, ds->host, &err)) {
			virtiofsd_stop(&daemons[i]);
			die("%s", err.msg);
		}
		devs->v[devs->n++] = &fs[i].vdev;
		verbose_log("virtio-fs %u: tag %s, %s %s%s\n", i, a->tag,
			    o->fs_is_share[i] ? "virtiofsd on" : "back-end",
			    a->where, a->read_only ? " (read-only)" : "");
	}
}

/* --sandbox-selftest: the guest's first rng read or testdev write. */
static ssize_t selftest_random(void *buf, size_t len)
{
	sandbox_selftest_violation();
	return getrandom(buf, len, 0);
}

static void selftest_testdev_io(void *dev, uint64_t offset, uint8_t *data,
				unsigned int len, bool is_write)
{
	if (is_write)
		sandbox_selftest_violation();
	testdev_io(dev, offset, data, len, is_write);
}

/* The pipe from the input thread to the virtio console; its read end. */
static int virtio_console_pipe(struct console_input *in)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) ||
	    (in->is_terminal && fcntl(p[1], F_SETFL, O_NONBLOCK)))
		die("cannot make the virtio console's input pipe: %s",
		    strerror(errno));
	in->to_virtio = p[1];
	return p[0];
}

static void setup_blk(const struct device_setup *ds)
{
	static struct virtio_blk blk[MAX_BLOCK_DEVICES];
	struct lg_error err;
	unsigned int i;

	for (i = 0; i < ds->o->nblock; i++) {
		if (virtio_blk_init(&blk[i], ds->o->block[i], ds->o->block_ro[i],
				    ds->host, &err))
			die("%s", err.msg);
		ds->devs->v[ds->devs->n++] = &blk[i].vdev;
	}
}

static void setup_rng(const struct device_setup *ds)
{
	static struct virtio_rng rng;
	struct lg_error err;

	if (!ds->o->rng)
		return;
	if (virtio_rng_init(&rng, ds->host,
			    ds->o->selftest == SELFTEST_RNG ? selftest_random :
							      NULL,
			    &err))
		die("%s", err.msg);
	ds->devs->v[ds->devs->n++] = &rng.vdev;
}

static void setup_console(const struct device_setup *ds)
{
	static struct virtio_console con;
	struct lg_error err;

	if (!ds->o->virtio_console)
		return;
	if (virtio_console_init(&con, virtio_console_pipe(ds->input),
				STDOUT_FILENO, NULL, NULL, ds->host, &err))
		die("%s", err.msg);
	ds->devs->v[ds->devs->n++] = &con.vdev;
}

/*
 * How bin/lguest makes each device of the table (device_table.h), by its
 * name.  A table entry without a maker here is a launcher bug, reported
 * at every start, not a device silently missing.
 */
static const struct {
	const char *name;
	void (*setup)(const struct device_setup *ds);
} device_makers[] = {
	{ "virtio-blk", setup_blk },
	{ "virtio-rng", setup_rng },
	{ "virtio-console", setup_console },
	{ "virtio-net", setup_net },
	{ "virtio-fs", setup_fs },
};

static void setup_device(const struct lg_device *d,
			 const struct device_setup *ds)
{
	size_t i;

	for (i = 0; i < sizeof(device_makers) / sizeof(device_makers[0]); i++)
		if (!strcmp(device_makers[i].name, d->name)) {
			device_makers[i].setup(ds);
			return;
		}
	die("internal error: no set-up for the device table's %s", d->name);
}

/*
 * PCI and the virtio devices, in the device table's order (so their PCI
 * slots).  The bus is always there (Linux finds the host bridge through
 * ACPI); devices only when asked for.
 */
static void setup_pci(struct vm *vm, const struct options *o,
		      struct pci_bus *bus, const struct platform *platform,
		      struct console_input *input, int memfd,
		      struct devices *devs)
{
	struct virtio_host host = {
		.mem = &vm->mem, .bus = bus, .platform = platform,
		.queue_ops = &virtio_queue_threads,
	};
	const struct device_setup ds = {
		.o = o, .host = &host, .input = input, .memfd = memfd,
		.devs = devs,
	};
	size_t i;

	pci_bus_init(bus, LAYOUT_PCI_MMIO, LAYOUT_IOAPIC - LAYOUT_PCI_MMIO);
	if (bus_register(&vm->pio, PCI_CONFIG_ADDR, PCI_CONFIG_PORTS,
			 pci_config_io, bus, "pci-config") ||
	    bus_register(&vm->mmio, bus->mmio_base, bus->mmio_size,
			 pci_mmio_io, bus, "pci-mmio"))
		die("cannot register the PCI bus");
	for (i = 0; i < lg_devices_len; i++)
		setup_device(&lg_devices[i], &ds);
}

/*
 * Files the user handed us as /dev/fd/N stay open until we have opened
 * them by name; every other inherited descriptor is closed at once.
 */
static unsigned int named_fds(const struct options *o, int *fds)
{
	unsigned int n = 0, i;

	fds[n] = inherited_fd_path(o->kernel);
	n += fds[n] >= 0;
	if (o->initrd) {
		fds[n] = inherited_fd_path(o->initrd);
		n += fds[n] >= 0;
	}
	for (i = 0; i < o->nblock; i++) {
		fds[n] = inherited_fd_path(o->block[i]);
		n += fds[n] >= 0;
	}
	return n;
}

static void platform_devices(struct vm *vm, const struct options *o,
			     const struct platform *platform,
			     struct serial *com1, int *out_fd)
{
	static struct rtc rtc;
	static struct acpi_pm pm;
	static struct testdev testdev;

	rtc_init(&rtc);
	acpi_pm_init(&pm, &vm->stop);
	serial_init(com1, SERIAL_COM1_IRQ,
		    (struct irq_sink){ platform->ops->irq_line, platform->ctx },
		    console_output,
		    out_fd);
	if (bus_register(&vm->pio, SERIAL_COM1_BASE, 8, serial_io, com1,
			 "com1") ||
	    bus_register(&vm->pio, ACPI_PM1A_EVT, ACPI_PM_LEN, acpi_pm_io, &pm,
			 "acpi-pm") ||
	    x86_ports_register(&vm->pio, &vm->stop, &rtc))
		die("cannot register the platform devices");
	/* Static, so zeroed, as testdev_register would leave it. */
	if (o->testdev &&
	    bus_register(&vm->mmio, LAYOUT_TESTDEV, TESTDEV_SIZE,
			 o->selftest == SELFTEST_VCPU ? selftest_testdev_io :
							testdev_io,
			 &testdev, "testdev"))
		die("cannot register the test device");
}

/*
 * The supervisor puts the terminal back however we end, so term.c's
 * fatal-signal handlers are not needed here; under the sandbox they
 * would only trip it (rt_sigaction) on the way down.
 */
static void leave_terminal_to_supervisor(void)
{
	static const int fatal[] = { SIGTERM, SIGHUP, SIGQUIT, SIGINT,
				     SIGSEGV, SIGBUS, SIGABRT };
	unsigned int i;

	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], SIG_DFL);
}

/* In the --sharenet helper process, just forked. */
static int confine_share_helper(struct lg_error *err)
{
	sandbox_init(&(struct sandbox_config){ 0 });
	return sandbox_enter(SANDBOX_SHARE_HELPER, err);
}

/* Each AP's thread takes the vCPU role, as the main thread does. */
static int confine_vcpu(struct lg_error *err)
{
	return sandbox_enter(SANDBOX_VCPU, err);
}

/*
 * Everything is open: drop what we no longer need before the guest runs.
 * /dev/kvm itself and the user's /dev/fd files go, then the chroot and
 * the user, then each thread's seccomp filter.
 */
static void lock_down(struct vm *vm, const struct options *o,
		      const struct privilege_drop *drop, const int *fds,
		      unsigned int nfds, struct console_input *input,
		      const struct devices *devs)
{
	struct sandbox_config cfg = { .nested_virt = o->nested_virt };
	struct lg_error err;
	unsigned int i;

	close(vm->kvm_fd);
	vm->kvm_fd = -1;
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	tzset();	/* the CMOS clock's gmtime_r: no /etc/localtime later */
	if (privilege_drop_apply(drop, &err))
		die("%s", err.msg);
	if ((drop->user || drop->chroot_dir) && supervisor_rearm_death_signal())
		die("the supervisor process has gone");
	if (share_helper_start(o->sandbox ? confine_share_helper : NULL, &err))
		die("%s", err.msg);
	if (o->sandbox)
		sandbox_init(&cfg);
	/* Every thread, before the guest runs: none may clone later. */
	for (i = 0; i < devs->n; i++)
		if (virtio_device_start_threads(devs->v[i], &err))
			die("%s", err.msg);
	input->sandbox = o->sandbox;
	if (vm_start_aps(vm, o->sandbox ? confine_vcpu : NULL, &err))
		die("%s", err.msg);
	start_console_input(input);
	if (o->sandbox && sandbox_enter(SANDBOX_VCPU, &err))
		die("%s", err.msg);
	verbose_log("locked down: root %s, user %s, sandbox %s\n",
		    drop->chroot_dir ? drop->chroot_dir : "unchanged",
		    drop->user ? drop->user : "unchanged",
		    o->sandbox ? "on" : "off");
}

/*
 * Totals first (the tests read them), then each vCPU's when there are
 * several.  Only after vm_run(): every vCPU thread has ended.
 */
static void log_exit_counts(const struct vm *vm)
{
	uint64_t exits = 0, emulated = 0, faults = 0;
	unsigned int i;

	for (i = 0; i < vm->ncpus; i++) {
		exits += vm->cpus[i].exits;
		emulated += vm->cpus[i].emulated;
		faults += vm->cpus[i].emulated_faults;
	}
	verbose_log("%llu exits from KVM_RUN\n", (unsigned long long)exits);
	verbose_log("%llu instructions emulated for KVM (%llu raised an exception)\n",
		    (unsigned long long)emulated, (unsigned long long)faults);
	for (i = 0; vm->ncpus > 1 && i < vm->ncpus; i++)
		verbose_log("vCPU %u: %llu exits from KVM_RUN, %llu instructions emulated (%llu raised an exception)\n",
			    i, (unsigned long long)vm->cpus[i].exits,
			    (unsigned long long)vm->cpus[i].emulated,
			    (unsigned long long)vm->cpus[i].emulated_faults);
}

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

/* --stats: when each set-up step ended, for the report's set-up line. */
#define SETUP_STEPS 8
static struct {
	const char *name[SETUP_STEPS];
	uint64_t end[SETUP_STEPS];
	unsigned int n;
} setup_steps;

static void setup_step(const char *name)
{
	if (setup_steps.n < SETUP_STEPS) {
		setup_steps.name[setup_steps.n] = name;
		setup_steps.end[setup_steps.n++] = monotonic_ns();
	}
}

static void print_setup_steps(uint64_t launched)
{
	unsigned int i;

	fprintf(stderr, "lguest stats: set-up steps (ms):");
	for (i = 0; i < setup_steps.n; i++)
		fprintf(stderr, " %s %.3f", setup_steps.name[i],
			(setup_steps.end[i] -
			 (i ? setup_steps.end[i - 1] : launched)) /
				1e6);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	static struct vm vm;
	static struct serial com1;
	static struct pci_bus pci;
	static struct kvm_platform platform;
	static struct privilege_drop drop;
	static struct devices devs;
	struct console_input input = { 0 };
	struct boot_setup boot;
	struct options o;
	struct lg_error err;
	int out_fd = STDOUT_FILENO;
	int fds[MAX_BLOCK_DEVICES + 3];
	unsigned int nfds;
	enum stop_reason why;
	uint64_t launched = monotonic_ns(), started;
	int status, memfd = -1;

	parse_options(argc, argv, &o);
	verbose = o.verbose;
	nfds = named_fds(&o, fds);
	fds[nfds] = o.status_fd; /* kept, but not one lock_down closes */
	close_inherited_fds(fds, nfds + (o.status_fd >= 0));
	if (privilege_drop_plan(&drop, o.username, o.chroot_dir, &err))
		die("%s", err.msg);
	supervisor_start(o.status_fd); /* from here, a fresh process per boot */
	status_fd = -1; /* the supervisor's now */
	setup_step("supervisor");

	/* A reader that goes away loses console output, not the guest. */
	signal(SIGPIPE, SIG_IGN);
	if (host_mem_check((uint64_t)o.mem_mb << 20, &err) ||
	    vm_create(&vm, (uint64_t)o.mem_mb << 20, o.cpus, &err))
		die("%s", err.msg);
	/* A vhost-user back-end maps guest RAM: before anything is in it. */
	if (o.nfs && (memfd = host_mem_share(vm.ram, vm.ram_size, &err)) < 0)
		die("%s", err.msg);
	setup_step("vm");
	load_guest(&vm, &o, &boot);
	setup_step("load");
	vm.nested_virt = o.nested_virt;
	vm.stats = o.stats;
	if (vm_setup_vcpus(&vm, &boot, &err))
		die("%s", err.msg);
	setup_step("vcpus");
	kvm_platform_init(&platform, &vm, o.strict,
			  o.sandbox ? sandbox_start_thread : NULL);
	platform_devices(&vm, &o, &platform.platform, &com1, &out_fd);
	listen_for_break(&vm, &com1);

	input = (struct console_input){ .serial = &com1, .vm = &vm,
					.to_virtio = -1 };
	host_error_init(&input.dropped,
			"console input dropped: the guest is not taking it");
	input.is_terminal = term_raw(STDIN_FILENO);
	leave_terminal_to_supervisor();
	setup_pci(&vm, &o, &pci, &platform.platform, &input, memfd, &devs);
	setup_step("devices");
	lock_down(&vm, &o, &drop, fds, nfds, &input, &devs);
	setup_step("lock-down");

	break_signal_mask(SIG_UNBLOCK);
	started = monotonic_ns();
	why = vm_run(&vm);
	serial_flush(&com1);
	log_exit_counts(&vm);
	if (o.stats) {
		vm_print_stats(&vm, stderr, started - launched,
			       monotonic_ns() - started);
		print_setup_steps(launched);
	}
	host_error_summary(stderr);	/* the devices' host I/O errors */
	status = exit_status(&vm, why, &o);
	term_restore();
	return status;
}
