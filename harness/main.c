// SPDX-License-Identifier: GPL-2.0
/*
 * lgtest: boot kernels with a script of console input and expected
 * output, judge what they print and report in TAP.  See usage() and the
 * README's lgtest(1) section.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash.h"
#include "run.h"
#include "script.h"
#include "tap.h"

enum { EXIT_PASS = 0, EXIT_TESTS_FAILED = 1, EXIT_USAGE = 2 };

#define DEFAULT_TAIL 30

static const char usage_text[] =
	"Usage: lgtest run [options] SCRIPT...\n"
	"       lgtest check SCRIPT...\n"
	"       lgtest classify [LOG...]\n"
	"       lgtest --help\n"
	"\n"
	"Boots kernels under a runner, plays each script's steps against the "
	"guest's\n"
	"console, watches for kernel crashes and hangs, and prints TAP on "
	"stdout.\n"
	"\n"
	"Commands:\n"
	"  run SCRIPT...       run every test in the scripts, in order\n"
	"  check SCRIPT...     only parse the scripts; report syntax errors\n"
	"  classify [LOG...]   print the crash title of each console log "
	"(stdin\n"
	"                      when none or '-'), or \"no crash\"\n"
	"\n"
	"Options for run (each overrides what the scripts say, for every "
	"test):\n"
	"  --kernel FILE          kernel to boot (ELF vmlinux or bzImage)\n"
	"  --initrd FILE          initial ramdisk\n"
	"  --mem MB               guest memory in MiB (default 256)\n"
	"  --cmdline ARGS         kernel arguments instead of the scripts' "
	"cmdline\n"
	"  --append ARGS          kernel arguments after the scripts' cmdline\n"
	"  --device KIND[=VALUE]  add a device: block=FILE, rng, tunnet=SPEC,\n"
	"                         sharenet=PATH (repeatable)\n"
	"  --timeout DURATION     overall limit per test (default 300s)\n"
	"  --idle-timeout DURATION  limit on time without console output "
	"(default 60s)\n"
	"  --runner NAME          lguest (default): bin/lguest on /dev/kvm\n"
	"  --lguest FILE          the launcher (default: $LGUEST, else lguest "
	"beside\n"
	"                         lgtest, else lguest on PATH)\n"
	"  --tail N               console lines shown for a failed test "
	"(default 30)\n"
	"  -n, --dry-run          print each test's command instead of running "
	"it\n"
	"  -v, --verbose          copy every guest's console to stderr as it "
	"arrives\n"
	"  -h, --help             this text\n"
	"\n"
	"Scripts (one per file, '#' starts a comment):\n"
	"  Settings come first, one per line:\n"
	"    kernel PATH          relative paths are relative to the script\n"
	"    initrd PATH\n"
	"    mem MB\n"
	"    cmdline ARGS...      kernel arguments (accumulate), after the "
	"defaults\n"
	"                         \"" DEFAULT_CMDLINE "\"\n"
	"    device KIND [VALUE]  block FILE | rng | tunnet SPEC | sharenet "
	"PATH\n"
	"    timeout DURATION     overall (default 300s)\n"
	"    idle-timeout DURATION  no console output for this long is a hang\n"
	"                         (default 60s)\n"
	"  Then steps, played in order:\n"
	"    expect PATTERN [timeout D]     wait until PATTERN appears after "
	"the\n"
	"                                   previous match\n"
	"    expect-not PATTERN [for D]     PATTERN must not appear from here "
	"to the\n"
	"                                   end of the test (or, with for, in "
	"the\n"
	"                                   next D, which the step waits out)\n"
	"    send \"TEXT\"                    type TEXT on the console\n"
	"    exit STATUS [timeout D]        wait for the guest to stop; its "
	"exit\n"
	"                                   status (launcher status) must be "
	"STATUS\n"
	"    shutdown [timeout D]           wait for the guest to power off "
	"(status 0)\n"
	"    expect-crash [PATTERN] [timeout D]  wait for a kernel crash "
	"report\n"
	"                                   whose title matches PATTERN\n"
	"  PATTERN is \"literal text\" or /POSIX extended regex/ (one line; ^ "
	"and $\n"
	"  match at line ends), either followed by i to ignore case.  Strings "
	"take\n"
	"  \\n \\r \\t \\e \\0 \\\\ \\\" \\xHH.  DURATION: 30, 2.5s, 500ms, "
	"2m.\n"
	"  A script is one test (its name is the file name) or several: each\n"
	"  'test NAME' line starts one, with its own settings and steps, "
	"after\n"
	"  the file's shared settings.\n"
	"\n"
	"Verdicts: pass; fail (a step could not pass); crash (a kernel crash "
	"report,\n"
	"even if every step passed; its title is syzkaller-style); hang (the\n"
	"overall or the no-output timeout); error (the runner could not run "
	"the\n"
	"guest).  A test ends when its last step passes.\n"
	"\n"
	"Exit status: 0 all tests passed, 1 a test failed, crashed or hung,\n"
	"2 usage, script or infrastructure error (a test's verdict was "
	"error).\n"
	"check: 0 all scripts valid, 1 a script is not, 2 usage.\n"
	"classify: 0 no log holds a crash, 1 one does, 2 a log cannot be "
	"read.\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "lgtest: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'lgtest --help'.\n");
	return EXIT_USAGE;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct cli {
	struct config over; /* overrides */
	bool replace_cmdline;
	char *cmdline; /* --cmdline */
	const char *runner;
	const char *lguest;
	int tail;
	bool dry_run;
	bool verbose;
};

