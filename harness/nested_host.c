// SPDX-License-Identifier: GPL-2.0
/*
 * Kept nested hosts.  Booting the nested host (QEMU TCG emulating an SVM
 * CPU, kvm-amd inside) costs seconds; a test's launcher, a fraction of
 * one.  So lgtest boots a host when no idle one is left and runs test
 * after test in it.
 *
 * The host is tests/boot/nested.sh --host-root --serve DIR: it sees this
 * machine's root, so the launcher, kernels and initrds have the paths
 * they have here, and its first two serial ports are DIR/console.sock (a
 * test's console, raw) and DIR/control.sock (lines, below).  In it runs
 * `lgtest nested-agent`.  Each test's runner is `lgtest nested-client`,
 * a process like any other runner: its stdin and stdout are the guest's
 * console, its stderr the launcher's, its exit status the launcher's.
 *
 * The control lines, each field after the verb hex-encoded where it can
 * hold any byte:
 *   client: PING N             agent: PONG N
 *   client: RUN N DIR ARG...   agent: START N, then ERR N BYTES (the
 *                              launcher's stderr), then EXIT N WSTATUS
 *                              LINE (what the launcher wrote to its fd
 *                              3, its --status-fd if the client gave it
 *                              one; hex, maybe empty)
 *   client: STOP N             (the test is over: kill the launcher)
 *   client: BREAK N            SIGURG to the launcher: a serial BREAK
 *   client: SYNC N             agent: "LGSYNC N" on the console (below)
 *   agent:  DIRTY N WHY        a launcher's processes would not die; the
 *                              agent quits and the host powers off
 * N is the client's nonce: a line for an earlier test is ignored.
 *
 * The client sends RUN only once it has read its SYNC marker on the
 * console: QEMU accepts a new console connection only after it has seen
 * the last one close, and drops serial output while none is accepted, so
 * a guest's first lines could otherwise be lost (a test that waits for
 * them then "hangs").  Whatever came before the marker is an earlier
 * test's and is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "nested_host.h"
#include "util.h"

#define MAX_HOSTS 16 /* kept hosts in one pool: more than --jobs can use */
#define HOST_BOOT_SECONDS 180.0 /* boot to the agent's first PONG */
#define AGENT_IDLE_SECONDS 600.0 /* an agent with no test quits */
#define STOP_SECONDS 1.5 /* a stopped test's launcher has this to end */
#define HOST_MEM_MB "1536"
#define LINE_MAX_BYTES 65536

/* ---- shared ---------------------------------------------------------- */

void hex_encode(const void *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool hex_decode(const char *hex, size_t len, char *out)
{
	size_t i;

	if (len % 2)
		return false;
	for (i = 0; i < len / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (char)(hi << 4 | lo);
	}
	return true;
}

static bool write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool say(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool say(int fd, const char *fmt, ...)
{
	va_list ap;
	char *line;
	bool ok;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	ok = write_all(fd, line, strlen(line));
	free(line);
	return ok;
}

/* Say verb, nonce and data as one line, the data hex-encoded. */
static bool say_hex(int fd, const char *verb, const char *nonce,
		    const void *data, size_t len)
{
	char *hex = xmalloc(2 * len + 1);
	bool ok;

	hex_encode(data, len, hex);
	ok = say(fd, "%s %s %s\n", verb, nonce, hex);
	free(hex);
	return ok;
}

/*
 * Read what fd has into *in and hand each whole line (without its
 * newline, NUL-ended in place) to fn.  False at end of file or on an
 * error, or when a line grows past LINE_MAX_BYTES.
 */
static bool read_lines(int fd, struct buf *in,
		       void (*fn)(char *line, void *ctx), void *ctx)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	char *nl;
	size_t used;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	buf_add(in, chunk, (size_t)n);
	while ((nl = memchr(in->data, '\n', in->len))) {
		*nl = '\0';
		used = (size_t)(nl - in->data) + 1;
		fn(in->data, ctx);
		memmove(in->data, in->data + used, in->len - used + 1);
		in->len -= used;
	}
	return in->len < LINE_MAX_BYTES;
}

/* ---- the agent, in the nested host ----------------------------------- */

struct agent {
	int console, control;
	pid_t child; /* the running launcher's process group; 0: none */
	int err_fd; /* its stderr; -1 when none */
	int status_fd; /* its fd 3, for a status line; -1 when none */
	char nonce[64];
	double last_active;
	bool dirty;
};

static bool open_raw(const char *path, int *fd)
{
	struct termios t;

	*fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*fd < 0 || tcgetattr(*fd, &t)) {
		fprintf(stderr, "nested-agent: %s: %s\n", path,
			strerror(errno));
		return false;
	}
	cfmakeraw(&t);
	return !tcsetattr(*fd, TCSANOW, &t);
}

