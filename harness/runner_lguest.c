// SPDX-License-Identifier: GPL-2.0
/*
 * The lguest runners.  lguest-direct runs bin/lguest here; lguest-nested
 * runs bin/lguest-static inside the nested host of tests/boot/nested.sh
 * (QEMU TCG emulating an SVM CPU, whose kernel's kvm-amd gives a KVM fast
 * enough for Linux), with the launcher's console on the script's stdin
 * and stdout (--stdio).  "lguest" chooses between them by timing a tiny
 * guest's loop on this machine's /dev/kvm: a software KVM (design.md) runs
 * it a thousand times slower than hardware and cannot boot Linux.
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

#include "runner.h"
#include "tools.h"

/* Where the nested host keeps the test's files. */
#define NESTED_KERNEL "/lgtest/kernel"
#define NESTED_INITRD "/lgtest/initrd"
/* The nested host's own set-up may take this long beyond the test's. */
#define NESTED_SETUP_SECONDS 300

/* ---- the launcher's command ------------------------------------------- */

/*
 * The launcher's arguments after its name.  kernel and initrd are the
 * paths the launcher will see; in the nested host, the block devices are
 * the host's own disks, which nested.sh makes of the files.
 */
static bool launcher_args(const struct config *cfg, const char *kernel,
			  const char *initrd, bool nested, char ***argv,
			  size_t *argc, char **err)
{
	size_t i, disks = 0;

	/* A reboot is an end: the test sees it as launcher status 2. */
	push_arg(argv, argc, xstrdup("--no-reboot"));
	if (initrd)
		push_arg(argv, argc, xasprintf("--initrd=%s", initrd));
	for (i = 0; i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];
		bool disk = !strcmp(d->kind, "block") ||
			    !strcmp(d->kind, "block-ro");

		if (nested && (!strcmp(d->kind, "tunnet") ||
			       !strcmp(d->kind, "sharenet"))) {
			*err = xasprintf("device %s is not available on the "
					 "lguest-nested runner (the nested "
					 "host has no network)",
					 d->kind);
			return false;
		}
		if (nested && disk && disks == 26) {
			*err = xstrdup("too many disks for the nested host");
			return false;
		}
		/* The nested host's disks are /dev/vda, vdb, ... in order. */
		if (nested && disk)
			push_arg(argv, argc,
				 xasprintf("--%s=/dev/vd%c", d->kind,
					   (char)('a' + disks++)));
		else if (d->value)
			push_arg(argv, argc,
				 xasprintf("--%s=%s", d->kind, d->value));
		else
			push_arg(argv, argc, xasprintf("--%s", d->kind));
	}
	push_arg(argv, argc,
		 xasprintf("%u", cfg->mem_mb ? cfg->mem_mb : DEFAULT_MEM_MB));
	push_arg(argv, argc, xstrdup(kernel));
	/* The launcher joins its kernel arguments with spaces, so one will do.
	 */
	push_arg(argv, argc, kernel_cmdline(cfg));
	return true;
}

static bool direct_command(const struct runner *r, const struct config *cfg,
			   char ***argv, size_t *argc, char **err)
{
	if (!check_boot_files(cfg, err))
		return false;
	push_arg(argv, argc, xstrdup(r->program));
	return launcher_args(cfg, cfg->kernel, cfg->initrd, false, argv, argc,
			     err);
}

const struct runner_ops lguest_direct_ops = {
	.name = "lguest-direct",
	.command = direct_command,
	.who = "launcher",
};

/* ---- nested ---------------------------------------------------------- */

/* nested.sh --add HOST:GUEST splits at the first colon. */
static bool add_file(const char *host, const char *guest, char ***argv,
		     size_t *argc, char **err)
{
	if (strchr(host, ':')) {
		*err = xasprintf("%s: the nested runner cannot take a file "
				 "whose name holds ':'",
				 host);
		return false;
	}
	push_arg(argv, argc, xstrdup("--add"));
	push_arg(argv, argc, xasprintf("%s:%s", host, guest));
	return true;
}