/* ---- option parsing -------------------------------------------------------
 */

static bool parse_device_opt(const char *spec, struct config *c)
{
	const char *eq = strchr(spec, '=');
	char *text = eq ? xasprintf("device %.*s %s\n", (int)(eq - spec), spec,
				    eq + 1)
			: xasprintf("device %s\n", spec);
	char *withstep = xasprintf("%sexpect \"x\"\n", text);
	struct script s;
	char *err;
	bool ok;

	/* The script parser checks the kind and its value. */
	ok = script_parse("--device", withstep, &s, &err);
	if (ok)
		config_merge(c, &s.tests[0].cfg);
	else
		fprintf(stderr, "lgtest: %s\n", strchr(err, ' ') + 1);
	if (ok)
		script_free(&s);
	free(err);
	free(text);
	free(withstep);
	return ok;
}

enum {
	OPT_KERNEL = 256,
	OPT_INITRD,
	OPT_MEM,
	OPT_CMDLINE,
	OPT_APPEND,
	OPT_DEVICE,
	OPT_TIMEOUT,
	OPT_IDLE,
	OPT_RUNNER,
	OPT_LGUEST,
	OPT_TAIL,
};

static bool parse_number(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return *s && !*end && !errno && *v >= min && *v <= max;
}

static int parse_option(int c, const char *arg, struct cli *o)
{
	long v;

	switch (c) {
	case OPT_KERNEL:
		free(o->over.kernel);
		o->over.kernel = xstrdup(arg);
		return 0;
	case OPT_INITRD:
		free(o->over.initrd);
		o->over.initrd = xstrdup(arg);
		return 0;
	case OPT_MEM:
		if (!parse_number(arg, 2, 1048576, &v))
			return usage_error("--mem: '%s' is not a number of MiB "
					   "from 2 to 1048576",
					   arg);
		o->over.mem_mb = (unsigned int)v;
		return 0;
	case OPT_CMDLINE:
		free(o->cmdline);
		o->cmdline = xstrdup(arg);
		o->replace_cmdline = true;
		return 0;
	case OPT_APPEND:
		free(o->over.cmdline);
		o->over.cmdline =
			o->over.cmdline
				? xasprintf("%s %s", o->over.cmdline, arg)
				: xstrdup(arg);
		return 0;
	case OPT_DEVICE:
		return parse_device_opt(arg, &o->over) ? 0 : EXIT_USAGE;
	case OPT_TIMEOUT:
	case OPT_IDLE:
		if (!parse_duration(arg, c == OPT_TIMEOUT
						 ? &o->over.timeout
						 : &o->over.idle_timeout) ||
		    (c == OPT_TIMEOUT ? o->over.timeout
				      : o->over.idle_timeout) <= 0)
			return usage_error("'%s' is not a positive duration "
					   "(like 30, 2.5s, 500ms, 2m)",
					   arg);
		return 0;
	case OPT_RUNNER:
		o->runner = arg;
		return 0;
	case OPT_LGUEST:
		o->lguest = arg;
		return 0;
	case OPT_TAIL:
		if (!parse_number(arg, 0, 100000, &v))
			return usage_error(
				"--tail: '%s' is not a number of lines", arg);
		o->tail = (int)v;
		return 0;
	case 'n':
		o->dry_run = true;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	}
	return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct cli *o)
{
	static const struct option longopts[] = {
		{"kernel", required_argument, NULL, OPT_KERNEL},
		{"initrd", required_argument, NULL, OPT_INITRD},
		{"mem", required_argument, NULL, OPT_MEM},
		{"cmdline", required_argument, NULL, OPT_CMDLINE},
		{"append", required_argument, NULL, OPT_APPEND},
		{"device", required_argument, NULL, OPT_DEVICE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"idle-timeout", required_argument, NULL, OPT_IDLE},
		{"runner", required_argument, NULL, OPT_RUNNER},
		{"lguest", required_argument, NULL, OPT_LGUEST},
		{"tail", required_argument, NULL, OPT_TAIL},
		{"dry-run", no_argument, NULL, 'n'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	o->runner = "lguest";
	o->tail = DEFAULT_TAIL;
	while ((c = getopt_long(argc, argv, "+nvh", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(EXIT_PASS);
		}
		if (c == '?')
			return usage_error("%s", "bad option");
		rc = parse_option(c, optarg, o);
		if (rc)
			return rc;
	}
	if (optind >= argc)
		return usage_error("%s", "no scripts given");
	return 0;
}

/* ---- commands --------------------------------------------------------------
 */

/* Parse every script; print every error.  False if any failed. */
static bool load_scripts(char **paths, int n, struct script *scripts)
{
	bool ok = true;
	char *err;
	int i;

	for (i = 0; i < n; i++) {
		if (!script_load(paths[i], &scripts[i], &err)) {
			fprintf(stderr, "lgtest: %s\n", err);
			free(err);
			ok = false;
		}
	}
	return ok;
}

static void free_scripts(struct script *scripts, int n)
{
	int i;

	for (i = 0; i < n; i++)
		script_free(&scripts[i]);
	free(scripts);
}

/* The command-line overrides, laid over a test's own configuration. */
static void apply_overrides(struct testcase *t, const struct cli *o)
{
	if (o->replace_cmdline) {
		free(t->cfg.cmdline);
		t->cfg.cmdline = xstrdup(o->cmdline);
	}
	config_merge(&t->cfg, &o->over);
	if (t->cfg.timeout <= 0)
		t->cfg.timeout = DEFAULT_TIMEOUT;
	if (t->cfg.idle_timeout <= 0)
		t->cfg.idle_timeout = DEFAULT_IDLE_TIMEOUT;
	if (!t->cfg.mem_mb)
		t->cfg.mem_mb = DEFAULT_MEM_MB;
}

static void dry_run(const struct runner *r, size_t number,
		    const struct testcase *t)
{
	char *err = NULL, *cmd = vm_command(r, &t->cfg, &err);

	printf("# %zu %s: %s: %zu steps, timeout %gs, idle-timeout %gs\n",
	       number, t->file, t->name, t->nsteps, t->cfg.timeout,
	       t->cfg.idle_timeout);
	printf("%s\n", cmd ? cmd : err);
	free(cmd);
	free(err);
}

struct tally {
	size_t counts[V_ERROR + 1];
};

static void run_one(const struct runner *r, const struct cli *o, size_t number,
		    const struct testcase *t, struct tally *tally)
{
	struct run_options ro = {.echo = o->verbose ? stderr : NULL,
				 .interrupted = &interrupted};
	struct result res;

	run_test(r, t, &ro, &res);
	tally->counts[res.verdict]++;
	tap_result(stdout, number, t, &res, o->tail);
	result_free(&res);
}

static int summary(const struct tally *tl, size_t total)
{
	size_t failed = total - tl->counts[V_PASS];

	printf("# %zu passed, %zu failed (fail %zu, crash %zu, hang %zu, error "
	       "%zu)\n",
	       tl->counts[V_PASS], failed, tl->counts[V_FAIL],
	       tl->counts[V_CRASH], tl->counts[V_HANG], tl->counts[V_ERROR]);
	if (tl->counts[V_ERROR])
		return EXIT_USAGE;
	return failed ? EXIT_TESTS_FAILED : EXIT_PASS;
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int run_all(const struct cli *o, struct script *scripts, int n)
{
	struct tally tally = {0};
	struct runner r;
	size_t total = 0, number = 0;
	int i, rc;
	size_t j;

	if (!runner_init(&r, o->runner, o->lguest))
		return usage_error("unknown runner '%s' (known: lguest)",
				   o->runner);
	for (i = 0; i < n; i++)
		total += scripts[i].ntests;
	install_signals();
	if (!o->dry_run)
		tap_plan(stdout, total);
	for (i = 0; i < n && !interrupted; i++) {
		for (j = 0; j < scripts[i].ntests && !interrupted; j++) {
			struct testcase *t = &scripts[i].tests[j];

			apply_overrides(t, o);
			if (o->dry_run)
				dry_run(&r, ++number, t);
			else
				run_one(&r, o, ++number, t, &tally);
		}
	}
	runner_free(&r);
	if (interrupted) {
		tap_bail_out(stdout, "interrupted");
		return EXIT_USAGE;
	}
	rc = o->dry_run ? EXIT_PASS : summary(&tally, total);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	struct cli o = {0};
	struct script *scripts;
	int rc = parse_args(argc, argv, &o);
	int n = argc - optind;

	if (rc)
		return rc;
	scripts = xcalloc((size_t)n, sizeof(*scripts));
	if (!load_scripts(argv + optind, n, scripts))
		rc = EXIT_USAGE;
	else
		rc = run_all(&o, scripts, n);
	free_scripts(scripts, n);
	config_free(&o.over);
	free(o.cmdline);
	return rc;
}

static int cmd_check(int argc, char **argv)
{
	struct script *scripts;
	bool ok;
	int i;

	if (argc < 2)
		return usage_error("%s", "check: no scripts given");
	scripts = xcalloc((size_t)argc - 1, sizeof(*scripts));
	ok = load_scripts(argv + 1, argc - 1, scripts);
	for (i = 0; ok && i < argc - 1; i++)
		printf("%s: %zu tests\n", argv[i + 1], scripts[i].ntests);
	free_scripts(scripts, argc - 1);
	return ok ? EXIT_PASS : EXIT_TESTS_FAILED;
}

static bool read_all(const char *path, struct buf *b)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char chunk[65536];
	size_t n;
	bool ok;

	if (!f) {
		fprintf(stderr, "lgtest: %s: %s\n", path, strerror(errno));
		return false;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	ok = !ferror(f);
	if (!ok)
		fprintf(stderr, "lgtest: %s: %s\n", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	return ok;
}

/* Classify one log; 0 no crash, 1 crash, 2 unreadable. */
static int classify_one(const char *path)
{
	struct console c = {0};
	struct crash_report rep;
	struct buf raw = {0};
	int rc = EXIT_USAGE;

	if (read_all(path, &raw)) {
		console_append(&c, raw.data ? raw.data : "", raw.len);
		rc = crash_classify(c.text.data, c.text.len, &rep);
		if (rc)
			printf("%s: %s (line %d)\n", path, rep.title,
			       rep.start_line);
		else
			printf("%s: no crash\n", path);
	}
	buf_free(&raw);
	console_free(&c);
	return rc;
}

static int cmd_classify(int argc, char **argv)
{
	int i, rc, worst = 0;

	if (argc < 2)
		return classify_one("-");
	for (i = 1; i < argc; i++) {
		rc = classify_one(argv[i]);
		worst = rc > worst ? rc : worst;
	}
	return worst;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s",
				   "no command given (run, check or classify)");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_PASS;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "classify"))
		return cmd_classify(argc - 1, argv + 1);
	return usage_error("unknown command '%s' (run, check or classify)",
			   argv[1]);
}
