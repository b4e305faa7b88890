/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lgtest scripts: what to boot and the steps that talk to its console.
 * The format is described in the README's lgtest(1) section and in
 * `lgtest --help`; script.c is its parser.
 */
#ifndef LGTEST_SCRIPT_H
#define LGTEST_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "expect.h"

#define DEFAULT_MEM_MB 256
#define DEFAULT_CPUS 2 /* SMP bugs need more than one CPU to show */
#define MAX_CPUS 254 /* the launcher's limit (lguest --cpus) */
#define DEFAULT_TIMEOUT 300.0 /* seconds, the whole test */
#define DEFAULT_IDLE_TIMEOUT 60.0 /* seconds without console output */
#define DEFAULT_STEP_TIMEOUT 60.0 /* seconds a step may wait, once booted */
#define DEFAULT_BOOT_TIMEOUT 120.0 /* seconds from launch to boot marker */
#define DEFAULT_CMDLINE "console=ttyS0 panic=-1 sysrq_always_enabled"

enum step_kind {
	STEP_EXPECT, /* expect PATTERN [timeout D] */
	STEP_EXPECT_NOT, /* expect-not PATTERN [for D] */
	STEP_SEND, /* send STRING */
	STEP_EXIT, /* exit STATUS [timeout D] */
	STEP_SHUTDOWN, /* shutdown [timeout D] */
	STEP_EXPECT_CRASH, /* expect-crash [PATTERN] [timeout D] */
};

struct step {
	enum step_kind kind;
	int line, col;
	bool has_pattern;
	struct pattern pat;
	char *data; /* send: the bytes */
	size_t data_len;
	int status; /* exit */
	double timeout; /* seconds; 0: none (the test's limits) */
};

/*
 * A device, as the launcher's option --KIND[=VALUE] names it.  A `share`
 * setting is the device "share" with the value HOSTDIR:TAG[:ro], and
 * `device fs` has SOCKET:TAG (share.h takes both apart).
 */
struct device {
	char *kind; /* block, block-ro, rng, virtio-console, tunnet, sharenet,
		     * fs, share */
	char *value; /* NULL when the kind takes none */
};

/* What the guest's root is. */
enum rootfs_mode {
	ROOTFS_UNSET,
	ROOTFS_INITRAMFS, /* the initrd (default) */
	ROOTFS_HOST, /* this machine's / read-only over virtio-fs (rootfs.h) */
};

/* What to make of KTAP/TAP the guest prints. */
enum ktap_mode {
	KTAP_UNSET,
	KTAP_JUDGE, /* report its subtests; a failed one fails the test */
	KTAP_REPORT, /* only report them */
	KTAP_IGNORE, /* do not look for it */
};

/*
 * How a test is expected to end (expect-verdict): a test that is meant to
 * fail or hang at its last step passes when it does.
 */
enum expect_verdict {
	EXPECT_UNSET,
	EXPECT_PASS,
	EXPECT_FAIL,
	EXPECT_HANG,
};

/* What to boot.  A NULL/0/negative field is unset and inherits. */
struct config {
	char *kernel;
	char *initrd;
	unsigned int mem_mb;
	unsigned int cpus; /* vCPUs: lguest --cpus, qemu -smp */
	char *cmdline; /* extra kernel arguments, after the defaults */
	struct device *devices;
	size_t ndevices;
	double timeout;
	double idle_timeout;
	double step_timeout; /* a step without a timeout of its own */
	double boot_timeout; /* launch to the boot marker */
	struct pattern *boot_marker; /* default: BOOT_MARKER, literally */
	/*
	 * The guest prints the boot marker for sure (it boots lgtest's
	 * default initramfs): the test has a boot phase (see run.c).
	 */
	bool prints_marker;
	enum ktap_mode ktap; /* default: judge */
	enum expect_verdict expect_verdict; /* default: pass */
	struct pattern *hang_title; /* expect-verdict hang PATTERN, or NULL */
	enum rootfs_mode rootfs; /* default: initramfs */
};

struct testcase {
	char *name;
	const char *file; /* the script's path */
	int line; /* of its `test` line, or 1 */
	struct config cfg; /* its own settings, the file's merged under */
	struct step *steps;
	size_t nsteps;
};

struct script {
	char *path;
	struct testcase *tests;
	size_t ntests;
};

/*
 * Parse a script's text.  path names it in messages and anchors relative
 * file names.  On a syntax error returns false and sets err to
 * "path:line:col: message".
 */
bool script_parse(const char *path, const char *text, struct script *s,
		  char **err);

/* Read and parse the file at path. */
bool script_load(const char *path, struct script *s, char **err);

void script_free(struct script *s);

/* Lay over: every field set in top replaces or (lists, cmdline) extends. */
void config_merge(struct config *base, const struct config *top);
/*
 * Where the duration setting kw ("timeout", "idle-timeout", ...) keeps
 * its value in c; NULL when kw is no such setting.
 */
double *config_duration(struct config *c, const char *kw);
/* The defaults for what is still unset: timeouts, memory. */
void config_defaults(struct config *c);
/* The vCPUs to give the guest: cpus, or the default when unset. */
static inline unsigned int config_cpus(const struct config *c)
{
	return c->cpus ? c->cpus : DEFAULT_CPUS;
}
void config_free(struct config *c);

const char *step_keyword(enum step_kind kind);
/* "pass", "fail", "hang"; NULL for EXPECT_UNSET. */
const char *expect_verdict_name(enum expect_verdict v);

#endif
