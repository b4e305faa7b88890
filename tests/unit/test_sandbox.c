// SPDX-License-Identifier: GPL-2.0
/*
 * The sandbox's pure parts: the seccomp programs each role compiles to,
 * run through a small classic-BPF interpreter on made-up system calls
 * (so nothing here confines or kills the test), the guest memory limit
 * decision and the parsers of the files it reads, and /dev/fd/N paths.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_mem.h"
#include "sandbox.h"
#include "supervisor.h"
#include "unit_helpers.h"

#define PROG_MAX 1024
#define OUR_TGID 4242	/* the pid the programs are compiled for */

/* What the kernel's seccomp would return for one call. */
static uint32_t run_filter(const struct sock_filter *prog, int len,
			   const struct seccomp_data *d)
{
	uint32_t v = sandbox_run(prog, len, d);

	ck_assert_msg(v != SANDBOX_BAD_PROGRAM,
		      "the program has an unexpected instruction or runs off its end");
	return v;
}

struct compiled {
	struct sock_filter prog[PROG_MAX];
	int len;
};

static void compile_config(struct compiled *c, enum sandbox_role role,
			   const struct sandbox_config *cfg)
{
	struct lg_error err;

	c->len = sandbox_compile_role(role, cfg, OUR_TGID, c->prog, PROG_MAX,
				      &err);
	ck_assert_msg(c->len > 0, "%s", err.msg);
}

static void compile_role(struct compiled *c, enum sandbox_role role)
{
	struct sandbox_config cfg = { 0 };

	compile_config(c, role, &cfg);
}

static uint32_t verdict(const struct compiled *c, int nr, uint64_t a0,
			uint64_t a1, uint64_t a2)
{
	struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64,
				  .args = { a0, a1, a2 } };

	return run_filter(c->prog, c->len, &d);
}

#define ALLOWED SECCOMP_RET_ALLOW
#define TRAPPED SECCOMP_RET_TRAP
#define KILLED SECCOMP_RET_KILL_PROCESS

START_TEST(test_vcpu_filter)
{
	struct compiled c;
	struct seccomp_data i386 = { .nr = __NR_getpid,
				     .arch = AUDIT_ARCH_I386 };

	compile_role(&c, SANDBOX_VCPU);
	ck_assert_uint_eq(verdict(&c, __NR_ioctl, 5, KVM_RUN, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&c, __NR_ioctl, 4, KVM_IRQFD, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&c, __NR_ioctl, 4, TUNSETOFFLOAD, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&c, __NR_ioctl, 3, KVM_CREATE_VM, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_ioctl, 4, TUNSETIFF, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_ioctl, 5, KVM_SET_USER_MEMORY_REGION, 0),
			  TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_write, 1, 0, 10), ALLOWED);
	ck_assert_uint_eq(verdict(&c, __NR_mmap, 0, 4096, PROT_READ | PROT_WRITE),
			  ALLOWED);
	ck_assert_uint_eq(verdict(&c, __NR_mmap, 0, 4096, PROT_READ | PROT_EXEC),
			  TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_mprotect, 0, 4096, PROT_EXEC), TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_execve, 0, 0, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_clone, CLONE_VM | CLONE_THREAD, 0, 0),
			  TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_openat, 0, 0, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_preadv, 0, 0, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_getpid | 0x40000000, 0, 0, 0), KILLED);
	ck_assert_uint_eq(run_filter(c.prog, c.len, &i386), KILLED);
}
END_TEST

/* Only with --nested-virt may the vCPU read its nested state. */
START_TEST(test_vcpu_nested_state)
{
	struct sandbox_config cfg = { .nested_virt = true };
	struct compiled plain, nested;

	compile_role(&plain, SANDBOX_VCPU);
	compile_config(&nested, SANDBOX_VCPU, &cfg);
	ck_assert_uint_eq(verdict(&plain, __NR_ioctl, 5, KVM_GET_NESTED_STATE, 0),
			  TRAPPED);
	ck_assert_uint_eq(verdict(&nested, __NR_ioctl, 5, KVM_GET_NESTED_STATE, 0),
			  ALLOWED);
	ck_assert_uint_eq(verdict(&nested, __NR_ioctl, 5, KVM_SET_NESTED_STATE, 0),
			  TRAPPED);
	ck_assert_uint_eq(verdict(&nested, __NR_ioctl, 5, KVM_RUN, 0), ALLOWED);
}
END_TEST

