// SPDX-License-Identifier: GPL-2.0
/*
 * Crash reports and their titles.  A report starts at a line that one of
 * the rules below matches (after the console's "[  12.345678]" time stamp
 * and similar prefixes are taken off); the earliest such line in the
 * console is the crash.  The title is built from that line and, for most
 * kinds, the function to blame: the first function, among the one the
 * start line names, the RIP line's and the first call trace's reliable
 * frames, that is not reporting or scheduling machinery.
 */
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash.h"
#include "util.h"

#define LINE_MAX_LEN 1024
#define FUNC_MAX 128

enum rule_kind {
	R_PANIC,
	R_KASAN,
	R_KFENCE,
	R_KCSAN,
	R_UBSAN,
	R_NULL_DEREF,
	R_PAGE_FAULT,
	R_SOFT_LOCKUP,
	R_HARD_LOCKUP,
	R_SCHED_ATOMIC,
	R_SLEEPING,
	R_LIST,
	R_USERCOPY,
	R_REFCOUNT,
	R_SLUB,
	R_BUG_OTHER,
	R_GPF,
	R_KERNEL_BUG,
	R_TRAP,
	R_DEADLOCK,
	R_RCU_USAGE,
	R_LOCKDEP_OTHER,
	R_WARNING,
	R_WARNING_OLD,
	R_HUNG_TASK,
	R_RCU_STALL,
};

/*
 * Table order matters: a line is taken by the first rule that matches it,
 * so the specific "BUG: ..." and "WARNING: ..." forms come before the
 * general ones.
 */
static const struct rule {
	enum rule_kind kind;
	const char *src;
} rules[] = {
	{R_PANIC, "^Kernel panic - not syncing: (.*)$"},
	{R_KASAN, "^BUG: KASAN: ([a-z0-9-]+) in ([A-Za-z0-9_.]+)"},
	{R_KFENCE, "^BUG: KFENCE: ([a-z -]+) in ([A-Za-z0-9_.]+)"},
	{R_KCSAN, "^BUG: KCSAN: ([a-z-]+) in (.*)$"},
	{R_UBSAN, "^UBSAN: ([a-z-]+) in ([^ ]+)"},
	{R_NULL_DEREF,
	 "^BUG: (unable to handle )?kernel NULL pointer dereference"},
	{R_PAGE_FAULT,
	 "^BUG: unable to handle (page fault|kernel paging request)"},
	{R_SOFT_LOCKUP, "^(watchdog: )?BUG: soft lockup - CPU#"},
	{R_HARD_LOCKUP, "^(watchdog: )?Watchdog detected hard LOCKUP on cpu"},
	{R_SCHED_ATOMIC, "^BUG: scheduling while atomic"},
	{R_SLEEPING, "^BUG: sleeping function called from invalid context"},
	{R_LIST, "^list_(add|del) corruption"},
	{R_USERCOPY,
	 "^usercopy: Kernel memory (exposure|overwrite) attempt detected"},
	{R_REFCOUNT, "^refcount_t: [a-z]"},
	{R_SLUB, "^BUG [^ ]+ \\([^)]*\\): (.+)$"},
	{R_BUG_OTHER, "^BUG: ([^:,]+)"},
	{R_GPF, "^general protection fault"},
	{R_KERNEL_BUG, "^kernel BUG at ([^ ]+)!"},
	{R_TRAP, "^([a-z][a-z ]+): [0-9a-f]{4} \\[#[0-9]+\\]"},
	{R_DEADLOCK, "^WARNING: (possible circular locking dependency|possible "
		     "recursive locking|possible irq lock inversion "
		     "dependency|.*-safe -> .*-unsafe lock order) detected"},
	{R_RCU_USAGE, "^WARNING: suspicious RCU usage"},
	{R_LOCKDEP_OTHER, "^WARNING: ([a-z][a-z ]*[a-z!])[ ]*$"},
	{R_WARNING,
	 "^WARNING: CPU: [0-9]+ PID: [0-9]+ at [^ ]+ ([A-Za-z0-9_.]+)"},
	{R_WARNING_OLD, "^WARNING: at [^ ]+ ([A-Za-z0-9_.]+)"},
	{R_HUNG_TASK, "^INFO: task .* blocked for more than [0-9]+ seconds"},
	{R_RCU_STALL, "^(rcu: )?INFO: rcu_[a-z]+ (self-)?detected stalls?"},
};