/* Pass on whatever the launcher's stderr holds now; at its end, close it. */
static void relay_stderr(struct agent *a)
{
	char chunk[2048];
	ssize_t n;

	while (a->err_fd >= 0) {
		n = read(a->err_fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close(a->err_fd);
			a->err_fd = -1;
			return;
		}
		say_hex(a->control, "ERR", a->nonce, chunk, (size_t)n);
	}
}

/* Reap every child that has ended: the launcher is one; orphans of its
 * come to the agent as well (a subreaper). */
static void reap(struct agent *a, bool *launcher_ended, int *wstatus)
{
	pid_t pid;
	int ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		if (pid == a->child) {
			*launcher_ended = true;
			*wstatus = ws;
		}
	}
}

/*
 * Kill what is left of the launcher's process group; the host is clean
 * when nothing of it is left within a second.
 */
static bool kill_group(struct agent *a)
{
	double until = now() + 1.0;
	bool ended = false;
	int ws;

	while (kill(-a->child, SIGKILL) == 0 || errno != ESRCH) {
		if (now() > until)
			return false;
		reap(a, &ended, &ws);
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	}
	return true;
}

/* The launcher's status line, hex-encoded, or "" when it wrote none. */
static void take_status_line(struct agent *a, char *hex, size_t size)
{
	char line[64];
	ssize_t n = -1;

	hex[0] = '\0';
	if (a->status_fd < 0)
		return;
	do
		n = read(a->status_fd, line, sizeof(line));
	while (n < 0 && errno == EINTR);
	if (n > 0 && (size_t)n * 2 < size)
		hex_encode(line, (size_t)n, hex);
	close(a->status_fd);
	a->status_fd = -1;
}

static void launcher_ended(struct agent *a, int wstatus)
{
	char line[129];

	relay_stderr(a);
	if (a->err_fd >= 0) /* held open by a leftover, killed below */
		close(a->err_fd);
	a->err_fd = -1;
	/* The last console bytes reach QEMU before the status does. */
	tcdrain(a->console);
	if (!kill_group(a)) {
		say(a->control, "DIRTY %s launcher-processes-survive-SIGKILL\n",
		    a->nonce);
		a->dirty = true;
	}
	take_status_line(a, line, sizeof(line));
	say(a->control, "EXIT %s %d %s\n", a->nonce, wstatus, line);
	a->child = 0;
	a->last_active = now();
}

/* End a launcher whose test is over (STOP, or a new RUN without one). */
static void stop_launcher(struct agent *a)
{
	double until = now() + STOP_SECONDS;
	bool ended = false;
	int ws = 0;

	kill(-a->child, SIGTERM);
	while (!ended && now() < until) {
		reap(a, &ended, &ws);
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	}
	if (!ended) {
		kill(-a->child, SIGKILL);
		waitpid(a->child, &ws, 0);
	}
	launcher_ended(a, ws);
}

