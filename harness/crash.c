// SPDX-License-Identifier: GPL-2.0
/*
 * Crash reports and their titles.  A report starts at a line that one of
 * the rules below matches (after the console's "[  12.345678]" time stamp
 * and similar prefixes are taken off); the earliest such line in the
 * console is the crash.  The title is built from that line and, for most
 * kinds, the function to blame (crash_blame.c), after syzkaller's
 * conventions: "WARNING in f", "KASAN: use-after-free Read in f", "INFO:
 * task hung in f", "possible deadlock in f", and "... in corrupted" when
 * a report that always names a function has none to give.
 */
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash.h"
#include "crash_int.h"
#include "util.h"

/* How a rule's title is made, besides its template. */
enum rule_kind {
	K_PLAIN, /* the template, then " in f" as its blame says */
	K_PANIC,
	K_KASAN,
	K_UBSAN,
	K_WARNING,
	K_STACK_WARNING,
	K_BUG,
	K_LOCKDEP,
	K_KERNEL_BUG,
	K_WQ_LEAK,
};

#define R_ANYWHERE 1u /* may follow other text on its line */
#define R_NEEDS_FN 2u /* always names a function: "in corrupted" without */
#define R_HINT 4u /* group 2 names a function, used unless machinery */
#define R_TRAP 8u /* an x86 trap: "name: 0000 [#1]" */
#define R_NO_STACK_CUT 16u /* "in corrupted" without any stack, hint or not */
#define R_CALLER 32u /* a "caller is f" line names the function */
#define R_OWN 64u /* a sanitizer's: never part of another report's header */

/*
 * lit: the literal a matching message starts with (or holds, for
 * R_ANYWHERE rules), checked before the regex for speed.  Templates take
 * the regex's match as \0, its groups as \1 and \2.  Table order matters: a
 * line is taken by the first rule that matches it, so specific forms come
 * first.
 */