/* Functions that report, trap, schedule or wait: never the one to blame. */
static const char *const not_guilty[] = {
	"dump_stack*",
	"__dump_stack",
	"show_stack",
	"dump_backtrace",
	"panic",
	"__warn*",
	"warn_slowpath*",
	"report_bug",
	"handle_bug",
	"exc_*",
	"asm_exc_*",
	"do_error_trap",
	"do_trap",
	"die",
	"oops_*",
	"__die*",
	"__schedule*",
	"schedule",
	"schedule_timeout*",
	"schedule_preempt_disabled",
	"preempt_schedule*",
	"__wait_for_common",
	"wait_for_completion*",
	"io_schedule*",
	"__might_sleep",
	"__might_resched",
	"___might_sleep",
	"__might_fault",
	"kasan_*",
	"__kasan_*",
	"__asan_*",
	"print_address_description*",
	"print_report",
	"check_memory_region",
	"ubsan_*",
	"__ubsan_*",
	"kfence_*",
	"__kfence_*",
	"kcsan_*",
	"__tsan_*",
	"refcount_warn_saturate",
	"__list_add_valid*",
	"__list_del_entry_valid*",
	"usercopy_abort",
	"__check_heap_object",
	"check_heap_object",
	"__check_object_size",
	"check_object_size",
	"delay_tsc",
	"delay_loop",
	"__const_udelay",
	"__udelay",
	"udelay",
	"native_safe_halt",
	"kthread",
	"ret_from_fork*",
	"entry_SYSCALL*",
	"do_syscall_64",
	"lock_acquire*",
	"lock_release",
	"_raw_spin_lock*",
	"_raw_read_lock*",
	"_raw_write_lock*",
	"kfree",
	"kmem_cache_free",
	"memcpy",
	"memset",
	"memmove",
	"strlen",
	"strcpy",
	"rcu_*",
	"__rcu_*",
	"__copy_overflow",
	"copy_overflow",
	"object_err",
	"slab_err",
	"free_to_partial_list",
	"free_debug_processing",
	"__slab_free",
	"print_trailer",
	"msleep*",
};

static regex_t rule_re[ARRAY_SIZE(rules)];
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

/* Once per process, whichever of the tests running side by side is first. */
static void compile_rules_once(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		if (regcomp(&rule_re[i], rules[i].src, REG_EXTENDED)) {
			fprintf(stderr, "lgtest: internal error: bad rule %s\n",
				rules[i].src);
			abort();
		}
	}
}

static void compile_rules(void)
{
	pthread_once(&rules_once, compile_rules_once);
}

/*
 * Where a console line's message begins: after a syslog level "<4>", a
 * time stamp "[   12.345678]" and a caller id "[  T123]" or "[    C1]".
 */
static size_t message_start(const char *s, size_t len)
{
	size_t i = 0, j;

	if (len >= 3 && s[0] == '<' && s[2] == '>')
		i = 3;
	while (i < len && s[i] == '[') {
		for (j = i + 1; j < len && s[j] != ']'; j++)
			if (!strchr(" 0123456789.TC", s[j]))
				return i;
		if (j >= len)
			return i;
		i = j + 1;
		if (i < len && s[i] == ' ')
			i++;
	}
	return i;
}

/*
 * A console line's message, NUL-terminated and cut to LINE_MAX_LEN, with
 * its indentation (call trace frames have some) taken off.
 */
static void message_of(const char *line, size_t len, char *out)
{
	size_t at = message_start(line, len);

	while (at < len && (line[at] == ' ' || line[at] == '\t'))
		at++;
	len -= at;
	if (len >= LINE_MAX_LEN)
		len = LINE_MAX_LEN - 1;
	memcpy(out, line + at, len);
	out[len] = '\0';
}

static size_t line_len(const char *s, const char *end)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));

	return nl ? (size_t)(nl - s) : (size_t)(end - s);
}

static int match_rule(const char *msg, regmatch_t *m, size_t nm)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rules); i++)
		if (!regexec(&rule_re[i], msg, nm, m, 0))
			return (int)i;
	return -1;
}

/* ---- normalisation ------------------------------------------------------ */

