// SPDX-License-Identifier: GPL-2.0
/*
 * The lguest runners.  lguest-direct runs bin/lguest here; lguest-nested
 * runs it inside a kept nested host (nested_host.c: QEMU TCG emulating an
 * SVM CPU, whose kernel's kvm-amd gives a KVM fast enough for Linux, on
 * this machine's own root), one host per job slot, test after test.  "lguest"
 * chooses between them by timing a tiny guest's loop on this machine's
 * /dev/kvm: a software KVM (design.md) runs it a thousand times slower than
 * hardware and cannot boot Linux.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "device_table.h"
#include "runner.h"
#include "share.h"
#include "tools.h"

/* The nested host's view of this machine's root, writable: for disks. */
#define NESTED_RW_ROOT "/run/lguest-host-rw"

/* ---- the launcher's command ------------------------------------------- */

/*
 * The launcher's arguments after its name.  A kept nested host sees this
 * machine's root read-only, and writable under NESTED_RW_ROOT, where the
 * launcher finds the disks it may write.
 */
/*
 * In the nested host, a read-write share is served from the host's
 * writable view of this machine's root, so the guest's writes reach the
 * directory; a read-only one from the read-only root.  A back-end's
 * socket on this machine cannot be reached from there.
 */
static bool nested_share_arg(const struct device *d, char ***argv, size_t *argc,
			     char **err)
{
	struct share sh;
	char *abs;

	if (strcmp(d->kind, "share")) {
		*err = xasprintf("device %s %s is not available on the "
				 "lguest-nested runner (a socket on this "
				 "machine cannot be reached from the nested "
				 "host): use share HOSTDIR",
				 d->kind, d->value);
		return false;
	}
	if (!share_split(d, &sh)) {
		*err = xasprintf("share %s: not HOSTDIR:TAG[:ro]", d->value);
		return false;
	}
	abs = realpath(sh.path, NULL);
	if (!abs) {
		*err = xasprintf("share %s: %s", sh.path, strerror(errno));
		share_free(&sh);
		return false;
	}
	push_arg(argv, argc,
		 xasprintf("--share=%s%s:%s%s", sh.ro ? "" : NESTED_RW_ROOT,
			   abs, sh.tag, sh.ro ? ":ro" : ""));
	free(abs);
	share_free(&sh);
	return true;
}

static bool launcher_args(const struct config *cfg, bool nested, char ***argv,
			  size_t *argc, char **err)
{
	size_t i;

	/* A reboot is an end: the test sees it as launcher status 2. */
	push_arg(argv, argc, xstrdup("--no-reboot"));
	if (cfg->initrd)
		push_arg(argv, argc, xasprintf("--initrd=%s", cfg->initrd));
	for (i = 0; i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];
		const struct lg_device_option *opt;
		const struct lg_device *dev =
			lg_device_by_option(d->kind, &opt);
		char *abs;

		/* share and fs: --share=HOSTDIR:TAG[:ro], --fs=SOCKET:TAG */
		if (share_is_fs_device(d)) {
			if (nested && !nested_share_arg(d, argv, argc, err))
				return false;
			if (!nested)
				push_arg(argv, argc,
					 xasprintf("--%s=%s", d->kind,
						   d->value));
			continue;
		}
		if (!dev) { /* script.c lets none through */
			*err = xasprintf("unknown device %s", d->kind);
			return false;
		}
		if (nested && dev->network) {
			*err = xasprintf("device %s is not available on the "
					 "lguest-nested runner (the nested "
					 "host has no network)",
					 d->kind);
			return false;
		}
		if (nested && opt->arg == LG_ARG_DISK && !opt->read_only) {
			abs = realpath(d->value, NULL);
			if (!abs) {
				*err = xasprintf("disk %s: %s", d->value,
						 strerror(errno));
				return false;
			}
			push_arg(
				argv, argc,
				xasprintf("--block=%s%s", NESTED_RW_ROOT, abs));
			free(abs);
		} else if (d->value) {
			push_arg(argv, argc,
				 xasprintf("--%s=%s", d->kind, d->value));
		} else {
			push_arg(argv, argc, xasprintf("--%s", d->kind));
		}
	}
	push_arg(argv, argc, xasprintf("--cpus=%u", config_cpus(cfg)));
	push_arg(argv, argc,
		 xasprintf("%u", cfg->mem_mb ? cfg->mem_mb : DEFAULT_MEM_MB));
	push_arg(argv, argc, xstrdup(cfg->kernel));
	/* The launcher joins its kernel arguments with spaces, so one will do.
	 */
	push_arg(argv, argc, kernel_cmdline(cfg));
	return true;
}