static const struct rule {
	const char *lit;
	const char *re;
	enum rule_kind kind;
	const char *title;
	enum blame how;
	unsigned int flags;
} rules[] = {
	{"Kernel panic - not syncing: ", "(.*)$", K_PANIC, "kernel panic: \\1",
	 B_NONE, R_ANYWHERE},
	{"BUG: KASAN: ", "([a-z -]+) in ([A-Za-z0-9_.]+)(.*)$", K_KASAN, NULL,
	 B_FIRST, R_NEEDS_FN | R_HINT | R_OWN},
	{"BUG: KMSAN: ", "([a-z-]+) in ([A-Za-z0-9_.]+)", K_PLAIN, "KMSAN: \\1",
	 B_FIRST, R_NEEDS_FN | R_HINT | R_OWN},
	{"BUG: KFENCE: ", "([a-z -]+) in ([A-Za-z0-9_.]+)", K_PLAIN,
	 "KFENCE: \\1", B_FIRST, R_NEEDS_FN | R_HINT | R_OWN},
	{"BUG: KCSAN: ", "(.*)$", K_PLAIN, "KCSAN: \\1", B_NONE, R_OWN},
	{"UBSAN: Undefined behaviour in ", "([^ ]+)", K_UBSAN,
	 "UBSAN: undefined-behaviour", B_FIRST, 0},
	{"UBSAN: ", "([a-z-]+) in ([^ ]+)", K_UBSAN, "UBSAN: \\1", B_FIRST, 0},
	{"BUG: ", "(unable to handle )?kernel NULL pointer dereference",
	 K_PLAIN, "BUG: unable to handle kernel NULL pointer dereference",
	 B_FIRST, R_NEEDS_FN},
	{"BUG: unable to handle ", "(page fault|kernel paging request)",
	 K_PLAIN, "BUG: unable to handle kernel paging request", B_FIRST,
	 R_NEEDS_FN},
	{"Unable to handle kernel NULL pointer dereference", "", K_PLAIN,
	 "BUG: unable to handle kernel NULL pointer dereference", B_FIRST,
	 R_NEEDS_FN},
	{"Unable to handle kernel ", "[a-z ]+ at virtual address", K_PLAIN,
	 "BUG: unable to handle kernel paging request", B_FIRST, R_NEEDS_FN},
	{"BUG: soft lockup", "", K_PLAIN, "BUG: soft lockup", B_STALL,
	 R_NEEDS_FN},
	{"Watchdog detected hard LOCKUP", "", K_PLAIN, "BUG: hard lockup",
	 B_STALL, R_NEEDS_FN},
	{"BUG: scheduling while atomic", "", K_PLAIN,
	 "BUG: scheduling while atomic", B_FIRST, R_NEEDS_FN},
	{"BUG: sleeping function called from invalid context", "", K_PLAIN,
	 "BUG: sleeping function called from invalid context", B_FIRST,
	 R_NEEDS_FN},
	{"BUG: using ", "([a-z_]+\\(\\)) in preemptible", K_PLAIN,
	 "BUG: using \\1 in preemptible code", B_FIRST, R_NEEDS_FN | R_CALLER},
	{"BUG: MAX_", "[A-Z_]+ too low!", K_PLAIN, "BUG: MAX_\\0", B_NONE, 0},
	{"BUG: workqueue lockup", "", K_PLAIN, "BUG: workqueue lockup", B_NONE,
	 0},
	{"BUG: workqueue leaked lock or atomic", "", K_WQ_LEAK,
	 "BUG: workqueue leaked lock or atomic", B_NONE, 0},
	{"BUG: memory leak", "", K_PLAIN, "memory leak", B_LEAK, R_NEEDS_FN},
	{"unreferenced object 0x", "", K_PLAIN, "memory leak", B_LEAK,
	 R_NEEDS_FN},
	{"list_", "(add|del)[a-z_]* (corruption|double add)", K_PLAIN,
	 "BUG: corrupted list", B_FIRST, 0},
	{"usercopy: ", "[Kk]ernel memory (exposure|overwrite) attempt", K_PLAIN,
	 "BUG: bad usercopy", B_FIRST, 0},
	{"refcount_t: ", "[a-z]", K_PLAIN, "WARNING: refcount bug", B_FIRST,
	 R_NEEDS_FN},
	{"ODEBUG: ", "[a-z_]+ [a-z ]*\\(active state", K_PLAIN,
	 "WARNING: ODEBUG bug", B_FIRST, R_NEEDS_FN},
	{"BUG ", "[^ ]+ \\([^)]*\\): (.+)$", K_PLAIN, "BUG: \\1", B_FIRST, 0},
	{"[ BUG: ", "(.*[a-z!]) ]$", K_LOCKDEP, "BUG", B_LOCK, 0},
	{"[ INFO: ", "(.*[a-z!.]) ]$", K_LOCKDEP, "INFO", B_LOCK, 0},
	{"WARNING: ",
	 "(possible circular locking dependency|possible recursive "
	 "locking|possible irq lock inversion dependency|.*-safe -> "
	 ".*-unsafe lock order) detected",
	 K_PLAIN, "possible deadlock", B_LOCK, R_NEEDS_FN},
	{"WARNING: inconsistent lock state", "", K_PLAIN,
	 "inconsistent lock state", B_LOCK, R_NEEDS_FN},
	{"INFO: inconsistent lock state", "", K_PLAIN,
	 "inconsistent lock state", B_LOCK, R_NEEDS_FN},
	{"WARNING: suspicious RCU usage", "", K_PLAIN,
	 "WARNING: suspicious RCU usage", B_FIRST, 0},
	{"INFO: suspicious RCU usage", "", K_PLAIN,
	 "INFO: suspicious RCU usage", B_FIRST, 0},
	{"INFO: trying to register non-static key", "", K_PLAIN,
	 "INFO: trying to register non-static key", B_FIRST, 0},
	{"WARNING: CPU: ", "[0-9]+ PID: [0-9]+ at ([^ ]+) ([A-Za-z0-9_.]+)",
	 K_WARNING, NULL, B_FIRST, R_NEEDS_FN | R_HINT | R_NO_STACK_CUT},
	{"WARNING: at ", "([^ ]+) ([A-Za-z0-9_.]+)", K_WARNING, NULL, B_FIRST,
	 R_NEEDS_FN | R_HINT | R_NO_STACK_CUT},
	{"WARNING: ", "([^ ]+\\.[chS]:[0-9]+) at ([A-Za-z0-9_.]+)", K_WARNING,
	 NULL, B_FIRST, R_NEEDS_FN | R_HINT | R_NO_STACK_CUT},
	{"WARNING: kernel stack ",
	 "(regs|frame pointer) at [0-9a-f]+ in [^ ]+ has bad ('[a-z]+' )?value",
	 K_STACK_WARNING, NULL, B_NONE, 0},
	{"WARNING: ", "(([^ ]+/[0-9]+ )?[a-z][a-z_ '()-]*( detected|!))[ ]*$",
	 K_LOCKDEP, "WARNING", B_LOCK, 0},
	{"BUG: ", "(.+)$", K_BUG, NULL, B_LOCK, 0},
	{"general protection fault", "", K_PLAIN, "general protection fault",
	 B_FIRST, R_NEEDS_FN | R_ANYWHERE},
	{"kernel BUG at ", "([^ ]+)!", K_KERNEL_BUG, "kernel BUG", B_FIRST,
	 R_ANYWHERE},
	{"Kernel BUG at ", "([^ ]+)", K_KERNEL_BUG, "kernel BUG", B_FIRST, 0},
	{"Internal error: Oops - BUG", "", K_PLAIN, "kernel BUG", B_FIRST,
	 R_NEEDS_FN},
	{"Internal error: ", "", K_PLAIN, "Internal error", B_FIRST,
	 R_NEEDS_FN},
	{"Unhandled fault: ", "", K_PLAIN, "Unhandled fault", B_FIRST,
	 R_NEEDS_FN},
	{"Alignment trap: ", "", K_PLAIN, "Alignment trap", B_FIRST,
	 R_NEEDS_FN},
	{"PANIC: double fault", "", K_PLAIN, "PANIC: double fault", B_FIRST,
	 R_NEEDS_FN},
	{"", "([a-z][a-z_ ]+): [0-9a-f]{4} \\[#[0-9]+\\]", K_PLAIN, "\\1",
	 B_FIRST, R_NEEDS_FN | R_TRAP},
	{"INFO: task ",
	 ".* blocked (in I/O wait )?for more than [0-9]+ seconds", K_PLAIN,
	 "INFO: task hung", B_FIRST, R_NEEDS_FN},
	{"INFO: task ", ".* can't die for more than [0-9]+ seconds", K_PLAIN,
	 "INFO: task can't die", B_FIRST, R_NEEDS_FN},
	{"INFO: rcu_", "[a-z]+ (self-)?detected (expedited )?stalls?", K_PLAIN,
	 "INFO: rcu detected stall", B_STALL, R_NEEDS_FN},
	{"unregister_netdevice: waiting for ", "[^ ]+ to become free", K_PLAIN,
	 "unregister_netdevice: waiting for DEV to become free", B_NONE, 0},
	{"VFS: Busy inodes after unmount", "", K_PLAIN,
	 "VFS: Busy inodes after unmount (use-after-free)", B_NONE, 0},
};