/* Replace every match of re in s (in place, s has room for size bytes). */
static void substitute(char *s, size_t size, const char *re_src,
		       const char *rep)
{
	struct buf out = {0};
	regmatch_t m[2];
	regex_t re;
	const char *p = s;

	if (regcomp(&re, re_src, REG_EXTENDED))
		abort();
	while (!regexec(&re, p, 2, m, p == s ? 0 : REG_NOTBOL) &&
	       m[0].rm_eo > 0) {
		const char *r;

		buf_add(&out, p, (size_t)m[0].rm_so);
		for (r = rep; *r; r++) {
			if (r[0] == '\\' && r[1] == '1' && m[1].rm_so >= 0) {
				buf_add(&out, p + m[1].rm_so,
					(size_t)(m[1].rm_eo - m[1].rm_so));
				r++;
			} else {
				buf_add(&out, r, 1);
			}
		}
		p += m[0].rm_eo;
	}
	buf_add(&out, p, strlen(p));
	snprintf(s, size, "%s", out.data);
	buf_free(&out);
	regfree(&re);
}

void crash_normalize(const char *in, char *out, size_t outlen)
{
	char *r, *w;

	snprintf(out, outlen, "%s", in);
	/* func+0x12/0x34 [mod] -> func */
	substitute(out, outlen,
		   "\\+0x[0-9a-f]+/0x[0-9a-f]+( \\[[A-Za-z0-9_]+\\])?", "");
	/* compiler clones: foo.constprop.0, foo.isra.1, foo.cold -> foo */
	substitute(out, outlen,
		   "([A-Za-z0-9_])\\.(constprop|isra|part|cold|llvm)[.0-9]*",
		   "\\1");
	/* fs/foo.c:123:45 -> fs/foo.c */
	substitute(out, outlen, "([A-Za-z0-9_.-]+\\.[chS]):[0-9]+(:[0-9]+)?",
		   "\\1");
	substitute(out, outlen, "0x[0-9a-fA-F]+", "ADDR");
	substitute(out, outlen, "\\<[0-9a-f]{8,}\\>", "ADDR");
	/* fold white space */
	for (r = w = out; *r; r++) {
		if ((*r == ' ' || *r == '\t') && (w == out || w[-1] == ' '))
			continue;
		*w++ = *r == '\t' ? ' ' : *r;
	}
	while (w > out && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* ---- the function to blame ---------------------------------------------- */

static bool is_not_guilty(const char *fn)
{
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(not_guilty); i++) {
		n = strlen(not_guilty[i]);
		if (not_guilty[i][n - 1] == '*'
			    ? !strncmp(fn, not_guilty[i], n - 1)
			    : !strcmp(fn, not_guilty[i]))
			return true;
	}
	return false;
}

/*
 * Copy the symbol at s (an identifier, possibly with .clone suffixes) to
 * out without its suffixes.  Returns its length in s, 0 if none is there.
 */
static size_t symbol_at(const char *s, char *out)
{
	size_t n = 0, keep;

	if (!(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') ||
	      (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while (s[n] &&
	       (s[n] == '_' || s[n] == '.' || (s[n] >= '0' && s[n] <= '9') ||
		(s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z')))
		n++;
	keep = strcspn(s, ".");
	if (keep > n)
		keep = n;
	if (keep >= FUNC_MAX)
		keep = FUNC_MAX - 1;
	memcpy(out, s, keep);
	out[keep] = '\0';
	return n;
}

static bool take_candidate(const char *fn, char *out)
{
	if (!fn[0] || is_not_guilty(fn))
		return false;
	snprintf(out, FUNC_MAX, "%s", fn);
	return true;
}

/* "RIP: 0010:func+0x1/0x2" (kernel mode only) or the older "IP: [<..>] func".
 */
static bool rip_function(const char *msg, char *fn)
{
	const char *p;

	if (!strncmp(msg, "RIP: 0010:", 10))
		p = msg + 10;
	else if (!strncmp(msg, "IP: [<", 6) && (p = strstr(msg, "] ")))
		p += 2;
	else
		return false;
	return symbol_at(p, fn) && p[strlen(fn)] != '\0' &&
	       strchr("+.", p[strlen(fn)]);
}

static bool is_trace_marker(const char *msg)
{
	return msg[0] == '<' && strchr(msg, '>') && !strchr(msg, ' ');
}

/*
 * A reliable call trace frame: "func+0x1/0x2 [mod]", "func file.c:12"
 * (syzkaller's symbolised form), "func (file.c:12)" (decode_stacktrace)
 * or, from old kernels, "[<ffffffff8100a0b0>] func+0x1/0x2".
 */
static bool frame_function(const char *msg, char *fn)
{
	const char *close;
	size_t n;

	while (*msg == ' ')
		msg++;
	if (!strncmp(msg, "[<", 2) && (close = strstr(msg, ">] ")))
		msg = close + 3;
	n = symbol_at(msg, fn);
	if (!n)
		return false;
	return (msg[n] == '+' && msg[n + 1] == '0') ||
	       (msg[n] == ' ' && strstr(msg + n, ".c:"));
}

/* An unreliable frame ("? func+0x1/0x2"), which still belongs to the trace. */
static bool is_unreliable_frame(const char *msg)
{
	char fn[FUNC_MAX];

	while (*msg == ' ')
		msg++;
	return msg[0] == '?' && msg[1] == ' ' &&
	       (frame_function(msg + 2, fn) || !strncmp(msg + 2, "0x", 2));
}

/*
 * Where a stack starts: a call trace, or the stack under a KFENCE
 * "Use-after-free read at 0x...:" line.
 */
static bool starts_trace(const char *msg)
{
	size_t n = strlen(msg);

	return !strcmp(msg, "Call Trace:") || !strcmp(msg, "Call trace:") ||
	       (n && msg[n - 1] == ':' && strstr(msg, " at 0x") &&
		(strstr(msg, " read ") || strstr(msg, " write ")));
}

struct report_view {
	const char *s;
	const char *end;
};

/*
 * The function to blame: hint if it is not machinery, else the first
 * kernel RIP's function, else the first reliable frame of the first call
 * trace that has one.
 */
static bool guilty_function(const struct report_view *v, const char *hint,
			    char *out)
{
	char msg[LINE_MAX_LEN], fn[FUNC_MAX];
	const char *p;
	bool in_trace = false, trace_done = false;
	char frame_pick[FUNC_MAX] = "", rip_pick[FUNC_MAX] = "";

	if (hint && take_candidate(hint, out))
		return true;
	for (p = v->s; p < v->end; p += line_len(p, v->end) + 1) {
		message_of(p, line_len(p, v->end), msg);
		if (!rip_pick[0] && rip_function(msg, fn))
			take_candidate(fn, rip_pick);
		if (starts_trace(msg)) {
			in_trace = !trace_done;
			continue;
		}
		if (!in_trace || is_trace_marker(msg) ||
		    is_unreliable_frame(msg))
			continue;
		if (!frame_function(msg, fn)) {
			in_trace = false;
			trace_done = frame_pick[0];
			continue;
		}
		if (!frame_pick[0])
			take_candidate(fn, frame_pick);
	}
	if (rip_pick[0] || frame_pick[0]) {
		snprintf(out, FUNC_MAX, "%s",
			 rip_pick[0] ? rip_pick : frame_pick);
		return true;
	}
	return false;
}

/*
 * The function after the first lockdep "at: " in the report, passing over
 * inline helpers from headers (syzkaller prints "at: f include/x.h:9
 * [inline]" before the function that holds them).
 */
static bool lock_function(const struct report_view *v, char *out)
{
	char msg[LINE_MAX_LEN];
	const char *p, *at;
	size_t n;

	for (p = v->s; p < v->end; p += line_len(p, v->end) + 1) {
		message_of(p, line_len(p, v->end), msg);
		at = strstr(msg, "at: ");
		if (!at || !(n = symbol_at(at + 4, out)) || is_not_guilty(out))
			continue;
		if (!strstr(at + 4 + n, ".h:"))
			return true;
	}
	return false;
}

/* The first line within the first few of the report that matches re_src. */
static bool find_nearby(const struct report_view *v, const char *re_src,
			int max_lines, char *group, size_t glen)
{
	char msg[LINE_MAX_LEN];
	regmatch_t m[2];
	const char *p;
	regex_t re;
	bool found = false;

	if (regcomp(&re, re_src, REG_EXTENDED))
		abort();
	for (p = v->s; p < v->end && max_lines-- > 0 && !found;
	     p += line_len(p, v->end) + 1) {
		message_of(p, line_len(p, v->end), msg);
		if (regexec(&re, msg, 2, m, 0))
			continue;
		found = true;
		snprintf(group, glen, "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
			 msg + m[1].rm_so);
	}
	regfree(&re);
	return found;
}

/* ---- titles ----------------------------------------------------------------
 */

/* Titles are cut at CRASH_TITLE_MAX on purpose. */
static void set_title(char *title, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_title(char *title, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(title, CRASH_TITLE_MAX, fmt, ap);
	va_end(ap);
}

static void group(const char *msg, const regmatch_t *m, int i, char *out,
		  size_t len)
{
	if (m[i].rm_so < 0)
		out[0] = '\0';
	else
		snprintf(out, len, "%.*s", (int)(m[i].rm_eo - m[i].rm_so),
			 msg + m[i].rm_so);
}

/* "base in guilty", or base alone when nothing is to blame. */
static void blame(char *title, const char *base, const struct report_view *v,
		  const char *hint)
{
	char fn[FUNC_MAX];

	if (guilty_function(v, hint, fn))
		set_title(title, "%s in %s", base, fn);
	else
		set_title(title, "%s", base);
}

/* The general "BUG: what" form: what up to " at ", " in ", " for ", " - ". */
static void bug_other(char *title, const char *what,
		      const struct report_view *v)
{
	static const char *const cuts[] = {" at ", " in ", " for ", " - "};
	char base[CRASH_TITLE_MAX];
	size_t i, n = strlen(what);
	const char *c;

	for (i = 0; i < ARRAY_SIZE(cuts); i++)
		if ((c = strstr(what, cuts[i])) && (size_t)(c - what) < n)
			n = (size_t)(c - what);
	while (n && (what[n - 1] == '!' || what[n - 1] == ' '))
		n--;
	set_title(base, "BUG: %.*s", (int)n, what);
	blame(title, base, v, NULL);
}

static void lockdep_title(char *title, const char *base,
			  const struct report_view *v)
{
	char fn[FUNC_MAX];

	if (lock_function(v, fn))
		set_title(title, "%s in %s", base, fn);
	else
		blame(title, base, v, NULL);
}

static void kasan_title(char *title, const char *msg, const regmatch_t *m,
			const struct report_view *v)
{
	char kind[64], fn[FUNC_MAX], access[16], base[CRASH_TITLE_MAX];

	group(msg, m, 1, kind, sizeof(kind));
	group(msg, m, 2, fn, sizeof(fn));
	symbol_at(fn, fn);
	if (find_nearby(v, "^(Read|Write) of size", 4, access, sizeof(access)))
		set_title(base, "KASAN: %s %s", kind, access);
	else
		set_title(base, "KASAN: %s", kind);
	blame(title, base, v, fn);
}

static void rcu_usage_title(char *title, const struct report_view *v)
{
	char file[CRASH_TITLE_MAX];

	if (find_nearby(v, "^([^ ]+\\.[chS]):[0-9]+ suspicious", 6, file,
			sizeof(file)))
		set_title(title, "suspicious RCU usage at %s", file);
	else
		set_title(title, "suspicious RCU usage");
}

/* What the start line's own words give, before normalisation. */
static void raw_title(enum rule_kind kind, const char *msg, const regmatch_t *m,
		      const struct report_view *v, char *title)
{
	char a[CRASH_TITLE_MAX], b[CRASH_TITLE_MAX], base[CRASH_TITLE_MAX];
	char fn[FUNC_MAX];
	static const char *const fixed[] = {
		[R_NULL_DEREF] =
			"BUG: unable to handle kernel NULL pointer dereference",
		[R_PAGE_FAULT] = "BUG: unable to handle kernel paging request",
		[R_SOFT_LOCKUP] = "BUG: soft lockup",
		[R_HARD_LOCKUP] = "BUG: hard lockup",
		[R_SCHED_ATOMIC] = "BUG: scheduling while atomic",
		[R_SLEEPING] =
			"BUG: sleeping function called from invalid context",
		[R_LIST] = "BUG: corrupted list",
		[R_USERCOPY] = "BUG: bad usercopy",
		[R_REFCOUNT] = "refcount bug",
		[R_GPF] = "general protection fault",
		[R_HUNG_TASK] = "INFO: task hung",
		[R_RCU_STALL] = "INFO: rcu detected stall",
	};

	group(msg, m, 1, a, sizeof(a));
	group(msg, m, 2, b, sizeof(b));
	switch (kind) {
	case R_PANIC:
		set_title(title, "kernel panic: %s", a);
		break;
	case R_KASAN:
		kasan_title(title, msg, m, v);
		break;
	case R_KFENCE:
		symbol_at(b, b);
		set_title(base, "KFENCE: %s", a);
		blame(title, base, v, b);
		break;
	case R_KCSAN:
		set_title(title, "KCSAN: %s in %s", a, b);
		break;
	case R_UBSAN:
		if (guilty_function(v, NULL, fn))
			set_title(title, "UBSAN: %s in %s", a, fn);
		else
			set_title(title, "UBSAN: %s in %s", a, b);
		break;
	case R_BUG_OTHER:
		bug_other(title, a, v);
		break;
	case R_SLUB:
		set_title(base, "BUG: %s", a);
		blame(title, base, v, NULL);
		break;
	case R_KERNEL_BUG:
		if (guilty_function(v, NULL, fn))
			set_title(title, "kernel BUG in %s", fn);
		else
			set_title(title, "kernel BUG at %s", a);
		break;
	case R_TRAP:
		blame(title, a, v, NULL);
		break;
	case R_DEADLOCK:
		lockdep_title(title, "possible deadlock", v);
		break;
	case R_RCU_USAGE:
		rcu_usage_title(title, v);
		break;
	case R_LOCKDEP_OTHER:
		substitute(a, sizeof(a), "( detected)?!$", "");
		lockdep_title(title, a, v);
		break;
	case R_WARNING:
	case R_WARNING_OLD:
		symbol_at(a, a);
		blame(title, "WARNING", v, a);
		break;
	default:
		blame(title, fixed[kind], v, NULL);
		break;
	}
}

static void make_title(int rule, const char *msg, const regmatch_t *m,
		       const struct report_view *v, char *title)
{
	char raw[CRASH_TITLE_MAX];

	raw_title(rules[rule].kind, msg, m, v, raw);
	crash_normalize(raw, title, CRASH_TITLE_MAX);
}

/* ---- finding reports ------------------------------------------------------
 */

static bool is_end_marker(const char *msg)
{
	return !strncmp(msg, "---[ end trace", 14) ||
	       !strncmp(msg, "---[ end Kernel panic", 21) ||
	       !strncmp(msg, "Kernel Offset:", 14);
}

/*
 * A report's header may hold lines that would start a report of their own
 * ("BUG: ..." then "Oops: ...", "refcount_t: ..." then "WARNING: ...");
 * once its body has begun (the CPU line, RIP or call trace), another start
 * line begins a new report and ends this one.
 */
static bool begins_body(const char *msg)
{
	return !strncmp(msg, "CPU: ", 5) || !strncmp(msg, "RIP: ", 5) ||
	       !strcmp(msg, "Call Trace:");
}

/* Judge the report at r->start on the lines that have arrived. */
static void judge(struct crash_report *r, const char *text, size_t len,
		  bool settled)
{
	char msg[LINE_MAX_LEN];
	regmatch_t m[4];
	struct report_view v = {text + r->start, text + len};
	const char *p = v.s;
	int lines = 0, rule;
	bool body = false;

	while (p < v.end && lines < CRASH_REPORT_LINES && !r->complete) {
		size_t n = line_len(p, v.end);

		if (p + n == v.end && !settled)
			break; /* an unfinished line */
		message_of(p, n, msg);
		if (body && match_rule(msg, m, ARRAY_SIZE(m)) >= 0) {
			r->complete = true;
			break;
		}
		body = body || begins_body(msg);
		r->complete = is_end_marker(msg);
		lines++;
		p += n + 1;
	}
	if (p > v.end)
		p = v.end;
	r->end = (size_t)(p - text);
	if (lines >= CRASH_REPORT_LINES || settled)
		r->complete = true;
	if (!r->complete)
		return;
	v.end = p;
	message_of(v.s, line_len(v.s, v.end), msg);
	rule = match_rule(msg, m, ARRAY_SIZE(m));
	make_title(rule, msg, m, &v, r->title);
}

void crash_feed(struct crash_detector *d, const char *text, size_t len,
		bool settled)
{
	char msg[LINE_MAX_LEN];
	regmatch_t m[4];
	const char *nl;

	compile_rules();
	while (!d->report.found && d->scanned < len) {
		nl = memchr(text + d->scanned, '\n', len - d->scanned);
		if (!nl && !settled)
			break;
		d->lines++;
		message_of(text + d->scanned,
			   line_len(text + d->scanned, text + len), msg);
		if (match_rule(msg, m, ARRAY_SIZE(m)) >= 0) {
			d->report.found = true;
			d->report.start = d->scanned;
			d->report.start_line = d->lines;
			break;
		}
		d->scanned = nl ? (size_t)(nl - text) + 1 : len;
	}
	if (d->report.found && !d->report.complete)
		judge(&d->report, text, len, settled);
}

bool crash_classify(const char *text, size_t len, struct crash_report *r)
{
	struct crash_detector d = {0};

	crash_feed(&d, text, len, true);
	*r = d.report;
	return r->found;
}