/* Each of `calls`, first argument `a0`, traps under role's program. */
static void expect_trapped(const struct compiled *c, enum sandbox_role role,
			   const int *calls, unsigned int n, uint64_t a0)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ck_assert_msg(verdict(c, calls[i], a0, 0, 0) == TRAPPED,
			      "%s may call %s", sandbox_role_name(role),
			      sandbox_syscall_name(calls[i]));
}

/*
 * Every thread is started before any confines itself, so no role (nor
 * the --sharenet helper) may start threads or processes, or change
 * filters, while the guest runs.
 */
START_TEST(test_no_role_starts_threads)
{
	static const int forbidden[] = { __NR_clone, __NR_clone3, __NR_fork,
					 __NR_vfork, __NR_prctl,
					 __NR_seccomp, __NR_execve };
	struct compiled c;

	compile_role(&c, _i);
	expect_trapped(&c, _i, forbidden, ARRAY_SIZE(forbidden),
		       CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_FS |
			       CLONE_FILES);
	ck_assert_uint_eq(verdict(&c, __NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0),
			  TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, 0),
			  TRAPPED);
}
END_TEST

START_TEST(test_device_filters)
{
	struct compiled blk, rng, net, fs, helper;

	compile_role(&blk, SANDBOX_VIRTIO_BLK);
	compile_role(&fs, SANDBOX_VIRTIO_FS);
	compile_role(&rng, SANDBOX_VIRTIO_RNG);
	compile_role(&net, SANDBOX_VIRTIO_NET);
	compile_role(&helper, SANDBOX_SHARE_HELPER);
	ck_assert_uint_eq(verdict(&blk, __NR_pwritev, 0, 0, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&blk, __NR_poll, 0, 0, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&blk, __NR_getrandom, 0, 0, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&blk, __NR_ioctl, 5, KVM_RUN, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&rng, __NR_getrandom, 0, 0, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&rng, __NR_pwritev, 0, 0, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&net, __NR_sendmsg, 0, 0, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&net, __NR_socket, AF_UNIX, 0, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&fs, __NR_sendmsg, 0, 0, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&fs, __NR_recvmsg, 0, 0, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&fs, __NR_poll, 0, 0, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&fs, __NR_preadv, 0, 0, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&fs, __NR_accept4, 0, 0, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&fs, __NR_ioctl, 5, KVM_RUN, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&helper, __NR_socket, AF_UNIX, 0, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&helper, __NR_socket, AF_INET, 0, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&helper, __NR_connect, 3, 0, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&helper, __NR_execve, 0, 0, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&helper, __NR_clone, CLONE_VM | CLONE_THREAD, 0, 0),
			  TRAPPED);
	ck_assert_uint_eq(verdict(&helper, __NR_preadv, 0, 0, 0), TRAPPED);
}
END_TEST

/*
 * A --sharenet reconnects through the helper process, so no thread that
 * touches guest memory may create, delete or connect to anything (the
 * audit had a net thread write a file, delete another and reach an
 * unrelated unix socket service).
 */
START_TEST(test_no_thread_opens_or_connects)
{
	static const int forbidden[] = { __NR_openat, __NR_open, __NR_unlink,
					 __NR_unlinkat, __NR_bind,
					 __NR_connect, __NR_listen,
					 __NR_socket, __NR_flock };
	struct compiled c;

	compile_role(&c, _i);
	expect_trapped(&c, _i, forbidden, ARRAY_SIZE(forbidden), AF_UNIX);
}
END_TEST

/* Two rule sets naming one call add up; neither hides the other. */
START_TEST(test_rules_for_one_call_add_up)
{
	static const uint32_t first[] = { 1, 2 }, second[] = { 3 };
	static const struct sandbox_rule a[] = {
		{ .nr = __NR_ioctl, .check = SC_ARG_IN, .arg = 1,
		  .values = first, .nvalues = 2 },
	};
	static const struct sandbox_rule b[] = {
		{ .nr = __NR_ioctl, .check = SC_ARG_IN, .arg = 1,
		  .values = second, .nvalues = 1 },
		{ .nr = __NR_mmap, .check = SC_ARG_CLEAR, .arg = 2, .value = 4 },
	};
	const struct sandbox_ruleset sa = { a, 1 }, sb = { b, 2 };
	const struct sandbox_ruleset *sets[] = { &sa, &sb, NULL };
	struct compiled c;
	struct lg_error err;
	uint64_t v;

	c.len = sandbox_compile(sets, OUR_TGID, c.prog, PROG_MAX, &err);
	ck_assert_int_gt(c.len, 0);
	for (v = 0; v <= 4; v++)
		ck_assert_uint_eq(verdict(&c, __NR_ioctl, 0, v, 0),
				  v >= 1 && v <= 3 ? ALLOWED : TRAPPED);
	/* Only the low 32 bits of an argument are looked at: ioctl's cmd. */
	ck_assert_uint_eq(verdict(&c, __NR_ioctl, 0, 0x100000002ULL, 0), ALLOWED);
	ck_assert_uint_eq(verdict(&c, __NR_mmap, 0, 0, 3), ALLOWED);
	ck_assert_uint_eq(verdict(&c, __NR_mmap, 0, 0, 7), TRAPPED);
	ck_assert_int_eq(sandbox_compile(sets, OUR_TGID, c.prog, 8, &err), -1);
}
END_TEST