static bool direct_command(const struct runner *r, const struct config *cfg,
			   bool status, char ***argv, size_t *argc, char **err)
{
	if (!check_boot_files(cfg, err) ||
	    !share_launcher_check(r->program, cfg, err))
		return false;
	push_arg(argv, argc, xstrdup(r->program));
	if (status)
		push_arg(argv, argc,
			 xasprintf("--status-fd=%d", RUNNER_STATUS_FD));
	return launcher_args(cfg, false, argv, argc, err);
}

const struct runner_ops lguest_direct_ops = {
	.name = "lguest-direct",
	.command = direct_command,
	.who = "launcher",
};

/* ---- nested ---------------------------------------------------------- */

/*
 * The nested host's CPUs: as many as this machine has, up to the
 * guest's (more would only be TCG threads fighting for the same cores).
 */
static unsigned int nested_host_cpus(const struct config *cfg)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int want = config_cpus(cfg);

	return online > 0 && (unsigned long)online < want ? (unsigned int)online
							  : want;
}

/* lgtest nested-client runs the launcher in a kept host of the pool. */
static bool nested_command(const struct runner *r, const struct config *cfg,
			   bool status, char ***argv, size_t *argc, char **err)
{
	if (!check_boot_files(cfg, err) ||
	    !share_launcher_check(r->program, cfg, err))
		return false;
	push_arg(argv, argc, xstrdup(r->agent));
	push_arg(argv, argc, xstrdup("nested-client"));
	push_arg(argv, argc, xstrdup("--pool"));
	push_arg(argv, argc, xstrdup(r->pool));
	push_arg(argv, argc, xstrdup("--helper"));
	push_arg(argv, argc, xstrdup(r->helper));
	push_arg(argv, argc, xstrdup("--agent"));
	push_arg(argv, argc, xstrdup(r->agent));
	push_arg(argv, argc, xstrdup("--smp"));
	push_arg(argv, argc, xasprintf("%u", nested_host_cpus(cfg)));
	if (status) {
		push_arg(argv, argc, xstrdup("--status-fd"));
		push_arg(argv, argc, xasprintf("%d", RUNNER_STATUS_FD));
	}
	push_arg(argv, argc, xstrdup("--"));
	push_arg(argv, argc, xstrdup(r->program));
	return launcher_args(cfg, true, argv, argc, err);
}

/* nested-client exits 125, with "nested: error: WHY" on stderr and no
 * status line, when the host failed; else it relays the launcher's. */
static void nested_stopped(const struct runner_end *end,
			   const char *stderr_text, struct guest_stop *stop)
{
	static const char tag[] = "nested: error: ";
	const char *why = stderr_text ? strstr(stderr_text, tag) : NULL;

	if (end->reported || !WIFEXITED(end->wstatus) ||
	    WEXITSTATUS(end->wstatus) != 125 || !why) {
		describe_stop(end, stderr_text, "launcher", stop);
		return;
	}
	why += sizeof(tag) - 1;
	stop->status = -1;
	stop->infra = true;
	snprintf(stop->what, sizeof(stop->what), "the nested host failed: %.*s",
		 (int)strcspn(why, "\n"), why);
}

const struct runner_ops lguest_nested_ops = {
	.name = "lguest-nested",
	.command = nested_command,
	.stopped = nested_stopped,
	.launch_marker = "LGUEST-NESTED-START",
};

/* ---- calibration ------------------------------------------------------ */

#define PROBE_LOAD 0x200000ULL
#define PROBE_EXIT 0x5a
#define PROBE_MEM "32"

/*
 * What a /dev/kvm must do to be used directly: count down `iterations`
 * guest loops within `deadline` seconds.  Linux needs a fast KVM (under
 * 20 M loops/s it cannot boot in reasonable time); the test guests are
 * tiny and run on any working KVM, a software one included.
 */
struct kvm_probe {
	unsigned int iterations;
	double deadline;
};

static const struct kvm_probe linux_probe = {20000000u, 1.0};
static const struct kvm_probe guests_probe = {20000u, 5.0};