/* Prefixes some reports' first lines carry, taken off before matching. */
static const char *const line_prefixes[] = {
	"watchdog: ", "NMI watchdog: ", "Oops: ", "rcu: ", "kernel: ",
};

static regex_t rule_re[ARRAY_SIZE(rules)];
static size_t rule_lit_len[ARRAY_SIZE(rules)];
static bool rule_first_byte[256]; /* some rule's literal starts with it */
static size_t anywhere[ARRAY_SIZE(rules)], nanywhere; /* R_ANYWHERE rules */
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

/* Once per process, whichever of the tests running side by side is first. */
static void compile_rules_once(void)
{
	char src[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		rule_lit_len[i] = strlen(rules[i].lit);
		rule_first_byte[(unsigned char)rules[i].lit[0]] = true;
		if ((rules[i].flags & R_ANYWHERE) && rule_lit_len[i])
			anywhere[nanywhere++] = i;
		snprintf(src, sizeof(src), "^%s", rules[i].re);
		if (regcomp(&rule_re[i], src, REG_EXTENDED)) {
			fprintf(stderr, "lgtest: internal error: bad rule %s\n",
				rules[i].re);
			abort();
		}
	}
}

static void compile_rules(void)
{
	pthread_once(&rules_once, compile_rules_once);
}

/* ---- console lines ------------------------------------------------------- */

/* A kernel's "** 12 printk messages dropped ** " before a line. */
static size_t dropped_prefix(const char *s, size_t len)
{
	static const char tail[] = " printk messages dropped ** ";
	size_t i = 3;

	if (len < 4 || strncmp(s, "** ", 3))
		return 0;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	if (len - i < sizeof(tail) - 1 ||
	    strncmp(s + i, tail, sizeof(tail) - 1))
		return 0;
	return i + sizeof(tail) - 1;
}

/*
 * Where a console line's message begins: after a syslog level "<4>", a
 * time stamp "[   12.345678]" and a caller id "[  T123]" or "[    C1]".
 */
size_t message_start(const char *s, size_t len)
{
	size_t i = dropped_prefix(s, len), j;

	if (len >= i + 3 && s[i] == '<' && s[i + 2] == '>')
		i += 3;
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
void message_of(const char *line, size_t len, char *out)
{
	size_t at = message_start(line, len);

	while (at < len && (line[at] == ' ' || line[at] == '\t'))
		at++;
	while (len > at && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	len -= at;
	if (len >= LINE_MAX_LEN)
		len = LINE_MAX_LEN - 1;
	memcpy(out, line + at, len);
	out[len] = '\0';
}

size_t line_len(const char *s, const char *end)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));

	return nl ? (size_t)(nl - s) : (size_t)(end - s);
}

/*
 * Copy the symbol at s (an identifier, possibly with .clone suffixes) to
 * out without its suffixes.  Returns its length in s, 0 if none is there.
 */
size_t symbol_at(const char *s, char *out)
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

/* ---- matching start lines ------------------------------------------------ */

/* A rule's match: which rule, its groups, and the text they point into. */
struct start_match {
	int rule;
	const char *text;
	regmatch_t m[4];
};

static bool rule_matches_at(size_t i, const char *at, struct start_match *sm)
{
	if (strncmp(at, rules[i].lit, rule_lit_len[i]))
		return false;
	if ((rules[i].flags & R_TRAP) && !strstr(at, " [#"))
		return false;
	if (regexec(&rule_re[i], at + rule_lit_len[i], ARRAY_SIZE(sm->m), sm->m,
		    0))
		return false;
	sm->rule = (int)i;
	sm->text = at + rule_lit_len[i];
	return true;
}

/*
 * Where an x86 trap's "name: 0000 [#1]" begins inside a message, for a
 * trap glued to other output ("...doneinvalid opcode: 0000 [#1]").
 */
static const char *trap_start(const char *msg)
{
	static const char *const traps[] = {
		"divide error",
		"invalid opcode",
		"stack segment",
		"segment not present",
		"invalid TSS",
		"alignment check",
		"bounds",
		"overflow",
		"int3",
		"double fault",
		"coprocessor segment overrun",
	};
	const char *at = strstr(msg, " [#"), *name;
	size_t i, n;

	if (!at || at - msg < 7 || strncmp(at - 6, ": ", 2))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(traps); i++) {
		n = strlen(traps[i]);
		name = at - 6 - n;
		if (name >= msg && !strncmp(name, traps[i], n))
			return name;
	}
	return NULL;
}

/*
 * Whether any rule could match msg: at its start (by the first byte), or
 * further along (the literals of R_ANYWHERE rules, a trap's " [#").  Most
 * console lines start no report; this keeps them cheap.
 */
static bool could_match(const char *msg)
{
	size_t i;

	if (rule_first_byte[(unsigned char)msg[0]] || strstr(msg, " [#"))
		return true;
	for (i = 0; i < nanywhere; i++)
		if (strstr(msg, rules[anywhere[i]].lit))
			return true;
	return false;
}

static bool match_from(const char *msg, struct start_match *sm)
{
	size_t i;
	const char *at;

	if (!could_match(msg))
		return false;
	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		if (rule_matches_at(i, msg, sm))
			return true;
		if (rules[i].flags & R_TRAP)
			at = trap_start(msg);
		else if (!(rules[i].flags & R_ANYWHERE) || !rule_lit_len[i])
			continue;
		else
			at = strstr(msg, rules[i].lit);
		if (at && at != msg && rule_matches_at(i, at, sm))
			return true;
	}
	return false;
}

/*
 * The rule a console message starts a report of, if any: at its start,
 * after a subsystem prefix ("watchdog: "), or after another time stamp
 * further along the line, where console output from two sources met
 * ("syzkaller login: [  417.7] rcu: INFO: ...").
 */