/* Signals only within the launcher: pthread_kill and raise, no kill. */
START_TEST(test_tgkill_own_group_only)
{
	struct compiled c;

	compile_role(&c, _i);
	ck_assert_uint_eq(verdict(&c, __NR_tgkill, OUR_TGID, OUR_TGID + 1,
				  SIGUSR1),
			  ALLOWED);
	ck_assert_uint_eq(verdict(&c, __NR_tgkill, 1, 1, SIGKILL), TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_tgkill, OUR_TGID + 1, OUR_TGID + 1,
				  SIGTERM),
			  TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_kill, OUR_TGID, SIGTERM, 0), TRAPPED);
	ck_assert_uint_eq(verdict(&c, __NR_tkill, OUR_TGID, SIGTERM, 0), TRAPPED);
}
END_TEST

/*
 * The same under the real filter: a process confined to role _i may
 * signal its own threads, and dies with the sandbox's status when it
 * signals its parent (signal 0, so nothing is sent if it got through).
 */
START_TEST(test_tgkill_live)
{
	struct sandbox_config cfg = { 0 };
	pid_t parent = getpid(), child;
	struct lg_error err;
	int wstatus;

	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		sandbox_init(&cfg);
		if (sandbox_enter(_i, &err))
			_exit(2);
		if (syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), 0))
			_exit(3);
		syscall(SYS_tgkill, parent, parent, 0);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(child, &wstatus, 0), child);
	ck_assert_msg(WIFEXITED(wstatus) &&
			      WEXITSTATUS(wstatus) == LG_EXIT_SANDBOX,
		      "%s: status %#x, expected exit %d", sandbox_role_name(_i),
		      wstatus, LG_EXIT_SANDBOX);
}
END_TEST

