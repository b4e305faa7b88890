// SPDX-License-Identifier: GPL-2.0
/*
 * The seccomp sandbox: per-thread filters in raw classic BPF.
 *
 * The original Launcher's authors meant to put the device threads under
 * seccomp; we do it for every thread.  Each thread installs its own
 * filter (no TSYNC), so the vCPU thread, which parses everything the
 * guest throws at it, gets only what KVM_RUN and the device model need,
 * and a block thread only what block I/O needs.  Filters stack with
 * those a thread inherits, and every thread shares the address space
 * (so in effect holds every role's calls): every thread is started
 * before any confines itself or the guest runs, so none needs clone,
 * prctl or seccomp afterwards (bench/sandbox_union lists the union).
 *
 * A forbidden call traps (SECCOMP_RET_TRAP): the SIGSYS handler names
 * it on stderr with write(2) alone and _exits the whole process.  The
 * terminal is put back by the supervisor process, which outlives us.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <semaphore.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "device_table.h"
#include "sandbox.h"

#define X32_SYSCALL_BIT 0x40000000U
#define MAX_PROGRAM 1024	/* BPF_MAXINSNS is 4096 */

static struct sandbox_config config;
static uint32_t own_tgid;	/* tgkill's only target: this process */
static __thread enum sandbox_role thread_role = SANDBOX_ROLES;

#define ARG_LOW(i) (offsetof(struct seccomp_data, args) + 8 * (i))

struct emitter {
	struct sock_filter *prog;
	size_t n, max;
};

static void emit(struct emitter *e, uint16_t code, uint8_t jt, uint8_t jf,
		 uint32_t k)
{
	if (e->n < e->max)
		e->prog[e->n] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
	e->n++;
}

/* Instructions a rule's body takes after its "is it this call" test. */
static unsigned int body_length(const struct sandbox_rule *r)
{
	switch (r->check) {
	case SC_ARG_IN:
		return r->nvalues + 2;
	case SC_ARG_CLEAR:
		return 3;
	case SC_ARG_OWN_TGID:
		return 3;
	default:
		return 1;
	}
}

/*
 * A body that does not allow the call falls through to the next rule,
 * so two rule sets naming one call (ioctl for KVM and for the tap) add
 * up rather than the first one deciding.
 */