static bool match_start(const char *msg, struct start_match *sm)
{
	const char *p;
	size_t i, n;

	if (match_from(msg, sm))
		return true;
	for (i = 0; i < ARRAY_SIZE(line_prefixes); i++) {
		n = strlen(line_prefixes[i]);
		if (!strncmp(msg, line_prefixes[i], n))
			return match_start(msg + n, sm);
	}
	/* An empty message has nothing past its NUL but stale bytes. */
	for (p = *msg ? strchr(msg + 1, '[') : NULL; p;
	     p = strchr(p + 1, '[')) {
		n = message_start(p, strlen(p));
		if (n && p[n - 1] == ' ' && match_start(p + n, sm))
			return true;
	}
	return false;
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

/* ---- titles -------------------------------------------------------------- */

/*
 * A title being made, with the function it blames (none: "") and, when
 * the report's first line names that function's file, that file.
 */
struct titled {
	char text[CRASH_TITLE_MAX];
	char frame[FUNC_MAX];
	char source[CRASH_TITLE_MAX];
};

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

static void group(const struct start_match *sm, int i, char *out, size_t len)
{
	const regmatch_t *m = &sm->m[i];

	if (m->rm_so < 0)
		out[0] = '\0';
	else
		snprintf(out, len, "%.*s", (int)(m->rm_eo - m->rm_so),
			 sm->text + m->rm_so);
}

/* The rule's template: its match put in for \0, its groups for \1, \2. */
static void expand(const char *tmpl, const struct start_match *sm, char *out)
{
	char g[CRASH_TITLE_MAX];
	size_t n = 0;

	for (; *tmpl && n + 1 < CRASH_TITLE_MAX; tmpl++) {
		if (tmpl[0] == '\\' && tmpl[1] >= '0' && tmpl[1] <= '2') {
			group(sm, tmpl[1] - '0', g, sizeof(g));
			n += (size_t)snprintf(out + n, CRASH_TITLE_MAX - n,
					      "%s", g);
			n = n < CRASH_TITLE_MAX ? n : CRASH_TITLE_MAX - 1;
			tmpl++;
		} else {
			out[n++] = *tmpl;
		}
	}
	out[n] = '\0';
}

static bool is_address(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n >= 8 && (s[n] == '\0' || s[n] == ' ');
}

/*
 * "base in f": f is the hint the start line gives unless it is machinery,
 * else the function the rule's blame finds, else "corrupted" for kinds
 * that always name one; a WARNING without any stack was cut short,
 * whatever its first line says, and is "corrupted" too.  Returns false
 * when base stays alone.
 */
static bool with_function(struct titled *t, const char *base,
			  const struct rule *r, const struct report_view *v,
			  const char *hint)
{
	char fn[FUNC_MAX];

	if ((r->flags & R_NO_STACK_CUT) && !report_has_stack(v))
		set_title(t->text, "%s in corrupted", base);
	else if ((hint && symbol_at(hint, fn) && !is_address(hint) &&
		  !is_generic_frame(fn)) ||
		 blame_function(v, r->how, fn)) {
		set_title(t->text, "%s in %s", base, fn);
		snprintf(t->frame, sizeof(t->frame), "%s", fn);
	} else if (r->flags & R_NEEDS_FN)
		set_title(t->text, "%s in corrupted", base);
	else {
		set_title(t->text, "%s", base);
		return false;
	}
	return true;
}

/* The first line among the report's first few that starts with s. */
static bool nearby_line(const struct report_view *v, const char *s,
			int max_lines, char *msg)
{
	const char *p;

	for (p = v->s; p < v->end && max_lines-- > 0;
	     p += line_len(p, v->end) + 1) {
		message_of(p, line_len(p, v->end), msg);
		if (!strncmp(msg, s, strlen(s)))
			return true;
	}
	return false;
}

static void panic_title(struct titled *t, const struct start_match *sm,
			const struct report_view *v)
{
	static const char canary[] = "stack-protector: Kernel stack is "
				     "corrupted in: ";
	/* The canary names the function; a stack end overrun is a stall's. */
	static const struct rule in_canary = {.how = B_FIRST,
					      .flags = R_NEEDS_FN};
	static const struct rule overrun = {.how = B_STALL,
					    .flags = R_NEEDS_FN};
	char msg[CRASH_TITLE_MAX];

	group(sm, 1, msg, sizeof(msg));
	if (!strncmp(msg, canary, sizeof(canary) - 1))
		with_function(t, "kernel panic: stack is corrupted", &in_canary,
			      v, msg + sizeof(canary) - 1);
	else if (!strncmp(msg, "corrupted stack end detected", 28))
		with_function(t, "kernel panic: corrupted stack end", &overrun,
			      v, NULL);
	else if (!strncmp(msg, "Attempted to kill init!", 23))
		set_title(t->text, "kernel panic: Attempted to kill init!");
	else
		set_title(t->text, "kernel panic: %s", msg);
}

/*
 * KASAN: "BUG: KASAN: use-after-free in f+0x1/0x2" then "Read of size 8
 * at addr ..." gives "KASAN: use-after-free Read in f"; the oldest form,
 * "... in f+0x1/0x2 at addr ffff...", is kept as it is when the access
 * line is missing.
 */
static void kasan_title(struct titled *t, const struct start_match *sm,
			const struct report_view *v)
{
	char kind[64], hint[FUNC_MAX], rest[CRASH_TITLE_MAX];
	char msg[LINE_MAX_LEN], base[CRASH_TITLE_MAX];

	group(sm, 1, kind, sizeof(kind));
	group(sm, 2, hint, sizeof(hint));
	group(sm, 3, rest, sizeof(rest));
	if (!strcmp(kind, "double-free or invalid-free") ||
	    !strcmp(kind, "double-free"))
		snprintf(kind, sizeof(kind), "invalid-free");
	if (nearby_line(v, "Read ", 6, msg))
		set_title(base, "KASAN: %s Read", kind);
	else if (nearby_line(v, "Write ", 6, msg))
		set_title(base, "KASAN: %s Write", kind);
	else if (strstr(rest, " at addr "))
		return set_title(t->text, "KASAN: %s in %s at addr ADDR", kind,
				 hint);
	else
		set_title(base, "KASAN: %s", kind);
	with_function(t, base, &rules[sm->rule], v, hint);
}

/* UBSAN names the source file; the function comes from the stack. */
static void ubsan_title(struct titled *t, const struct start_match *sm,
			const struct report_view *v)
{
	char base[CRASH_TITLE_MAX], file[CRASH_TITLE_MAX];

	expand(rules[sm->rule].title, sm, base);
	group(sm, sm->m[2].rm_so >= 0 ? 2 : 1, file, sizeof(file));
	if (!with_function(t, base, &rules[sm->rule], v, NULL))
		set_title(t->text, "%s in %s", base, file);
}

/*
 * usb_submit_urb() warns about the URB its caller submitted: syzkaller
 * names both, "WARNING in caller/usb_submit_urb" ("corrupted/..." when the
 * stack is lost).
 */
static void urb_warning_title(struct titled *t, const struct report_view *v)
{
	char fn[FUNC_MAX];

	if (report_has_stack(v) && caller_of(v, "usb_submit_urb", fn)) {
		set_title(t->text, "WARNING in %s/usb_submit_urb", fn);
		snprintf(t->frame, sizeof(t->frame), "%s", fn);
	} else {
		set_title(t->text, "WARNING in corrupted/usb_submit_urb");
	}
}

/*
 * "WARNING: CPU: 0 PID: 1 at FILE f+0x1/0x2": "WARNING in f".  Warnings
 * from the kernel's own checkers are named after them, as syzkaller does:
 * lockdep's ("locking bug"), debugobjects' ("ODEBUG bug"), refcount's,
 * kobject's and kmalloc's; f is then their caller.
 */
static void warning_title(struct titled *t, const struct start_match *sm,
			  const struct report_view *v)
{
	static const struct {
		const char *file, *name;
	} checkers[] = {
		{"kernel/locking/lockdep", "WARNING: locking bug"},
		{"lib/debugobjects.c", "WARNING: ODEBUG bug"},
		{"lib/refcount.c", "WARNING: refcount bug"},
		{"lib/kobject.c", "WARNING: kobject bug"},
	};
	char file[CRASH_TITLE_MAX], hint[FUNC_MAX], fn[FUNC_MAX];
	const char *base = "WARNING", *f;
	size_t i;

	group(sm, 1, file, sizeof(file));
	group(sm, 2, hint, sizeof(hint));
	for (i = 0; i < ARRAY_SIZE(checkers); i++) {
		f = strstr(file, checkers[i].file);
		if (f && (f == file || f[-1] == '/'))
			base = checkers[i].name;
	}
	if (!strncmp(hint, "kmalloc", 7) || !strncmp(hint, "__kmalloc", 9))
		base = "WARNING: kmalloc bug";
	if (!strcmp(hint, "usb_submit_urb"))
		return urb_warning_title(t, v);
	with_function(t, base, &rules[sm->rule], v,
		      strcmp(base, "WARNING") ? NULL : hint);
	if (symbol_at(hint, fn) && !strcmp(t->frame, fn))
		snprintf(t->source, sizeof(t->source), "%s", file);
}

static void stack_warning_title(struct titled *t, const struct start_match *sm)
{
	char what[64], bad[64];

	group(sm, 1, what, sizeof(what));
	group(sm, 2, bad, sizeof(bad));
	set_title(t->text, "WARNING: kernel stack %s has bad %svalue", what,
		  bad);
}

/* Hex words (addresses, flags) out of a message, white space kept single. */
static void drop_hex_words(char *s)
{
	char *r = s, *w = s;
	size_t n;

	while (*r) {
		n = strspn(r, "0123456789abcdefx");
		if ((r == s || r[-1] == ' ') && n >= 8) {
			r += strcspn(r, " ");
			r += *r == ' ';
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/*
 * A "BUG: what ..." message up to where its details start: "BUG: Bad page
 * state in process syz  pfn:1234" is "BUG: Bad page state".
 */
static void cut_details(char *what)
{
	static const char *const cuts[] = {
		": ",  " (", " [",	    " at ",	" on ",	 " for ",
		" - ", "!",  " in process", " in task", " pfn:", ", ",
	};
	size_t i, n;
	char *c;

	drop_hex_words(what);
	n = strlen(what);
	for (i = 0; i < ARRAY_SIZE(cuts); i++)
		if ((c = strstr(what, cuts[i])) && (size_t)(c - what) < n)
			n = (size_t)(c - what);
	while (n && (what[n - 1] == ' ' || what[n - 1] == '.'))
		n--;
	what[n] = '\0';
}

/* A lockdep message: "syz/123 still has locks held!" -> "still has locks held".
 */
static void lockdep_words(char *what)
{
	const char *sp = strchr(what, ' ');
	const char *slash = strchr(what, '/');
	size_t n;

	if (sp && slash && slash < sp)
		memmove(what, sp + 1, strlen(sp + 1) + 1);
	n = strlen(what);
	while (n && strchr("!. ", what[n - 1]))
		n--;
	what[n] = '\0';
	if (n > 9 && !strcmp(what + n - 9, " detected"))
		what[n - 9] = '\0';
}

/*
 * lockdep's old headers, "[ INFO: possible circular locking dependency
 * detected ]", and its other warnings, "WARNING: bad unlock balance
 * detected!": named as the current forms are.
 */
static void lockdep_title(struct titled *t, const struct start_match *sm,
			  const struct report_view *v, const char *prefix)
{
	static const struct rule first = {.how = B_FIRST};
	/* lockdep names a lock site or prints a stack: else it was cut. */
	struct rule lock = rules[sm->rule];
	const struct rule *r = &lock;
	char what[CRASH_TITLE_MAX], base[CRASH_TITLE_MAX];

	lock.flags |= R_NEEDS_FN;

	group(sm, 1, what, sizeof(what));
	lockdep_words(what);
	if (!strncmp(what, "possible ", 9) && strstr(what, "lock"))
		with_function(t, "possible deadlock", r, v, NULL);
	else if (!strcmp(what, "inconsistent lock state"))
		with_function(t, what, r, v, NULL);
	else if (!strcmp(what, "Invalid wait context"))
		with_function(t, "WARNING: locking bug", &first, v, NULL);
	else if (!strcmp(what, "suspicious RCU usage")) {
		set_title(base, "%s: %s", prefix, what);
		with_function(t, base, &first, v, NULL);
	} else {
		cut_details(what);
		set_title(base, "%s: %s", prefix, what);
		with_function(t, base, r, v, NULL);
	}
}

/*
 * "BUG: TASK stack guard page was hit" (and IRQ, NMI, ... stacks in newer
 * kernels) is the same bug as the older "BUG: stack guard page was hit".
 */
static void drop_stack_kind(char *what)
{
	size_t n = strspn(what, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");

	if (n && !strncmp(what + n, " stack guard page", 17))
		memmove(what, what + n + 1, strlen(what + n + 1) + 1);
}

static void bug_title(struct titled *t, const struct start_match *sm,
		      const struct report_view *v)
{
	char what[CRASH_TITLE_MAX], base[CRASH_TITLE_MAX];

	group(sm, 1, what, sizeof(what));
	cut_details(what);
	drop_stack_kind(what);
	set_title(base, "BUG: %s", what);
	with_function(t, base, &rules[sm->rule], v, NULL);
}

static void kernel_bug_title(struct titled *t, const struct start_match *sm,
			     const struct report_view *v)
{
	char file[CRASH_TITLE_MAX];

	group(sm, 1, file, sizeof(file));
	if (!with_function(t, "kernel BUG", &rules[sm->rule], v, NULL))
		set_title(t->text, "kernel BUG at %s", file);
}

/* A work item that returned holding a lock: "last function: f". */
static void wq_leak_title(struct titled *t, const struct start_match *sm,
			  const struct report_view *v)
{
	char msg[LINE_MAX_LEN], fn[FUNC_MAX];
	const char *base = rules[sm->rule].title;

	if (nearby_line(v, "last function: ", 4, msg) &&
	    symbol_at(msg + 15, fn)) {
		set_title(t->text, "%s in %s", base, fn);
		snprintf(t->frame, sizeof(t->frame), "%s", fn);
	} else
		set_title(t->text, "%s", base);
}

/*
 * "caller is f": the function the preemption check names as having used
 * a per-CPU value in preemptible code, unless it is the check's own
 * wrapper (then the stack says who called it).
 */
static bool named_caller(const struct report_view *v, char *fn)
{
	static const char *const checks[] = {
		"check_preemption_disabled",
		"debug_smp_processor_id",
		"__this_cpu_preempt_check",
	};
	char msg[LINE_MAX_LEN];
	size_t i;

	if (!nearby_line(v, "caller is ", 4, msg) || !symbol_at(msg + 10, fn))
		return false;
	for (i = 0; i < ARRAY_SIZE(checks); i++)
		if (!strcmp(fn, checks[i]))
			return false;
	return true;
}

static void raw_title(const struct start_match *sm, const struct report_view *v,
		      struct titled *t)
{
	const struct rule *r = &rules[sm->rule];
	char base[CRASH_TITLE_MAX], hint[FUNC_MAX], *p;

	switch (r->kind) {
	case K_PANIC:
		return panic_title(t, sm, v);
	case K_KASAN:
		return kasan_title(t, sm, v);
	case K_UBSAN:
		return ubsan_title(t, sm, v);
	case K_WARNING:
		return warning_title(t, sm, v);
	case K_STACK_WARNING:
		return stack_warning_title(t, sm);
	case K_LOCKDEP:
		return lockdep_title(t, sm, v, r->title);
	case K_BUG:
		return bug_title(t, sm, v);
	case K_KERNEL_BUG:
		return kernel_bug_title(t, sm, v);
	case K_WQ_LEAK:
		return wq_leak_title(t, sm, v);
	case K_PLAIN:
		break;
	}
	expand(r->title, sm, base);
	if (r->flags & R_TRAP) /* "divide_error: 0000 [#1]": divide error */
		for (p = base; (p = strchr(p, '_')); p++)
			*p = ' ';
	if ((r->flags & R_CALLER) && named_caller(v, hint)) {
		set_title(t->text, "%s in %s", base, hint);
		snprintf(t->frame, sizeof(t->frame), "%s", hint);
		return;
	}
	if (r->flags & R_HINT)
		group(sm, 2, hint, sizeof(hint));
	with_function(t, base, r, v, (r->flags & R_HINT) ? hint : NULL);
}

const char *crash_type_name(enum crash_type type)
{
	static const char *const names[] = {
		[CRASH_CRASH] = "crash",
		[CRASH_HANG] = "hang",
		[CRASH_LEAK] = "leak",
		[CRASH_UBSAN] = "ubsan",
		[CRASH_WARNING] = "warning",
		[CRASH_LOCKDEP] = "lockdep",
		[CRASH_MEMORY] = "memory",
		[CRASH_DATA_RACE] = "data-race",
		[CRASH_ATOMIC_SLEEP] = "atomic-sleep",
	};

	return type < ARRAY_SIZE(names) && names[type] ? names[type] : "crash";
}

/* Title prefixes and the kind of report, and class, they are. */
static const struct title_kind {
	const char *prefix;
	enum crash_type type;
	const char *alt; /* syzkaller's class-wide alternative, or NULL */
} title_kinds[] = {
	{"INFO: rcu detected stall", CRASH_HANG, "stall"},
	{"BUG: soft lockup", CRASH_HANG, "stall"},
	{"BUG: hard lockup", CRASH_HANG, "stall"},
	{"INFO: task hung", CRASH_HANG, "hang"},
	{"INFO: task can't die", CRASH_HANG, "hang"},
	{"BUG: workqueue lockup", CRASH_HANG, NULL},
	{"BUG: spinlock lockup", CRASH_HANG, NULL},
	{"unregister_netdevice: waiting", CRASH_HANG, NULL},
	{"memory leak", CRASH_LEAK, NULL},
	{"UBSAN: array-index-out-of-bounds", CRASH_UBSAN, "bad-access"},
	{"UBSAN: ", CRASH_UBSAN, NULL},
	{"KASAN: invalid-free", CRASH_MEMORY, "invalid-free"},
	{"KFENCE: invalid free", CRASH_MEMORY, "invalid-free"},
	{"KASAN: ", CRASH_MEMORY, "bad-access"},
	{"KFENCE: ", CRASH_MEMORY, "bad-access"},
	{"KMSAN: ", CRASH_MEMORY, "bad-access"},
	{"KCSAN: ", CRASH_DATA_RACE, NULL},
	{"general protection fault", CRASH_MEMORY, "bad-access"},
	{"BUG: unable to handle", CRASH_MEMORY, "bad-access"},
	{"Unhandled fault", CRASH_MEMORY, "bad-access"},
	{"Internal error", CRASH_MEMORY, "bad-access"},
	{"BUG: corrupted list", CRASH_MEMORY, "bad-access"},
	{"BUG: bad usercopy", CRASH_MEMORY, NULL},
	{"BUG: stack guard page was hit", CRASH_MEMORY, "stack-overflow"},
	{"kernel panic: corrupted stack end", CRASH_MEMORY, "stack-overflow"},
	{"kernel panic: stack is corrupted", CRASH_MEMORY, NULL},
	{"possible deadlock", CRASH_LOCKDEP, NULL},
	{"inconsistent lock state", CRASH_LOCKDEP, NULL},
	{"WARNING: locking bug", CRASH_LOCKDEP, NULL},
	{"WARNING: suspicious RCU usage", CRASH_LOCKDEP, NULL},
	{"INFO: suspicious RCU usage", CRASH_LOCKDEP, NULL},
	{"INFO: trying to register non-static key", CRASH_LOCKDEP, NULL},
	{"BUG: sleeping function called", CRASH_ATOMIC_SLEEP, NULL},
	{"BUG: scheduling while atomic", CRASH_ATOMIC_SLEEP, NULL},
	{"WARNING", CRASH_WARNING, NULL},
};

/*
 * The kind of a report: from its title, and lockdep's own reports (its
 * "[ BUG: ... ]" and "WARNING: ... detected!" forms) by the rule.
 */
static const struct title_kind *kind_of(const char *title, const struct rule *r)
{
	static const struct title_kind lockdep = {"", CRASH_LOCKDEP, NULL};
	static const struct title_kind crash = {"", CRASH_CRASH, NULL};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(title_kinds); i++)
		if (!strncmp(title, title_kinds[i].prefix,
			     strlen(title_kinds[i].prefix)))
			return &title_kinds[i];
	return r->kind == K_LOCKDEP ? &lockdep : &crash;
}

/*
 * The report's lines up to the end of its stacks or its end marker; all
 * the lines judged when it has no stack.
 */
static void cut_text(struct crash_report *r, const struct report_view *v,
		     const char *marker_end)
{
	const char *end = v->end, *se = stack_end(v);
	size_t n;

	if (se)
		end = se;
	while (end > v->s && end[-1] == '\n')
		end--;
	if (marker_end && marker_end > end)
		end = marker_end;
	n = (size_t)(end - v->s);
	r->text_cut = n >= sizeof(r->text);
	if (r->text_cut)
		n = sizeof(r->text) - 1;
	memcpy(r->text, v->s, n);
	r->text[n] = '\0';
	r->text_len = n;
}

/* Everything a complete report's lines say, its title first. */
static void make_report(struct crash_report *r, const struct start_match *sm,
			const struct report_view *v, const char *marker_end)
{
	static const char corrupted[] = " in corrupted";
	const struct title_kind *k;
	struct titled t = {0};
	size_t n;

	raw_title(sm, v, &t);
	crash_normalize(t.text, r->title, CRASH_TITLE_MAX);
	n = strlen(r->title);
	r->corrupted =
		n >= sizeof(corrupted) - 1 &&
		!strcmp(r->title + n - (sizeof(corrupted) - 1), corrupted);
	snprintf(r->frame, sizeof(r->frame), "%s", t.frame);
	if (!t.frame[0] ||
	    !frame_source(v, t.frame, r->source, sizeof(r->source)))
		snprintf(r->source, sizeof(r->source), "%s", t.source);
	k = kind_of(r->title, &rules[sm->rule]);
	r->type = k->type;
	r->nalt = 0;
	if (k->alt)
		set_title(r->alt[r->nalt++], "%s in %s", k->alt,
			  r->corrupted ? "corrupted"
				       : (t.frame[0] ? r->frame : "corrupted"));
	cut_text(r, v, marker_end);
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
 * line begins a new report and ends this one, unless a frame follows it:
 * then it is other output dropped into a call trace.  A sanitizer's report
 * is always one of its own: from the same task, it ends a report even in
 * its header, which is then cut.
 */
static bool begins_body(const char *msg)
{
	return !strncmp(msg, "CPU: ", 5) || !strncmp(msg, "RIP: ", 5) ||
	       !strcmp(msg, "Call Trace:") || !strcmp(msg, "Call trace:");
}

/* Whether two lines came from the same task or CPU, as far as they say. */
static bool same_caller(const char *a, const char *b, const char *end)
{
	char ida[16], idb[16];

	caller_id(a, line_len(a, end), ida, sizeof(ida));
	caller_id(b, line_len(b, end), idb, sizeof(idb));
	return !ida[0] || !idb[0] || !strcmp(ida, idb);
}

/* Judge the report at r->start on the lines that have arrived. */
static void judge(struct crash_report *r, const char *text, size_t len,
		  bool settled)
{
	char msg[LINE_MAX_LEN];
	struct start_match sm;
	struct report_view v = {text + r->start, text + len};
	const char *p = v.s, *marker_end = NULL;
	int lines = 0;
	bool body = false;

	while (p < v.end && lines < CRASH_REPORT_LINES && !r->complete) {
		size_t n = line_len(p, v.end);

		if (p + n == v.end && !settled)
			break; /* an unfinished line */
		message_of(p, n, msg);
		if (p != v.s && match_start(msg, &sm) &&
		    (body || ((rules[sm.rule].flags & R_OWN) &&
			      same_caller(v.s, p, v.end))) &&
		    !is_frame_line(p + n + 1, v.end)) {
			r->complete = true;
			break;
		}
		body = body || begins_body(msg);
		r->complete = is_end_marker(msg);
		if (r->complete)
			marker_end = p + n;
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
	if (match_start(msg, &sm))
		make_report(r, &sm, &v, marker_end);
}

void crash_feed(struct crash_detector *d, const char *text, size_t len,
		bool settled)
{
	char msg[LINE_MAX_LEN];
	struct start_match sm;
	const char *nl;

	compile_rules();
	while (!d->report.found && d->scanned < len) {
		nl = memchr(text + d->scanned, '\n', len - d->scanned);
		if (!nl && !settled)
			break;
		d->lines++;
		message_of(text + d->scanned,
			   line_len(text + d->scanned, text + len), msg);
		if (match_start(msg, &sm)) {
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

/* ---- classifying a stream ------------------------------------------------ */

#define STREAM_CHUNK 65536
#define LINE_KEEP 4096 /* bytes kept of a line; a title needs far fewer */

/*
 * A console read in chunks and judged as it comes: CR and NUL go as the
 * harness's console drops them, lines are cut to LINE_KEEP bytes, and the
 * text before the first report's start is dropped once scanned, so
 * memory stays bounded whatever the input's size.
 */
struct crash_stream {
	struct buf text;
	size_t line_start; /* where the unfinished last line begins */
	size_t dropped; /* bytes of text dropped from the front */
	struct crash_detector d;
};

/* Add a run without CR or NUL, cutting over-long lines. */
static void stream_add_run(struct crash_stream *s, const char *p, size_t n)
{
	const char *nl;
	size_t seg, room, have;

	while (n) {
		nl = memchr(p, '\n', n);
		seg = nl ? (size_t)(nl - p) : n;
		have = s->text.len - s->line_start;
		room = have < LINE_KEEP ? LINE_KEEP - have : 0;
		buf_add(&s->text, p, seg < room ? seg : room);
		if (nl) {
			buf_add(&s->text, "\n", 1);
			s->line_start = s->text.len;
			seg++;
		}
		p += seg;
		n -= seg;
	}
}

static void stream_add(struct crash_stream *s, const char *data, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && data[i] != '\r' && data[i] != '\0')
			continue;
		stream_add_run(s, data + start, i - start);
		start = i + 1;
	}
}

/* Forget the text already searched while no report has been found. */
static void stream_compact(struct crash_stream *s)
{
	size_t cut = s->d.scanned;

	if (s->d.report.found || cut == 0)
		return;
	memmove(s->text.data, s->text.data + cut, s->text.len - cut + 1);
	s->text.len -= cut;
	s->line_start -= cut;
	s->dropped += cut;
	s->d.scanned = 0;
}

int crash_classify_stream(FILE *f, struct crash_report *r)
{
	struct crash_stream s = {0};
	char *chunk = xmalloc(STREAM_CHUNK);
	size_t n;
	int rc;

	buf_add(&s.text, "", 0);
	while (!s.d.report.complete &&
	       (n = fread(chunk, 1, STREAM_CHUNK, f)) > 0) {
		stream_add(&s, chunk, n);
		crash_feed(&s.d, s.text.data, s.text.len, false);
		stream_compact(&s);
	}
	rc = ferror(f) ? -1 : 0;
	if (!s.d.report.complete)
		crash_feed(&s.d, s.text.data, s.text.len, true);
	*r = s.d.report;
	r->start += s.dropped;
	r->end += s.dropped;
	free(chunk);
	buf_free(&s.text);
	return rc ? rc : r->found;
}