/* A 64-bit ELF kernel that counts down from `n` and exits. */
static bool write_probe(int fd, unsigned int n)
{
	const unsigned char code[] = {
		0xb9, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >> 24,
		/* mov ecx, N */
		0xff, 0xc9, /* 1: dec ecx */
		0x75, 0xfc, /* jnz 1b */
		0xb0, PROBE_EXIT, /* mov al, PROBE_EXIT */
		0xe6, 0xf4, /* out 0xf4, al */
		0xf4, /* 2: hlt */
		0xeb, 0xfd, /* jmp 2b */
	};
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;
		unsigned char code[sizeof(code)];
	} __attribute__((packed)) img = {
		.eh = {.e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3,
				   ELFCLASS64, ELFDATA2LSB, EV_CURRENT},
		       .e_type = ET_EXEC,
		       .e_machine = EM_X86_64,
		       .e_version = EV_CURRENT,
		       .e_entry = PROBE_LOAD + offsetof(typeof(img), code),
		       .e_phoff = sizeof(Elf64_Ehdr),
		       .e_ehsize = sizeof(Elf64_Ehdr),
		       .e_phentsize = sizeof(Elf64_Phdr),
		       .e_phnum = 1},
		.ph = {.p_type = PT_LOAD,
		       .p_flags = PF_R | PF_X,
		       .p_vaddr = PROBE_LOAD,
		       .p_paddr = PROBE_LOAD,
		       .p_filesz = sizeof(img),
		       .p_memsz = sizeof(img),
		       .p_align = 0x1000},
	};

	memcpy(img.code, code, sizeof(code));
	return write(fd, &img, sizeof(img)) == (ssize_t)sizeof(img);
}

/* Run the probe under the launcher; the seconds it took, or -1 if it did
 * not exit with PROBE_EXIT within the deadline. */