static bool nested_command(const struct runner *r, const struct config *cfg,
			   char ***argv, size_t *argc, char **err)
{
	double limit = (cfg->timeout > 0 ? cfg->timeout : DEFAULT_TIMEOUT) +
		       NESTED_SETUP_SECONDS;
	size_t i;

	if (!check_boot_files(cfg, err))
		return false;
	push_arg(argv, argc, xstrdup(r->helper));
	push_arg(argv, argc, xstrdup("--stdio"));
	push_arg(argv, argc, xstrdup("--launcher"));
	push_arg(argv, argc, xstrdup(r->program));
	push_arg(argv, argc, xstrdup("--timeout"));
	push_arg(argv, argc, xasprintf("%.0f", ceil(limit)));
	if (!add_file(cfg->kernel, NESTED_KERNEL, argv, argc, err) ||
	    (cfg->initrd &&
	     !add_file(cfg->initrd, NESTED_INITRD, argv, argc, err)))
		return false;
	for (i = 0; i < cfg->ndevices; i++) {
		const struct device *d = &cfg->devices[i];

		if (strcmp(d->kind, "block") && strcmp(d->kind, "block-ro"))
			continue;
		push_arg(argv, argc, xstrdup("--disk"));
		push_arg(argv, argc, xstrdup(d->value));
	}
	push_arg(argv, argc, xstrdup("--"));
	return launcher_args(cfg, NESTED_KERNEL,
			     cfg->initrd ? NESTED_INITRD : NULL, true, argv,
			     argc, err);
}

/* nested.sh exits 125, with "nested: error: WHY" on stderr, when the host
 * failed; any other status is the launcher's. */
static void nested_stopped(int wstatus, const char *stderr_text,
			   struct guest_stop *stop)
{
	static const char tag[] = "nested: error: ";
	const char *why = stderr_text ? strstr(stderr_text, tag) : NULL;

	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 125 || !why) {
		describe_stop(wstatus, stderr_text, "launcher", stop);
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
#define PROBE_ITERATIONS 20000000u
#define PROBE_DEADLINE 1.0 /* seconds: under 20 M loops/s cannot boot Linux */
#define PROBE_EXIT 0x5a
#define PROBE_MEM "32"

/* A 64-bit ELF kernel that counts down from PROBE_ITERATIONS and exits. */
static bool write_probe(int fd)
{
	static const unsigned char code[] = {
		0xb9, PROBE_ITERATIONS & 0xff, (PROBE_ITERATIONS >> 8) & 0xff,
		(PROBE_ITERATIONS >> 16) & 0xff, PROBE_ITERATIONS >> 24,
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
static double run_probe(const char *launcher, const char *probe, int *status)
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
		if (t > PROBE_DEADLINE) {
			kill(pid, SIGKILL);
			waitpid(pid, &ws, 0);
			return -1;
		}
		nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
	}
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	return *status == PROBE_EXIT ? t : -1;
}

/* Can this machine's /dev/kvm boot Linux in reasonable time? */
static bool kvm_is_fast(const char *launcher, char **why)
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
	if (fd < 0 || !write_probe(fd)) {
		*why = xasprintf("cannot write a probe guest: %s",
				 strerror(errno));
		secs = -1;
		status = 0;
	} else {
		secs = run_probe(launcher, probe, &status);
		if (secs >= 0)
			*why = xasprintf(
				"calibration: a %u M-iteration guest loop took "
				"%.3f s on /dev/kvm",
				PROBE_ITERATIONS / 1000000, secs);
		else if (status < 0)
			*why = xasprintf("calibration: a %u M-iteration guest "
					 "loop did not "
					 "finish within %.1f s on /dev/kvm "
					 "(a software KVM?)",
					 PROBE_ITERATIONS / 1000000,
					 PROBE_DEADLINE);
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
	r->ops = &lguest_nested_ops;
	r->program = find_launcher(s->lguest_static, "lguest-static");
	r->helper = tool_path("tests/boot/nested.sh");
	if (!have_program(r->program)) {
		*err = xasprintf("the nested runner needs a statically linked "
				 "launcher: %s is missing (make static)",
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
	return true;
}

/*
 * The one decision every test makes, direct or nested (lgtest's "lguest"
 * runner, `lgtest kvm-probe` for the scripts and make test):
 * LGUEST_RUNNER=direct|nested when set, else the probe.  False with err
 * for an LGUEST_RUNNER that is neither.
 */
static bool choose_lguest_direct(const char *launcher, bool *direct, char **why,
				 char **err)
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
	*direct = kvm_is_fast(have_program(launcher) ? launcher : NULL, why);
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
	if (!choose_lguest_direct(launcher, &direct, &why, err)) {
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

/* `lgtest kvm-probe [--lguest FILE]`: the decision, for shell scripts. */
int lguest_probe_command(const char *lguest)
{
	char *launcher = find_launcher(lguest, "lguest"), *why = NULL,
	     *err = NULL;
	bool direct;

	if (!choose_lguest_direct(launcher, &direct, &why, &err)) {
		fprintf(stderr, "lgtest: %s\n", err);
		free(err);
		free(launcher);
		return 2;
	}
	printf("%s\n", direct ? "direct" : "nested");
	fprintf(stderr, "lgtest: KVM runner: %s (%s)\n",
		direct ? "direct" : "nested", why);
	free(why);
	free(launcher);
	return 0;
}