/* The interpreter itself refuses what sandbox_compile never emits. */
START_TEST(test_interpreter_refuses_bad_programs)
{
	const struct sock_filter off_end[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	};
	const struct sock_filter bad_op[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter past_data[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, sizeof(struct seccomp_data)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct seccomp_data d = { 0 };

	ck_assert_uint_eq(sandbox_run(off_end, 1, &d), SANDBOX_BAD_PROGRAM);
	ck_assert_uint_eq(sandbox_run(bad_op, 2, &d), SANDBOX_BAD_PROGRAM);
	ck_assert_uint_eq(sandbox_run(past_data, 2, &d), SANDBOX_BAD_PROGRAM);
	ck_assert_uint_eq(sandbox_run(bad_op + 1, 1, &d), SECCOMP_RET_ALLOW);
}
END_TEST

START_TEST(test_names)
{
	enum sandbox_role role;

	ck_assert_str_eq(sandbox_syscall_name(__NR_execve), "execve");
	ck_assert_str_eq(sandbox_syscall_name(__NR_ioctl), "ioctl");
	ck_assert_ptr_null(sandbox_syscall_name(-1));
	ck_assert_ptr_null(sandbox_syscall_name(100000));
	ck_assert_int_eq(sandbox_device_role("virtio-blk", &role), 0);
	ck_assert_int_eq(role, SANDBOX_VIRTIO_BLK);
	ck_assert_int_eq(sandbox_device_role("virtio-gpu", &role), -1);
	ck_assert_str_eq(sandbox_role_name(SANDBOX_VCPU), "the vcpu thread");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Guest memory against the host's limits                              */
/* ------------------------------------------------------------------ */

START_TEST(test_memory_verdict)
{
	const struct host_mem_room rooms[] = {
		{ "MemAvailable + SwapFree", 1800 * MiB },
		{ "RLIMIT_AS", 4000 * MiB },
		{ "cgroup memory.max", 900 * MiB },
	};

	ck_assert_ptr_null(host_mem_too_small(512 * MiB, rooms, 3));
	ck_assert_ptr_null(host_mem_too_small(900 * MiB, rooms, 3));
	ck_assert_ptr_eq(host_mem_too_small(901 * MiB, rooms, 3), &rooms[2]);
	ck_assert_ptr_eq(host_mem_too_small(4096 * MiB, rooms, 2), &rooms[0]);
	ck_assert_ptr_null(host_mem_too_small(1ULL << 40, rooms, 0));
}
END_TEST

START_TEST(test_memory_parsers)
{
	static const char meminfo[] =
		"MemTotal:        4028096 kB\n"
		"MemFree:          112344 kB\n"
		"MemAvailable:    1843200 kB\n"
		"SwapTotal:        524288 kB\n"
		"SwapFree:         262144 kB\n";
	uint64_t avail, swap, v;
	char path[64];

	ck_assert_int_eq(host_mem_meminfo(meminfo, &avail, &swap), 0);
	ck_assert_uint_eq(avail, 1800 * MiB);
	ck_assert_uint_eq(swap, 256 * MiB);
	ck_assert_int_eq(host_mem_meminfo("MemTotal: 1 kB\n", &avail, &swap), -1);
	ck_assert_int_eq(host_mem_meminfo("MemAvailable: 2048 kB\n", &avail, &swap), 0);
	ck_assert_uint_eq(swap, 0);
	ck_assert_int_eq(host_mem_status_kb("VmSize:\t  10240 kB\nVmData: x kB\n",
					    "VmSize", &v), 0);
	ck_assert_uint_eq(v, 10 * MiB);
	ck_assert_int_eq(host_mem_status_kb("VmData: x kB\n", "VmData", &v), -1);
	ck_assert_int_eq(host_mem_status_kb("VmDataX: 1 kB\n", "VmData", &v), -1);
	ck_assert_int_eq(host_mem_cgroup_value("max\n", &v), 0);
	ck_assert_uint_eq(v, HOST_MEM_UNLIMITED);
	ck_assert_int_eq(host_mem_cgroup_value("536870912\n", &v), 0);
	ck_assert_uint_eq(v, 512 * MiB);
	ck_assert_int_eq(host_mem_cgroup_value("12abc\n", &v), -1);
	ck_assert_int_eq(host_mem_cgroup_path("1:name=systemd:/x\n0::/user.slice/a.scope\n",
					      path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/user.slice/a.scope");
	ck_assert_int_eq(host_mem_cgroup_path("0::/\n", path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/");
	ck_assert_int_eq(host_mem_cgroup_path("1:cpu:/x\n", path, sizeof(path)), -1);
	ck_assert_int_eq(host_mem_cgroup_path("0::/0123456789\n", path, 8), -1);
}
END_TEST

START_TEST(test_inherited_fd_paths)
{
	ck_assert_int_eq(inherited_fd_path("/dev/fd/10"), 10);
	ck_assert_int_eq(inherited_fd_path("/proc/self/fd/7"), 7);
	ck_assert_int_eq(inherited_fd_path("/dev/fd/1"), -1);
	ck_assert_int_eq(inherited_fd_path("/dev/fd/"), -1);
	ck_assert_int_eq(inherited_fd_path("/dev/fd/9x"), -1);
	ck_assert_int_eq(inherited_fd_path("disk.img"), -1);
}
END_TEST

static Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_vcpu_filter);
	tcase_add_test(tc, test_vcpu_nested_state);
	tcase_add_loop_test(tc, test_no_role_starts_threads, 0, SANDBOX_ROLES);
	tcase_add_test(tc, test_device_filters);
	tcase_add_loop_test(tc, test_no_thread_opens_or_connects, 0,
			    SANDBOX_SHARE_HELPER);
	tcase_add_test(tc, test_rules_for_one_call_add_up);
	tcase_add_loop_test(tc, test_tgkill_own_group_only, 0, SANDBOX_ROLES);
	tcase_add_loop_test(tc, test_tgkill_live, 0, SANDBOX_ROLES);
	tcase_add_test(tc, test_interpreter_refuses_bad_programs);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_memory_verdict);
	tcase_add_test(tc, test_memory_parsers);
	tcase_add_test(tc, test_inherited_fd_paths);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sandbox_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