static void exec_launcher(struct agent *a, char **argv, const char *dir,
			  int err_w, int status_w)
{
	setsid();
	dup2(err_w, 2);
	if (chdir(dir)) {
		fprintf(stderr, "nested-agent: %s: %s\n", dir, strerror(errno));
		_exit(127);
	}
	dup2(a->console, 0);
	dup2(a->console, 1);
	/* Last, over whatever had fd 3; dup2 to itself keeps close-on-exec. */
	if (status_w == 3)
		fcntl(status_w, F_SETFD, 0);
	else
		dup2(status_w, 3);
	execvp(argv[0], argv);
	fprintf(stderr, "nested-agent: cannot run %s: %s\n", argv[0],
		strerror(errno));
	_exit(127);
}

/* Decode "DIR ARG..." (each hex) into a NULL-ended argv; the first is
 * the directory.  NULL when a field is not hex. */
static char **decode_fields(char *fields, size_t *n)
{
	char **v = NULL, *tok, *save = NULL, *s;
	size_t len;

	*n = 0;
	for (tok = strtok_r(fields, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		len = strlen(tok);
		s = xcalloc(len / 2 + 1, 1);
		if (!hex_decode(tok, len, s)) {
			free(s);
			break;
		}
		*ARRAY_PUSH(&v, n) = s;
	}
	*ARRAY_PUSH(&v, n) = NULL;
	(*n)--;
	return tok ? NULL : v;
}

static void free_fields(char **v)
{
	char **p;

	for (p = v; v && *p; p++)
		free(*p);
	free(v);
}

static void start_launcher(struct agent *a, const char *nonce, char *fields)
{
	size_t n;
	char **v = decode_fields(fields, &n);
	int p[2], s[2];
	pid_t pid;

	if (a->child)
		stop_launcher(a);
	snprintf(a->nonce, sizeof(a->nonce), "%s", nonce);
	if (!v || n < 2 || pipe2(p, O_CLOEXEC) || pipe2(s, O_CLOEXEC)) {
		say(a->control, "ERR %s %s\n", nonce, "");
		say(a->control, "EXIT %s %d\n", nonce, 127 << 8);
		free_fields(v);
		return;
	}
	/* Keys typed for the last test must not reach this one. */
	tcflush(a->console, TCIOFLUSH);
	pid = fork();
	if (pid == 0)
		exec_launcher(a, v + 1, v[0], p[1], s[1]);
	close(p[1]);
	close(s[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	fcntl(s[0], F_SETFL, O_NONBLOCK);
	a->child = pid;
	a->err_fd = p[0];
	a->status_fd = s[0];
	say(a->control, "START %s\n", nonce);
	free_fields(v);
}

static void agent_line(char *line, void *ctx)
{
	struct agent *a = ctx;
	char *verb = line, *nonce, *rest = NULL;

	a->last_active = now();
	nonce = strchr(verb, ' ');
	if (!nonce)
		return;
	*nonce++ = '\0';
	rest = strchr(nonce, ' ');
	if (rest)
		*rest++ = '\0';
	if (!strcmp(verb, "PING"))
		say(a->control, "PONG %s\n", nonce);
	else if (!strcmp(verb, "RUN") && rest)
		start_launcher(a, nonce, rest);
	else if (!strcmp(verb, "STOP") && a->child && !strcmp(nonce, a->nonce))
		stop_launcher(a);
	else if (!strcmp(verb, "BREAK") && a->child && !strcmp(nonce, a->nonce))
		kill(a->child, SIGURG); /* its supervisor passes it on */
	else if (!strcmp(verb, "SYNC"))
		say(a->console, "\nLGSYNC %s\n", nonce);
}

/*
 * `lgtest nested-agent [--console TTY] [--control TTY]`: serve tests until
 * none comes for AGENT_IDLE_SECONDS, or a launcher leaves processes that
 * cannot be killed (then the host is not clean: exit 3).
 */
int nested_agent(int argc, char **argv)
{
	struct agent a = {.err_fd = -1, .status_fd = -1};
	const char *console = "/dev/ttyS0", *control = "/dev/ttyS1";
	struct buf in = {0};
	bool ended;
	int i, ws;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--console"))
			console = argv[i + 1];
		else if (!strcmp(argv[i], "--control"))
			control = argv[i + 1];
	}
	if (!open_raw(console, &a.console) || !open_raw(control, &a.control))
		return 2;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	a.last_active = now();
	while (!a.dirty) {
		struct pollfd p[2] = {{a.control, POLLIN, 0},
				      {a.err_fd, POLLIN, 0}};

		if (poll(p, a.err_fd >= 0 ? 2 : 1, 50) < 0 && errno != EINTR)
			break;
		if (p[0].revents && !read_lines(a.control, &in, agent_line, &a))
			buf_free(&in);
		if (a.err_fd >= 0 && p[1].revents)
			relay_stderr(&a);
		ended = false;
		reap(&a, &ended, &ws);
		if (ended)
			launcher_ended(&a, ws);
		if (!a.child && now() - a.last_active > AGENT_IDLE_SECONDS)
			break;
	}
	buf_free(&in);
	return a.dirty ? 3 : 0;
}

/* ---- the client, one test's runner -------------------------------------- */

struct client {
	char *pool, *helper, *agent, *host; /* host: POOL/host-K */
	const char *smp; /* the host's CPUs (nested.sh --smp) */
	int control, console;
	char nonce[32];
	struct buf in;
	bool started, exited, host_died;
	int wstatus;
	int status_fd; /* --status-fd: the launcher's line goes on; or -1 */
	char status_line[64]; /* what the agent relayed, or "" */
};

static void client_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* The nested runner's way to say the host failed (runner_lguest.c). */
static void client_die(const char *fmt, ...)
{
	va_list ap;

	fputs("nested: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(125);
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Take the first host of the pool that no other test holds. */
static int claim_host(struct client *c)
{
	int k, fd;
	char *lock;

	for (k = 0; k < MAX_HOSTS; k++) {
		c->host = xasprintf("%s/host-%d", c->pool, k);
		mkdir(c->host, 0700);
		lock = xasprintf("%s/lock", c->host);
		fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		free(lock);
		if (fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB))
			return fd;
		if (fd >= 0)
			close(fd);
		free(c->host);
	}
	client_die("all %d nested hosts of %s are busy", MAX_HOSTS, c->pool);
}

static pid_t host_pid(const struct client *c)
{
	char *path = xasprintf("%s/pid", c->host);
	FILE *f = fopen(path, "r");
	int pid = 0;

	free(path);
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid > 0 && !kill(pid, 0) ? pid : 0;
}

static void client_line(char *line, void *ctx);

/* Wait up to `secs` for the agent's answer to PING; false if none. */
static bool ping(struct client *c, double secs)
{
	double until = now() + secs, next = 0;
	char *sock = xasprintf("%s/control.sock", c->host);
	bool pong = false;

	while (!pong && now() < until) {
		if (c->control < 0)
			c->control = connect_unix(sock);
		if (c->control >= 0 && now() >= next) {
			say(c->control, "PING %s\n", c->nonce);
			next = now() + 1.0;
		}
		if (c->control >= 0) {
			struct pollfd p = {c->control, POLLIN, 0};

			if (poll(&p, 1, 100) > 0) {
				c->started = false;
				if (!read_lines(c->control, &c->in, client_line,
						c)) {
					close(c->control);
					c->control = -1;
				}
				pong = c->started;
			}
		} else {
			nanosleep(&(struct timespec){.tv_nsec = 100000000},
				  NULL);
		}
	}
	c->started = false;
	free(sock);
	return pong;
}

/* Stop a host (its whole session) and forget it. */
static void stop_host(const char *host)
{
	char *path = xasprintf("%s/pid", host);
	FILE *f = fopen(path, "r");
	int pid = 0;
	double until;

	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid > 0 && !kill(-pid, SIGTERM)) {
		until = now() + 3.0;
		while (!kill(-pid, 0) && now() < until)
			nanosleep(&(struct timespec){.tv_nsec = 20000000},
				  NULL);
		kill(-pid, SIGKILL);
	}
	unlink(path);
	free(path);
}

/* What a kept host was booted with: POOL/host-K/smp. */
static char *smp_path(const struct client *c)
{
	return xasprintf("%s/smp", c->host);
}

static void write_host_smp(const struct client *c)
{
	char *path = smp_path(c);
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%s\n", c->smp) < 0 || fclose(f))
		client_die("%s: %s", path, strerror(errno));
	free(path);
}

/* A host with fewer CPUs than this test asks for is booted again. */
static bool host_has_smp(const struct client *c)
{
	char *path = smp_path(c);
	FILE *f = fopen(path, "r");
	unsigned int have = 0;

	if (f) {
		if (fscanf(f, "%u", &have) != 1)
			have = 0;
		fclose(f);
	}
	free(path);
	return have >= (unsigned int)atoi(c->smp);
}

/* Boot a host for this slot: nested.sh in a session of its own, so that
 * the end of this test does not end it; its output goes to host.log. */
static void boot_host(struct client *c)
{
	char *log = xasprintf("%s/host.log", c->host);
	char *pidfile = xasprintf("%s/pid", c->host);
	pid_t pid;
	FILE *f;
	int fd;

	stop_host(c->host);
	fprintf(stderr, "nested: booting a kept nested host in %s\n", c->host);
	pid = fork();
	if (pid == 0) {
		setsid();
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		dup2(fd, 0);
		execl(c->helper, c->helper, "--host-root", "--serve", c->host,
		      "--mem", HOST_MEM_MB, "--smp", c->smp, "--timeout",
		      "86400", "--", c->agent, "nested-agent", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		client_die("fork: %s", strerror(errno));
	f = fopen(pidfile, "w");
	if (!f || fprintf(f, "%d\n", pid) < 0 || fclose(f))
		client_die("%s: %s", pidfile, strerror(errno));
	write_host_smp(c);
	if (!ping(c, HOST_BOOT_SECONDS))
		client_die("the nested host in %s did not answer within %.0f "
			   "s (see %s)",
			   c->host, HOST_BOOT_SECONDS, log);
	free(log);
	free(pidfile);
}

/* A running host whose agent answers, with the CPUs asked for, or a new one. */
static void ready_host(struct client *c)
{
	if (host_pid(c) && host_has_smp(c) && ping(c, 3.0)) {
		fprintf(stderr, "nested: reusing the kept nested host in %s\n",
			c->host);
		return;
	}
	if (c->control >= 0)
		close(c->control);
	c->control = -1;
	boot_host(c);
}

#define SYNC_SECONDS 10.0 /* a live host shows the marker in far less */

/*
 * Ask for the SYNC marker once a second until it shows on the console;
 * what the console gave before it is dropped.  See the top of the file.
 */
static void sync_console(struct client *c)
{
	char *marker = xasprintf("LGSYNC %s\n", c->nonce);
	double until = now() + SYNC_SECONDS, next = 0;
	struct buf seen = {0};
	char chunk[4096];
	ssize_t n;

	while (!seen.len ||
	       !memmem(seen.data, seen.len, marker, strlen(marker))) {
		if (now() > until)
			client_die("the nested host's console in %s showed no "
				   "sign of life within %.0f s",
				   c->host, SYNC_SECONDS);
		if (now() >= next) {
			say(c->control, "SYNC %s\n", c->nonce);
			next = now() + 1.0;
		}
		if (poll(&(struct pollfd){c->console, POLLIN, 0}, 1, 100) <= 0)
			continue;
		n = read(c->console, chunk, sizeof(chunk));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			client_die("the nested host closed the console");
		if (n > 0)
			buf_add(&seen, chunk, (size_t)n);
		if (seen.len > LINE_MAX_BYTES) { /* keep the tail only */
			memmove(seen.data, seen.data + seen.len - 256, 256);
			seen.len = 256;
			seen.data[seen.len] = '\0';
		}
	}
	buf_free(&seen);
	free(marker);
}

/* Send RUN: the directory, then the launcher and its arguments. */
static void add_hex_field(struct buf *line, const char *s)
{
	char *hex = xmalloc(2 * strlen(s) + 1);

	hex_encode(s, strlen(s), hex);
	buf_addf(line, " %s", hex);
	free(hex);
}

/* RUN the launcher argv, with --status-fd=3 after its name if asked. */
static void send_run(struct client *c, char **argv, int argc, bool status)
{
	char cwd[4096];
	struct buf line = {0};
	int i;

	if (!getcwd(cwd, sizeof(cwd)))
		client_die("getcwd: %s", strerror(errno));
	buf_addf(&line, "RUN %s", c->nonce);
	add_hex_field(&line, cwd);
	add_hex_field(&line, argv[0]);
	if (status)
		add_hex_field(&line, "--status-fd=3");
	for (i = 1; i < argc; i++)
		add_hex_field(&line, argv[i]);
	buf_add(&line, "\n", 1);
	if (!write_all(c->control, line.data, line.len))
		client_die("the nested host's control channel: %s",
			   strerror(errno));
	buf_free(&line);
}

static void client_line(char *line, void *ctx)
{
	struct client *c = ctx;
	char *nonce = strchr(line, ' '), *rest;
	size_t len;

	if (!nonce)
		return;
	*nonce++ = '\0';
	rest = strchr(nonce, ' ');
	if (rest)
		*rest++ = '\0';
	if (strcmp(nonce, c->nonce))
		return; /* an earlier test's */
	if (!strcmp(line, "PONG") || !strcmp(line, "START")) {
		c->started = true;
	} else if (!strcmp(line, "ERR") && rest) {
		len = strlen(rest);
		if (hex_decode(rest, len, rest))
			write_all(2, rest, len / 2);
	} else if (!strcmp(line, "EXIT") && rest) {
		c->exited = true;
		c->wstatus = atoi(rest);
		rest = strchr(rest, ' ');
		len = rest ? strlen(++rest) : 0;
		if (len < 2 * sizeof(c->status_line) &&
		    hex_decode(rest, len, c->status_line))
			c->status_line[len / 2] = '\0';
	} else if (!strcmp(line, "DIRTY")) {
		fprintf(stderr, "nested: the launcher's processes outlived "
				"SIGKILL; the host will be replaced\n");
	}
}

/* Copy what fd has to out; false at its end. */
static bool pump(int fd, int out)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	return n > 0 && write_all(out, chunk, (size_t)n);
}

static int signal_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGURG);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/*
 * SIGURG asks for a BREAK (runner.h), passed to the agent; any other
 * signal ends the test: STOP, then the launcher has STOP_SECONDS.
 */
static void on_signal(struct client *c, int sig, double *stop_by)
{
	struct signalfd_siginfo si;

	while (read(sig, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGURG) {
			say(c->control, "BREAK %s\n", c->nonce);
		} else if (!*stop_by) {
			say(c->control, "STOP %s\n", c->nonce);
			*stop_by = now() + STOP_SECONDS;
		}
	}
}

/* Relay console, stderr and status until the launcher's EXIT. */
static void relay(struct client *c)
{
	int sig = signal_fd();
	double stop_by = 0;
	bool in_open = true;

	while (!c->exited) {
		struct pollfd p[4] = {{c->console, POLLIN, 0},
				      {c->control, POLLIN, 0},
				      {sig, POLLIN, 0},
				      {0, in_open ? POLLIN : 0, 0}};

		if (stop_by && now() > stop_by)
			exit(143);
		if (poll(p, 4, 100) < 0 && errno != EINTR)
			break;
		if (p[0].revents && !pump(c->console, 1))
			client_die("the nested host closed the console");
		if (p[1].revents &&
		    !read_lines(c->control, &c->in, client_line, c))
			client_die("the nested host died (see %s/host.log)",
				   c->host);
		if (p[2].revents)
			on_signal(c, sig, &stop_by);
		if (p[3].revents && !pump(0, c->console))
			in_open = false;
		if (c->started) {
			fprintf(stderr, "LGUEST-NESTED-START\n");
			c->started = false;
		}
	}
	/* The console's last bytes may trail the status a little. */
	while (poll(&(struct pollfd){c->console, POLLIN, 0}, 1, 50) > 0 &&
	       pump(c->console, 1))
		;
}

/* The launcher's wait status, as this process's own end. */
static int end_like(int wstatus)
{
	if (WIFSIGNALED(wstatus)) {
		signal(WTERMSIG(wstatus), SIG_DFL);
		sigprocmask(SIG_SETMASK, &(sigset_t){0}, NULL);
		raise(WTERMSIG(wstatus));
		return 128 + WTERMSIG(wstatus);
	}
	return WEXITSTATUS(wstatus);
}

/*
 * `lgtest nested-client --pool DIR --helper NESTED_SH --agent LGTEST --
 * LAUNCHER ARGS...`: run one launcher in a kept host of the pool.
 */
int nested_client(int argc, char **argv)
{
	struct client c = {.control = -1, .console = -1, .status_fd = -1};
	char *sock;
	int i, lock;

	for (i = 1; i + 1 < argc && strcmp(argv[i], "--"); i += 2) {
		if (!strcmp(argv[i], "--pool"))
			c.pool = argv[i + 1];
		else if (!strcmp(argv[i], "--helper"))
			c.helper = argv[i + 1];
		else if (!strcmp(argv[i], "--agent"))
			c.agent = argv[i + 1];
		else if (!strcmp(argv[i], "--smp"))
			c.smp = argv[i + 1];
		else if (!strcmp(argv[i], "--status-fd"))
			c.status_fd = atoi(argv[i + 1]);
	}
	if (!c.smp || atoi(c.smp) < 1)
		c.smp = "1";
	if (!c.pool || !c.helper || !c.agent || i >= argc - 1)
		client_die("usage: lgtest nested-client --pool DIR --helper "
			   "NESTED_SH --agent LGTEST [--smp N] [--status-fd N] "
			   "-- LAUNCHER ARGS...");
	snprintf(c.nonce, sizeof(c.nonce), "%d-%lld", (int)getpid(),
		 (long long)(now() * 1e6));
	lock = claim_host(&c);
	ready_host(&c);
	sock = xasprintf("%s/console.sock", c.host);
	c.console = connect_unix(sock);
	if (c.console < 0)
		client_die("%s: %s", sock, strerror(errno));
	free(sock);
	sync_console(&c);
	send_run(&c, argv + i + 1, argc - i - 1, c.status_fd >= 0);
	relay(&c);
	close(lock);
	if (c.status_fd >= 0 &&
	    !write_all(c.status_fd, c.status_line, strlen(c.status_line)))
		fprintf(stderr, "nested: cannot write the status line: %s\n",
			strerror(errno));
	return end_like(c.wstatus);
}

void nested_pool_destroy(const char *pool)
{
	char *host;
	int k;

	for (k = 0; k < MAX_HOSTS; k++) {
		host = xasprintf("%s/host-%d", pool, k);
		stop_host(host);
		free(host);
	}
	host = xasprintf("rm -rf '%s'", pool);
	if (system(host))
		fprintf(stderr, "lgtest: cannot remove %s\n", pool);
	free(host);
}