static void emit_body(struct emitter *e, const struct sandbox_rule *r,
		      uint32_t tgid)
{
	unsigned int i;

	switch (r->check) {
	case SC_ALLOW:
		emit(e, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
		break;
	case SC_ARG_IN:
		emit(e, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LOW(r->arg));
		for (i = 0; i < r->nvalues; i++)
			emit(e, BPF_JMP | BPF_JEQ | BPF_K, r->nvalues - i - 1,
			     i + 1 == r->nvalues, r->values[i]);
		emit(e, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
		break;
	case SC_ARG_CLEAR:
		emit(e, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LOW(r->arg));
		emit(e, BPF_JMP | BPF_JSET | BPF_K, 1, 0, r->value);
		emit(e, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
		break;
	case SC_ARG_OWN_TGID:
		emit(e, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LOW(r->arg));
		emit(e, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, tgid);
		emit(e, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
		break;
	}
}

/*
 * Wrong architecture (an i386 int $0x80 from a 64-bit process) or an x32
 * call number: the tables below do not describe them, so kill outright.
 * Then each rule in order; whatever no rule allows traps.
 */
int sandbox_compile(const struct sandbox_ruleset *const *sets, uint32_t tgid,
		    struct sock_filter *prog, size_t max, struct lg_error *err)
{
	struct emitter e = { .prog = prog, .max = max };
	bool nr_loaded = true;
	unsigned int s, i;

	emit(&e, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	     offsetof(struct seccomp_data, arch));
	emit(&e, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, sandbox_audit_arch);
	emit(&e, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	emit(&e, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	     offsetof(struct seccomp_data, nr));
	emit(&e, BPF_JMP | BPF_JGE | BPF_K, 0, 1, X32_SYSCALL_BIT);
	emit(&e, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	for (s = 0; sets[s]; s++) {
		for (i = 0; i < sets[s]->count; i++) {
			const struct sandbox_rule *r = &sets[s]->rules[i];
			unsigned int len = body_length(r);

			if (len > 255)
				return lg_fail(err, "sandbox: rule for %s has %u values",
					       sandbox_syscall_name(r->nr),
					       r->nvalues);
			if (!nr_loaded)
				emit(&e, BPF_LD | BPF_W | BPF_ABS, 0, 0,
				     offsetof(struct seccomp_data, nr));
			emit(&e, BPF_JMP | BPF_JEQ | BPF_K, 0, len, r->nr);
			emit_body(&e, r, tgid);
			nr_loaded = len == 1;
		}
	}
	emit(&e, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_TRAP);
	if (e.n > max)
		return lg_fail(err, "sandbox: the filter needs %zu instructions, more than %zu",
			       e.n, max);
	return (int)e.n;
}

int sandbox_compile_role(enum sandbox_role role,
			 const struct sandbox_config *cfg, uint32_t tgid,
			 struct sock_filter *prog, size_t max,
			 struct lg_error *err)
{
	const struct sandbox_ruleset *sets[SANDBOX_MAX_SETS + 1];

	sandbox_role_rules(role, cfg, sets);
	return sandbox_compile(sets, tgid, prog, max, err);
}

uint32_t sandbox_run(const struct sock_filter *prog, int len,
		     const struct seccomp_data *d)
{
	uint32_t a = 0;
	int pc = 0;

	while (pc >= 0 && pc < len) {
		const struct sock_filter *f = &prog[pc];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k > sizeof(*d) - 4)
				return SANDBOX_BAD_PROGRAM;
			memcpy(&a, (const uint8_t *)d + f->k, 4);
			pc++;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (a == f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (a >= f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += 1 + ((a & f->k) ? f->jt : f->jf);
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			return SANDBOX_BAD_PROGRAM;
		}
	}
	return SANDBOX_BAD_PROGRAM;	/* ran off its end */
}

/* Async-signal-safe text building: the handler may not use stdio. */
static size_t put_str(char *buf, size_t at, size_t size, const char *s)
{
	while (*s && at + 1 < size)
		buf[at++] = *s++;
	return at;
}

static size_t put_uint(char *buf, size_t at, size_t size, unsigned int v)
{
	char digits[12];
	int n = 0;

	do
		digits[n++] = '0' + v % 10;
	while ((v /= 10) && n < (int)sizeof(digits));
	while (n && at + 1 < size)
		buf[at++] = digits[--n];
	return at;
}

static void sigsys_handler(int sig, siginfo_t *si, void *ucontext)
{
	const char *name = sandbox_syscall_name(si->si_syscall);
	char msg[160];
	size_t n = 0;

	(void)sig;
	(void)ucontext;
	n = put_str(msg, n, sizeof(msg),
		    "\nlguest: sandbox: forbidden system call ");
	n = put_str(msg, n, sizeof(msg), name ? name : "?");
	n = put_str(msg, n, sizeof(msg), " (");
	n = put_uint(msg, n, sizeof(msg), (unsigned int)si->si_syscall);
	n = put_str(msg, n, sizeof(msg), ") in ");
	n = put_str(msg, n, sizeof(msg), sandbox_role_name(thread_role));
	n = put_str(msg, n, sizeof(msg), "\n");
	if (write(STDERR_FILENO, msg, n) < 0)
		_exit(LG_EXIT_SANDBOX);
	_exit(LG_EXIT_SANDBOX);
}

void sandbox_init(const struct sandbox_config *cfg)
{
	struct sigaction sa = { .sa_sigaction = sigsys_handler,
				.sa_flags = SA_SIGINFO };

	config = *cfg;
	own_tgid = (uint32_t)getpid();
	sigfillset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);
}

/*
 * Signals that end the launcher are left to the vCPU thread, whose filter
 * allows what dying by them takes; a confined queue thread never sees
 * them.
 */
static void leave_stop_signals_to_vcpu(enum sandbox_role role)
{
	static const int stop_signals[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT,
					    SIGUSR2, SIGALRM };
	sigset_t set;
	unsigned int i;

	if (role == SANDBOX_VCPU)
		return;
	sigemptyset(&set);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(&set, stop_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int sandbox_enter(enum sandbox_role role, struct lg_error *err)
{
	static struct sock_filter progs[SANDBOX_ROLES][MAX_PROGRAM];
	static int lengths[SANDBOX_ROLES];
	static pthread_mutex_t compile_lock = PTHREAD_MUTEX_INITIALIZER;
	struct sock_fprog fprog;
	int n;

	/* Compiled once per role; threads of one role share the program. */
	pthread_mutex_lock(&compile_lock);
	if (!lengths[role])
		lengths[role] = sandbox_compile_role(role, &config, own_tgid,
						     progs[role], MAX_PROGRAM,
						     err);
	n = lengths[role];
	pthread_mutex_unlock(&compile_lock);
	if (n < 0)
		return -1;
	leave_stop_signals_to_vcpu(role);
	thread_role = role;
	fprog = (struct sock_fprog){ .len = n, .filter = progs[role] };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return lg_fail(err, "sandbox: PR_SET_NO_NEW_PRIVS: %s",
			       strerror(errno));
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog))
		return lg_fail(err, "sandbox: cannot install a seccomp filter for %s: %s (--sandbox=off runs without one)",
			       sandbox_role_name(role), strerror(errno));
	return 0;
}

int sandbox_device_role(const char *device, enum sandbox_role *role)
{
	const struct lg_device *d = lg_device_by_name(device);

	if (!d)
		return -1;
	*role = d->role;
	return 0;
}

struct confined_start {
	void *(*fn)(void *);
	void *arg;
	enum sandbox_role role;
	sem_t confined;		/* posted once the filter is in */
};

/* A new queue thread confines itself before it touches a queue. */
static void *confined_thread(void *p)
{
	struct confined_start *start = p;
	void *(*fn)(void *) = start->fn;
	void *arg = start->arg;
	struct lg_error err;

	if (sandbox_enter(start->role, &err)) {
		static const char msg[] = "lguest: sandbox: a queue thread could not confine itself\n";

		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
			_exit(LG_EXIT_SANDBOX);
		_exit(LG_EXIT_SANDBOX);
	}
	sem_post(&start->confined);	/* `start` is the caller's from here */
	return fn(arg);
}

int sandbox_start_thread(pthread_t *thread, void *(*fn)(void *), void *arg,
			 const char *device)
{
	struct confined_start start = { .fn = fn, .arg = arg };
	int r;

	if (sandbox_device_role(device, &start.role))
		return EINVAL;	/* a device the sandbox knows nothing of */
	sem_init(&start.confined, 0, 0);
	r = pthread_create(thread, NULL, confined_thread, &start);
	if (!r)
		while (sem_wait(&start.confined) && errno == EINTR)
			;
	sem_destroy(&start.confined);
	return r;
}

/* execve of a path that does not exist: harmless if nothing stops it. */
void sandbox_selftest_violation(void)
{
	static char *const argv[] = { "lguest-sandbox-selftest", NULL };

	execve("/nonexistent/lguest-sandbox-selftest", argv, argv + 1);
}