static double run_probe(const char *launcher, const char *probe,
			double deadline, int *status)
{
	double start = now(), t;
	pid_t pid;
	int ws = 0, null;

	*status = -1;
	pid = fork();
	if (pid == 0) {
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl(launcher, launcher, "--no-reboot", PROBE_MEM, probe,
		      (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	for (;;) {
		t = now() - start;
		if (waitpid(pid, &ws, WNOHANG) == pid)
			break;
		if (t > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &ws, 0);
			return -1;
		}
		nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
	}
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	return *status == PROBE_EXIT ? t : -1;
}

/* Does this machine's /dev/kvm run the probe `p` in time? */
static bool kvm_is_fast(const char *launcher, const struct kvm_probe *p,
			char **why)
{
	const char *tmpdir = getenv("TMPDIR");
	char *probe;
	double secs;
	int fd, status;

	if (access("/dev/kvm", R_OK | W_OK)) {
		*why = xasprintf("calibration: /dev/kvm: %s", strerror(errno));
		return false;
	}
	if (!launcher) {
		*why = xstrdup("calibration: bin/lguest is not built");
		return false;
	}
	probe = xasprintf("%s/lgtest-probe.XXXXXX",
			  tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(probe);
	if (fd < 0 || !write_probe(fd, p->iterations)) {
		*why = xasprintf("cannot write a probe guest: %s",
				 strerror(errno));
		secs = -1;
		status = 0;
	} else {
		secs = run_probe(launcher, probe, p->deadline, &status);
		if (secs >= 0)
			*why = xasprintf(
				"calibration: a %u-iteration guest loop took "
				"%.3f s on /dev/kvm",
				p->iterations, secs);
		else if (status < 0)
			*why = xasprintf("calibration: a %u-iteration guest "
					 "loop did not "
					 "finish within %.1f s on /dev/kvm "
					 "(a software KVM?)",
					 p->iterations, p->deadline);
		else
			*why = xasprintf("calibration: the launcher exited %d "
					 "on a probe "
					 "guest",
					 status);
	}
	if (fd >= 0) {
		close(fd);
		unlink(probe);
	}
	free(probe);
	return secs >= 0;
}

/* The launcher the user named, else the one beside lgtest, else PATH's. */
static char *find_launcher(const char *given, const char *name)
{
	const char *env = getenv("LGUEST");
	char *p;

	if (given)
		return xstrdup(given);
	if (env && *env && !strcmp(name, "lguest"))
		return xstrdup(env);
	p = sibling_program(name);
	return p ? p : xstrdup(name);
}

static bool setup_nested(struct runner *r, const struct runner_settings *s,
			 char **err)
{
	const char *tmpdir = getenv("TMPDIR");

	r->ops = &lguest_nested_ops;
	/* The host sees this machine's root: any launcher built here runs. */
	r->program = find_launcher(
		s->lguest_static ? s->lguest_static : s->lguest, "lguest");
	r->helper = tool_path("tests/boot/nested.sh");
	r->agent = realpath("/proc/self/exe", NULL);
	if (!have_program(r->program)) {
		*err = xasprintf("the nested runner needs the launcher: %s is "
				 "missing (make)",
				 r->program);
		return false;
	}
	if (access(r->helper, X_OK)) {
		*err = xasprintf("the nested runner needs %s: %s (set "
				 "LGTEST_ROOT to the source tree)",
				 r->helper, strerror(errno));
		return false;
	}
	if (!have_program("qemu-system-x86_64")) {
		*err = xstrdup("the nested runner needs qemu-system-x86_64 "
			       "(apt-get install qemu-system-x86)");
		return false;
	}
	r->pool = xasprintf("%s/lgtest-hosts.XXXXXX",
			    tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!r->agent || !mkdtemp(r->pool)) {
		*err = xasprintf("cannot make a directory for the nested "
				 "hosts: %s",
				 strerror(errno));
		free(r->pool);
		r->pool = NULL;
		return false;
	}
	return true;
}

/*
 * The one decision every test makes, direct or nested (lgtest's "lguest"
 * runner, `lgtest kvm-probe` for the scripts and make test):
 * LGUEST_RUNNER=direct|nested when set, else the probe.  False with err
 * for an LGUEST_RUNNER that is neither.
 */
static bool choose_lguest_direct(const char *launcher,
				 const struct kvm_probe *p, bool *direct,
				 char **why, char **err)
{
	const char *env = getenv("LGUEST_RUNNER");

	if (env && *env) {
		if (strcmp(env, "direct") && strcmp(env, "nested")) {
			*err = xasprintf("LGUEST_RUNNER must be direct or "
					 "nested, not '%s'",
					 env);
			return false;
		}
		*direct = !strcmp(env, "direct");
		*why = xstrdup("LGUEST_RUNNER");
		return true;
	}
	*direct = kvm_is_fast(have_program(launcher) ? launcher : NULL, p, why);
	return true;
}

bool lguest_setup(struct runner *r, const struct runner_settings *s, char **err)
{
	char *launcher, *why = NULL;
	bool direct;

	if (strcmp(s->name, "lguest")) {
		r->choice = xstrdup(s->name);
		if (r->ops == &lguest_nested_ops)
			return setup_nested(r, s, err);
		r->program = find_launcher(s->lguest, "lguest");
		return true;
	}
	launcher = find_launcher(s->lguest, "lguest");
	if (!choose_lguest_direct(launcher, &linux_probe, &direct, &why, err)) {
		free(launcher);
		return false;
	}
	if (direct) {
		r->ops = &lguest_direct_ops;
		r->program = launcher;
		r->choice = xasprintf("lguest-direct (%s)", why);
		free(why);
		return true;
	}
	free(launcher);
	r->choice = xasprintf("lguest-nested (%s)", why);
	free(why);
	return setup_nested(r, s, err);
}

/*
 * `lgtest kvm-probe [--guests] [--lguest FILE]`: the decision, for shell
 * scripts: for Linux boots, or with `guests` for the tiny test guests.
 */
int lguest_probe_command(const char *lguest, bool guests)
{
	char *launcher = find_launcher(lguest, "lguest"), *why = NULL,
	     *err = NULL;
	bool direct;

	if (!choose_lguest_direct(launcher,
				  guests ? &guests_probe : &linux_probe,
				  &direct, &why, &err)) {
		fprintf(stderr, "lgtest: %s\n", err);
		free(err);
		free(launcher);
		return 2;
	}
	printf("%s\n", direct ? "direct" : "nested");
	fprintf(stderr, "lgtest: KVM runner%s: %s (%s)\n",
		guests ? " for the test guests" : "",
		direct ? "direct" : "nested", why);
	free(why);
	free(launcher);
	return 0;
}
