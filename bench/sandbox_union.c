// SPDX-License-Identifier: GPL-2.0
/*
 * What the per-thread seccomp filters give, honestly: every launcher
 * thread shares one address space, so a thread an attacker controls can
 * make any other thread do what that thread may, and in effect every
 * thread holds the union of the thread roles.  This lists that union
 * from the compiled filters themselves: each role's program is run
 * through sandbox_run() for every system call number, with the
 * arguments zero and then each constant the program compares with, and
 * a call is in the union if some role allows it for some of those.
 * The --sharenet helper is a process of its own and is listed apart.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>

#include "sandbox.h"

#define PROG_MAX 1024
#define NR_MAX 512	/* past every x86-64 system call */
#define OUR_TGID 4242

struct role_prog {
	struct sock_filter prog[PROG_MAX];
	int len;
};

/* Allowed with some argument values: 1 with all zero, 2 only some. */
static int allows(const struct role_prog *p, int nr)
{
	struct seccomp_data d = { .nr = nr, .arch = sandbox_audit_arch };
	unsigned int i, a;

	if (sandbox_run(p->prog, p->len, &d) == SECCOMP_RET_ALLOW)
		return 1;
	for (i = 0; i < (unsigned int)p->len; i++) {
		if (BPF_CLASS(p->prog[i].code) != BPF_JMP)
			continue;
		for (a = 0; a < 6; a++) {
			memset(d.args, 0, sizeof(d.args));
			d.args[a] = p->prog[i].k;
			if (sandbox_run(p->prog, p->len, &d) == SECCOMP_RET_ALLOW)
				return 2;
		}
	}
	return 0;
}

static int compile(struct role_prog *p, enum sandbox_role role,
		   const struct sandbox_config *cfg)
{
	struct lg_error err;

	p->len = sandbox_compile_role(role, cfg, OUR_TGID, p->prog, PROG_MAX,
				      &err);
	if (p->len < 0)
		fprintf(stderr, "sandbox_union: %s\n", err.msg);
	return p->len < 0 ? -1 : 0;
}

/* Short names for the table; a role added later shows its long name. */
static const char *short_name(int role)
{
	static const char *const names[SANDBOX_ROLES] = {
		[SANDBOX_VCPU] = "vcpu",
		[SANDBOX_CONSOLE_INPUT] = "input",
		[SANDBOX_VIRTIO_BLK] = "blk",
		[SANDBOX_VIRTIO_RNG] = "rng",
		[SANDBOX_VIRTIO_CONSOLE] = "console",
		[SANDBOX_VIRTIO_NET] = "net",
		[SANDBOX_VIRTIO_FS] = "fs",
		[SANDBOX_SHARE_HELPER] = "helper",
	};

	return names[role] ? names[role] : sandbox_role_name(role);
}

/* One line a call: "every role", or which, "*" where only some args. */
static void list(const struct role_prog *progs, const int *roles,
		 unsigned int nroles)
{
	unsigned int r, total = 0, count;
	int nr;

	for (nr = 0; nr < NR_MAX; nr++) {
		const char *name = sandbox_syscall_name(nr);
		char who[256] = "";
		size_t at = 0;
		bool some_args = false;

		for (r = 0, count = 0; r < nroles; r++) {
			int how = allows(&progs[roles[r]], nr);

			if (!how)
				continue;
			at += snprintf(who + at, sizeof(who) - at, " %s%s",
				       short_name(roles[r]), how == 2 ? "*" : "");
			if (at >= sizeof(who))
				at = sizeof(who) - 1;
			some_args |= how == 2;
			count++;
		}
		if (!count)
			continue;
		total++;
		if (count == nroles && nroles > 1)
			snprintf(who, sizeof(who), " every role%s",
				 some_args ? "*" : "");
		if (name)
			printf("  %-16s%s\n", name, who);
		else
			printf("  %-16d%s\n", nr, who);
	}
	printf("  %u system calls (* with some arguments only)\n", total);
}

int main(void)
{
	static struct role_prog progs[SANDBOX_ROLES];
	struct sandbox_config cfg = { .nested_virt = true };
	int threads[SANDBOX_ROLES], helper = SANDBOX_SHARE_HELPER;
	unsigned int n = 0, r;

	for (r = 0; r < SANDBOX_ROLES; r++) {
		if (compile(&progs[r], r, &cfg))
			return 1;
		if (r != SANDBOX_SHARE_HELPER)
			threads[n++] = r;
	}
	printf("The union of the launcher threads' filters (every option on), which\n"
	       "in effect every thread holds:\n");
	list(progs, threads, n);
	printf("The --sharenet helper process (no guest memory):\n");
	list(progs, &helper, 1);
	return 0;
}
