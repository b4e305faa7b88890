/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running bin/lgtest from lgtest's end-to-end tests: its exit status,
 * stdout and stderr.  Run from the repository root once `make` has built
 * bin/lgtest, bin/lguest and the guests; LGTEST names another lgtest.
 */
#ifndef LGTEST_CLI_H
#define LGTEST_CLI_H

#include <sys/wait.h>
#include <unistd.h>

#include "harness_test.h"

#define SCRIPTS "tests/harness/scripts/"
/* The test guests run on any /dev/kvm: no calibration, no nested host. */
#define RUN "run --runner lguest-direct "

struct outcome {
	int status;
	char *out; /* stdout */
	char *err; /* stderr */
};

static inline const char *lgtest(void)
{
	const char *p = getenv("LGTEST");

	return p && *p ? p : "bin/lgtest";
}

/* What every test needs, /dev/kvm aside: lgtest and the guests' files. */
static inline void require_lgtest(void)
{
	ck_assert_msg(!access(lgtest(), X_OK), "%s not built: run make",
		      lgtest());
	ck_assert_msg(!access("tests/guests/bin/guest64.elf", R_OK),
		      "test guests not built: run make guests");
}

static inline void require_tools(void)
{
	require_lgtest();
	ck_assert_msg(!access("/dev/kvm", R_OK | W_OK),
		      "/dev/kvm not usable: these tests boot guests under KVM");
}

/*
 * Run lgtest with args (a shell fragment) after pre (a shell prefix such
 * as "cd DIR && VAR=x ", or ""), collecting stdout and stderr.
 */
static inline struct outcome run_after(const char *pre, const char *args)
{
	char outf[] = "/tmp/lgtest-out.XXXXXX",
	     errf[] = "/tmp/lgtest-err.XXXXXX";
	char *self = realpath(lgtest(), NULL);
	struct outcome o;
	char *cmd;
	int fo = mkstemp(outf), fe = mkstemp(errf), ws;

	ck_assert(fo >= 0 && fe >= 0);
	close(fo);
	close(fe);
	cmd = xasprintf("%s%s %s >%s 2>%s </dev/null", pre,
			self ? self : lgtest(), args, outf, errf);
	free(self);
	ws = system(cmd);
	ck_assert_msg(ws != -1 && WIFEXITED(ws), "%s did not exit", cmd);
	o.status = WEXITSTATUS(ws);
	o.out = slurp(outf, NULL);
	o.err = slurp(errf, NULL);
	unlink(outf);
	unlink(errf);
	free(cmd);
	return o;
}

static inline struct outcome run(const char *args)
{
	return run_after("", args);
}

/* A fresh directory under /tmp; the caller removes it (remove_dir). */
static inline char *temp_dir(void)
{
	char *d = xstrdup("/tmp/lgtest-test.XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static inline void remove_dir(const char *d)
{
	char *cmd = xasprintf("rm -rf '%s'", d);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static inline void outcome_free(struct outcome *o)
{
	free(o->out);
	free(o->err);
}

/* `lgtest ARGS` is a usage error: status 2, needle on stderr, no stdout. */
static inline void assert_usage_error(const char *args, const char *needle)
{
	struct outcome o = run(args);

	ck_assert_msg(o.status == 2 && strstr(o.err, needle) && !*o.out,
		      "lgtest %s: status %d, want 2 and \"%s\":\n%s%s", args,
		      o.status, needle, o.out, o.err);
	outcome_free(&o);
}

#define assert_has(o, needle)                                                  \
	ck_assert_msg(strstr((o)->out, (needle)),                              \
		      "output lacks \"%s\":\n%s\n--- stderr ---\n%s",          \
		      (needle), (o)->out, (o)->err)

/* The file at `path` holds `needle`; else the check fails, showing it. */
static inline void file_has(const char *path, const char *needle)
{
	char *text = slurp(path, NULL);

	ck_assert_msg(strstr(text, needle), "%s lacks \"%s\":\n%s", path,
		      needle, text);
	free(text);
}

#endif
