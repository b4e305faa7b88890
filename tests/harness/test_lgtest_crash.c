// SPDX-License-Identifier: GPL-2.0
/*
 * The crash classifier against real kernel crash reports (the corpus in
 * tests/harness/crashes/, see its README) and against small made-up
 * consoles for the incremental detector's edges.  Run from the
 * repository root; LGTEST_CRASHES names another corpus directory.
 */
#include "harness_test.h"
#include "crash.h"
#include "expect.h"

#define MAX_CASES 256

struct corpus_case {
	char file[256];
	char title[CRASH_TITLE_MAX];
};

static struct corpus_case cases[MAX_CASES];
static int ncases;

static const char *corpus_dir(void)
{
	const char *d = getenv("LGTEST_CRASHES");

	return d && *d ? d : "tests/harness/crashes";
}

static void load_expected(void)
{
	char path[512], *text, *line, *tab, *save = NULL;

	snprintf(path, sizeof(path), "%s/expected.txt", corpus_dir());
	text = slurp(path, NULL);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !line[0])
			continue;
		tab = strchr(line, '\t');
		if (!tab || ncases == MAX_CASES) {
			fprintf(stderr, "%s: bad line '%s'\n", path, line);
			exit(EXIT_FAILURE);
		}
		*tab = '\0';
		snprintf(cases[ncases].file, sizeof(cases[ncases].file), "%s",
			 line);
		snprintf(cases[ncases].title, sizeof(cases[ncases].title), "%s",
			 tab + 1);
		ncases++;
	}
	free(text);
}

/* A console as the harness sees it: CRs and NULs gone. */
static void console_of(const char *path, struct console *c)
{
	size_t len;
	char *raw = slurp(path, &len);

	memset(c, 0, sizeof(*c));
	console_append(c, raw, len);
	free(raw);
}

START_TEST(test_corpus)
{
	const struct corpus_case *k = &cases[_i];
	struct crash_report r;
	struct console c;
	char path[512];
	bool found;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), k->file);
	console_of(path, &c);
	found = crash_classify(c.text.data, c.text.len, &r);
	if (!strcmp(k->title, "-"))
		ck_assert_msg(!found,
			      "%s: expected no crash, got '%s' at line %d",
			      k->file, r.title, r.start_line);
	else
		ck_assert_msg(found && !strcmp(r.title, k->title),
			      "%s: expected '%s', got '%s'", k->file, k->title,
			      found ? r.title : "no crash");
	console_free(&c);
}
END_TEST

/* Fed a byte at a time, the detector must reach the one-shot title. */
START_TEST(test_corpus_incremental)
{
	const struct corpus_case *k = &cases[_i];
	struct crash_detector d = {0};
	struct crash_report whole;
	struct console c;
	char path[512];
	size_t n, step;

	if (!strcmp(k->title, "-"))
		return;
	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), k->file);
	console_of(path, &c);
	ck_assert(crash_classify(c.text.data, c.text.len, &whole));
	step = c.text.len / 97 + 1; /* cut lines at odd places */
	for (n = 0; n < c.text.len; n += step)
		crash_feed(&d, c.text.data, n, false);
	crash_feed(&d, c.text.data, c.text.len, true);
	ck_assert(d.report.found && d.report.complete);
	ck_assert_str_eq(d.report.title, whole.title);
	ck_assert_int_eq(d.report.start_line, whole.start_line);
	console_free(&c);
}
END_TEST

START_TEST(test_corpus_is_big_enough)
{
	int crashes = 0, i;

	for (i = 0; i < ncases; i++)
		crashes += strcmp(cases[i].title, "-") != 0;
	ck_assert_msg(crashes >= 40, "only %d crash reports in the corpus",
		      crashes);
	ck_assert_msg(ncases - crashes >= 3, "too few crash-free logs");
}
END_TEST

static void classify_str(const char *text, struct crash_report *r, bool want)
{
	bool found = crash_classify(text, strlen(text), r);

	ck_assert_msg(found == want, "crash %sfound in:\n%s",
		      found ? "" : "not ", text);
}

START_TEST(test_normalize)
{
	static const struct {
		const char *in, *out;
	} n[] = {
		{"WARNING in foo+0x12/0x340 [mod]", "WARNING in foo"},
		{"in: bar.constprop.0", "in: bar"},
		{"at fs/ext4/inode.c:1234:5!", "at fs/ext4/inode.c!"},
		{"exitcode=0x00000100", "exitcode=ADDR"},
		{"page at ffff88802bde1e40  now", "page at ADDR now"},
		{"  spaced \t out  ", "spaced out"},
	};
	char out[CRASH_TITLE_MAX];
	size_t i;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		crash_normalize(n[i].in, out, sizeof(out));
		ck_assert_str_eq(out, n[i].out);
	}
}
END_TEST

/* Small made-up reports, one per rule, in the kernel's own formats. */
static const struct {
	const char *what, *log, *title;
} rule_cases[] = {
	{"old-style frames: ? frames pass, machinery is skipped",
	 "general protection fault: 0000 [#1] SMP KASAN\n"
	 "RIP: 0010:[<ffffffff81d64236>]  [<ffffffff81d64236>] "
	 "memcmp+0x86/0x1d0\n"
	 "Call Trace:\n"
	 " [<ffffffff81000001>] ? unrelated+0x1/0x2\n"
	 " [<ffffffff81000002>] __lock_acquire+0x1/0x2\n"
	 " [<ffffffff81000003>] tipc_sub_delete+0x1/0x2\n",
	 "general protection fault in tipc_sub_delete"},
	{"hung task: locking and waiting frames are not to blame",
	 "INFO: task syz:10244 blocked for more than 143 seconds.\n"
	 "Call Trace:\n __schedule+0x1/0x2\n schedule+0x1/0x2\n"
	 " schedule_preempt_disabled+0x1/0x2\n __mutex_lock+0x1/0x2\n"
	 " mutex_lock_nested+0x1/0x2\n rtnl_lock+0x1/0x2\n"
	 " dev_ioctl+0x1/0x2\n",
	 "INFO: task hung in rtnl_lock"},
	{"hung in I/O wait: do_f called by f is blamed as f",
	 "INFO: task udevd:5612 blocked in I/O wait for more than 143 "
	 "seconds.\n"
	 "Call trace:\n io_schedule+0x1/0x2\n folio_wait_bit_common+0x1/0x2\n"
	 " do_read_cache_folio+0x1/0x2\n read_cache_folio+0x1/0x2\n"
	 " read_part_sector+0x1/0x2\n",
	 "INFO: task hung in read_cache_folio"},
	{"lockdep: the lock being taken, old [<addr>] form",
	 "WARNING: possible circular locking dependency detected\n"
	 "syz/4217 is trying to acquire lock:\n"
	 " (rtnl_mutex){+.+.}, at: [<00000000ac220e5b>] rtnl_lock+0x17/0x20\n"
	 "but task is already holding lock:\n"
	 " (&xt[i].mutex){+.+.}, at: [<0000000088>] xt_find_table+0x3e/0x3e0\n"
	 "Call Trace:\n dump_stack+0x1/0x2\n print_circular_bug+0x1/0x2\n",
	 "possible deadlock in rtnl_lock"},
	{"lockdep's old [ BUG: ] header, lock site on the next line",
	 "[ BUG: bad unlock balance detected! ]\n"
	 "syz/1081 is trying to release lock (mrt_lock) at:\n"
	 "[<ffffffff834dea24>] ipmr_mfc_seq_stop+0xe4/0x140\n"
	 "but there are no more locks to release!\n",
	 "BUG: bad unlock balance in ipmr_mfc_seq_stop"},
	{"lockdep warning without its 'detected'",
	 "WARNING: syz/4398 still has locks held!\n"
	 "1 lock held by syz/4398:\n"
	 " #0: (&pipe->mutex/1){+.+.+.}, at: pipe_lock+0x5b/0x70\n",
	 "WARNING: still has locks held in pipe_lock"},
	{"a WARNING from lockdep itself is a locking bug",
	 "WARNING: CPU: 1 PID: 7 at kernel/locking/lockdep.c:3476 "
	 "__lock_acquire+0x1/0x2\n"
	 "Call Trace:\n lock_acquire+0x1/0x2\n lock_sock_nested+0x1/0x2\n"
	 " do_ipv6_setsockopt+0x1/0x2\n",
	 "WARNING: locking bug in do_ipv6_setsockopt"},
	{"refcount_t",
	 "refcount_t: underflow; use-after-free.\n"
	 "WARNING: CPU: 0 PID: 1 at lib/refcount.c:28 "
	 "refcount_warn_saturate+0x1/0x2\n"
	 "Call Trace:\n kobject_put+0x1/0x2\n"
	 " input_register_device+0x1/0x2\n",
	 "WARNING: refcount bug in input_register_device"},
	{"debugobjects",
	 "ODEBUG: activate active (active state 1) object type: rcu_head\n"
	 "WARNING: CPU: 0 PID: 5989 at lib/debugobjects.c:291 "
	 "debug_print_object+0x1/0x2\n"
	 "Call Trace:\n debug_object_activate+0x1/0x2\n __call_rcu+0x1/0x2\n"
	 " pppol2tp_release+0x1/0x2\n",
	 "WARNING: ODEBUG bug in pppol2tp_release"},
	{"KMSAN names the function unless it is a copy helper",
	 "BUG: KMSAN: kernel-infoleak in instrument_copy_to_user+0x1/0x2\n"
	 "instrument_copy_to_user include/linux/instrumented.h:114 [inline]\n"
	 "Call Trace:\n _copy_to_iter+0x1/0x2\n filemap_read+0x1/0x2\n",
	 "KMSAN: kernel-infoleak in filemap_read"},
	{"KASAN: the access from the next line, the old kind's new name",
	 "BUG: KASAN: double-free or invalid-free in kvfree+0x1/0x2\n"
	 "CPU: 0 PID: 1 Comm: syz\nCall Trace:\n kfree+0x1/0x2\n"
	 " xt_free_table_info+0x1/0x2\n",
	 "KASAN: invalid-free in xt_free_table_info"},
	{"KASAN: tag-based 'Read at addr', and a generic hint",
	 "BUG: KASAN: invalid-access in __memset+0x16c/0x188\n"
	 "Read at addr 0bff00002a0f4600 by task syz/6700\n"
	 "Call trace:\n do_tag_check_fault+0x1/0x2\n el1_abort+0x1/0x2\n"
	 " __memset+0x1/0x2\n io_submit_sqes+0x1/0x2\n",
	 "KASAN: invalid-access Read in io_submit_sqes"},
	{"KASAN's oldest form is kept as printed, behind dropped messages",
	 "** 3764 printk messages dropped ** [   46.300984] BUG: KASAN: "
	 "slab-out-of-bounds in gup_pmd+0x5ad/0x660 at addr ffff8800b7eb5780\n",
	 "KASAN: slab-out-of-bounds in gup_pmd at addr ADDR"},
	{"UBSAN's old form",
	 "UBSAN: Undefined behaviour in drivers/usb/core/devio.c:1517:25\n"
	 "shift exponent -1 is negative\nCall Trace:\n"
	 " [<ffffffff81bcb87d>] ubsan_epilogue+0xd/0x40\n"
	 " [<ffffffff82226794>] proc_do_submiturb+0x2994/0x2c30\n",
	 "UBSAN: undefined-behaviour in proc_do_submiturb"},
	{"memory leak: the first caller outside the allocators",
	 "BUG: memory leak\n"
	 "unreferenced object 0xffff88005f7ac800 (size 2048): \n"
	 "  backtrace: \n"
	 "    [<00000000996d44e4>] __kmalloc+0x14f/0x2a0\n"
	 "    [<00000000d3775b57>] pcpu_mem_zalloc+0x6a/0x90\n"
	 "    [<00000000f3c9f17c>] htab_map_alloc+0x447/0x5c0\n"
	 "    [<0000000018bf48ad>] map_create+0x149/0x520\n",
	 "memory leak in map_create"},
	{"suspicious RCU usage, old INFO form",
	 "[ INFO: suspicious RCU usage. ]\n"
	 "net/ipv6/ip6_flowlabel.c:544 suspicious rcu_dereference_check()!\n"
	 "Call Trace:\n dump_stack+0x1/0x2\n lockdep_rcu_suspicious+0x1/0x2\n"
	 " ipv6_flowlabel_opt+0x1/0x2\n",
	 "INFO: suspicious RCU usage in ipv6_flowlabel_opt"},
	{"unwinder warnings name no function",
	 "WARNING: kernel stack frame pointer at ffff8801c1a9f858 in "
	 "syz:1234 has bad value 0000000000000001\n",
	 "WARNING: kernel stack frame pointer has bad value"},
	{"RCU stall: the work the dispatcher handed over",
	 "INFO: rcu_sched self-detected stall on CPU\n"
	 "NMI backtrace for cpu 1\nCall Trace:\n <IRQ>\n"
	 " dump_stack+0x1/0x2\n rcu_dump_cpu_stacks+0x1/0x2\n"
	 " update_process_times+0x1/0x2\n hrtimer_interrupt+0x1/0x2\n"
	 " apic_timer_interrupt+0x1/0x2\n </IRQ>\n"
	 "RIP: 0010:vmx_vcpu_run+0x1/0x2\n"
	 "RSP: 0018:ffff8801aab0f358 EFLAGS: 00000293\n"
	 " kvm_arch_vcpu_ioctl_run+0x1/0x2\n kvm_vcpu_ioctl+0x1/0x2\n"
	 " vfs_ioctl+0x1/0x2\n __x64_sys_ioctl+0x1/0x2\n"
	 " do_syscall_64+0x1/0x2\n",
	 "INFO: rcu detected stall in kvm_vcpu_ioctl"},
	{"RCU stall: the RCU kthread's own stack is passed over",
	 "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
	 "rcu: RCU grace-period kthread stack dump:\n"
	 "Call Trace:\n schedule+0x1/0x2\n rcu_gp_kthread+0x1/0x2\n"
	 " kthread+0x1/0x2\n ret_from_fork+0x1/0x2\n"
	 "NMI backtrace for cpu 1\nCall Trace:\n"
	 " smp_call_function_many+0x1/0x2\n native_flush_tlb_others+0x1/0x2\n",
	 "INFO: rcu detected stall in smp_call_function"},
	{"soft lockup: the syscall, not the loop it was in",
	 "watchdog: BUG: soft lockup - CPU#1 stuck for 134s! [syz:4588]\n"
	 "RIP: 0010:d_walk+0x840/0xc80\n"
	 "RSP: 0018:ffff880183f5f9f8 EFLAGS: 00000293\n"
	 "Call Trace:\n shrink_dcache_parent+0x1/0x2\n vfs_rmdir+0x1/0x2\n"
	 " do_rmdir+0x1/0x2\n __x64_sys_rmdir+0x1/0x2\n"
	 " do_syscall_64+0x1/0x2\n",
	 "BUG: soft lockup in sys_rmdir"},
	{"arm64: paging request, pc line",
	 "Unable to handle kernel paging request at virtual address "
	 "dfffa00000000003\n"
	 "Internal error: Oops: 96000004 [#1] PREEMPT SMP\n"
	 "pc : selinux_socket_sendmsg+0x1/0x2\nlr : other+0x1/0x2\n",
	 "BUG: unable to handle kernel paging request in "
	 "selinux_socket_sendmsg"},
	{"arm: Unhandled fault, a Backtrace: cut after a caller",
	 "Unhandled fault: page domain fault (0x01b) at 0x00000e30\n"
	 "Internal error: : 1b [#1] PREEMPT SMP ARM\n"
	 "PC is at __sanitizer_cov_trace_pc+0x4c/0x78\n"
	 "Backtrace: \n"
	 "[<802b3ffc>] (__sanitizer_cov_trace_pc) from [<802e1324>] "
	 "(trace_hardirqs_off+0x6c/0x120)\n"
	 "[<802e12b8>] (trace_hardirqs_off) from [<80100a74>] "
	 "(__dabt_svc+0x54/0xa0)\n"
	 "Exception stack(0x8bdfc048 to 0x8bdfc090)\n",
	 "Unhandled fault in __dabt_svc"},
	{"KMSAN: the stack right under the header, no Call Trace line",
	 "BUG: KMSAN: kernel-infoleak in _copy_to_iter+0x376/0x1c60\n"
	 " _copy_to_iter+0x376/0x1c60\n copy_page_to_iter+0x420/0x880\n"
	 " filemap_read+0xbcc/0x1470\n",
	 "KMSAN: kernel-infoleak in filemap_read"},
	{"kmemleak's newer backtrace header and symbolised frames",
	 "BUG: memory leak\n"
	 "unreferenced object 0xffff8882d78c9ea0 (size 96):\n"
	 "  backtrace (crc c9a1c131):\n"
	 "    kmemleak_alloc_recursive include/linux/kmemleak.h:44 [inline]\n"
	 "    __kmalloc_cache_noprof+0x42f/0x5e0 mm/slub.c:5719\n"
	 "    lookup_module_kobject+0x57/0x110 kernel/params.c:764\n",
	 "memory leak in lookup_module_kobject"},
	{"arm64: a raw address frame does not end the trace",
	 "Internal error: Oops - SP/PC alignment exception: 8a000000 [#1]\n"
	 "Call trace:\n"
	 "Exception stack(0xffffffc01ec87d20 to 0xffffffc01ec87e50)\n"
	 "7d20: ffffffc055663000 ffffff9009e02000\n"
	 "[<0000000015c44a38>] 0xffffffffdeadbeef\n"
	 "[<000000004fa15e98>] el0_svc_naked+0x34/0x38\n",
	 "Internal error in el0_svc_naked"},
	{"KASAN's old header with its access line is the usual title",
	 "BUG: KASAN: use-after-free in remove_wait_queue+0x1/0x2 at addr "
	 "ffff8800b7eb5780\n"
	 "Write of size 8 by task syz/123\n",
	 "KASAN: use-after-free Write in remove_wait_queue"},
	{"x86's newer 'Oops: ' before the trap's name",
	 "Oops: divide error: 0000 [#1] PREEMPT SMP KASAN NOPTI\n"
	 "RIP: 0010:mydev_rate+0x1/0x2\n",
	 "divide error in mydev_rate"},
	{"a WARNING cut short before any stack",
	 "------------[ cut here ]------------\n"
	 "WARNING: CPU: 3 PID: 1975 at fs/locks.c:241 "
	 "locks_free_ctx+0x118/0x180()\n",
	 "WARNING in corrupted"},
	{"I/O accessors are the driver's",
	 "Internal error: synchronous external abort: 96000010 [#1] SMP\n"
	 "pc : __raw_readb+0x18/0x2c\n"
	 "Call trace:\n __raw_readb+0x18/0x2c\n logic_inb+0x50/0x13c\n"
	 " joy_init+0x17c/0x63c\n",
	 "Internal error in joy_init"},
	{"a trap glued to other output",
	 "random: crng init doneinvalid opcode: 0000 [#1] SMP\n"
	 "RIP: 0010:mydev_probe+0x1/0x2\n",
	 "invalid opcode in mydev_probe"},
	{"lockdep running out of room names no function",
	 "BUG: MAX_STACK_TRACE_ENTRIES too low!\n"
	 "Call Trace:\n save_trace+0x1/0x2\n flush_workqueue+0x1/0x2\n",
	 "BUG: MAX_STACK_TRACE_ENTRIES too low!"},
	{"powerpc: NIP and (unreliable) frames",
	 "kernel BUG at fs/x.c:12!\n"
	 "NIP [c000000000012345] __might_resched+0x1/0x2\n"
	 "Call Trace:\n"
	 "[c00000000e8b7a50] [c000000000012340] other+0x1/0x2 (unreliable)\n"
	 "[c00000000e8b7b00] [c000000000012350] xfs_do_thing+0x1/0x2\n",
	 "kernel BUG in xfs_do_thing"},
	{"hung in synchronize_rcu: a wait named after what it waits for",
	 "INFO: task kworker/0:1:12 blocked for more than 143 seconds.\n"
	 "Call Trace:\n schedule+0x1/0x2\n wait_for_completion+0x1/0x2\n"
	 "synchronize_rcu+0x1/0x2\n netdev_run_todo+0x1/0x2\n",
	 "INFO: task hung in synchronize_rcu"},
	{"addresses stuck to other text are dropped from BUG titles",
	 "BUG: Dentry ffff88801b8a2e00{i=0,n=.index} still in use (1) "
	 "[unmount of tmpfs tmpfs]\n"
	 "Call Trace:\n umount_check+0x1/0x2\n",
	 "BUG: Dentry still in use in umount_check"},
	{"unregister_netdevice waiting",
	 "unregister_netdevice: waiting for lo to become free. Usage count = "
	 "2\n",
	 "unregister_netdevice: waiting for DEV to become free"},
	{"panic: init's exit code is no part of the title",
	 "Kernel panic - not syncing: Attempted to kill init! "
	 "exitcode=0x00000100\n",
	 "kernel panic: Attempted to kill init!"},
	{"panic: stack protector",
	 "Kernel panic - not syncing: stack-protector: Kernel stack is "
	 "corrupted in: udp4_lib_lookup2+0x1/0x2\n",
	 "kernel panic: stack is corrupted in udp4_lib_lookup2"},
	{"a report that always names a function, with none",
	 "general protection fault: 0000 [#1] SMP KASAN\n"
	 "Modules linked in:\n",
	 "general protection fault in corrupted"},
	{"a start line glued to the end of another message",
	 "kasan: GPF could be caused by NULL-ptr deref or user memory "
	 "accessgeneral protection fault: 0000 [#1] PREEMPT SMP KASAN\n"
	 "RIP: 0010:tipc_sub_delete+0x1/0x2\n",
	 "general protection fault in tipc_sub_delete"},
	{"a start line after another source's text and time stamp",
	 "syzkaller login: [  417.725670][    C1] rcu: INFO: rcu_sched "
	 "self-detected stall on CPU\n"
	 "Call trace:\n nmi_cpu_backtrace+0x1/0x2\n"
	 " do_recvmmsg+0x1/0x2\n __arm64_sys_recvmmsg+0x1/0x2\n"
	 " invoke_syscall+0x1/0x2\n",
	 "INFO: rcu detected stall in sys_recvmmsg"},
	{"driver core teardown: the driver that unregisters is to blame",
	 "BUG: KASAN: use-after-free in klist_next+0x1/0x2\n"
	 "Read of size 8 at addr ffff888012345678 by task kworker/0:1/12\n"
	 "Call Trace:\n dump_stack+0x1/0x2\n kasan_report+0x1/0x2\n"
	 " klist_next+0x1/0x2\n device_del+0x1/0x2\n"
	 " device_unregister+0x1/0x2\n mydrv_disconnect+0x1/0x2\n"
	 " usb_unbind_interface+0x1/0x2\n",
	 "KASAN: use-after-free Read in mydrv_disconnect"},
	{"another task's line inside a trace is passed over",
	 "[   1.0][ T58] WARNING: CPU: 0 PID: 58 at fs/dcache.c:1 "
	 "fast_dput+0x1/0x2\n"
	 "[   1.1][ T58] Call Trace:\n"
	 "[   1.2][ T58]  dput+0x1/0x2\n"
	 "[   1.3][ T77] usb 1-1: New USB device found\n"
	 "[   1.4][ T58]  myfs_put+0x1/0x2\n",
	 "WARNING in myfs_put"},
	{"a stray line between two frames is passed over",
	 "INFO: task syz:61 blocked for more than 120 seconds.\n"
	 "Call Trace:\n [<ffffffff81000000>] schedule+0x1/0x2\n"
	 "blkid (20588) used greatest stack depth: 3352 bytes left\n"
	 " [<ffffffff81000001>] mutex_lock_nested+0x1/0x2\n"
	 " [<ffffffff81000002>] copy_net_ns+0x1/0x2\n",
	 "INFO: task hung in copy_net_ns"},
	{"a report start inside a call trace does not end the report",
	 "INFO: task syz:61 blocked for more than 120 seconds.\n"
	 "Call Trace:\n schedule+0x1/0x2\n"
	 "unregister_netdevice: waiting for lo to become free. Usage count = "
	 "6\n"
	 " mutex_lock_nested+0x1/0x2\n copy_net_ns+0x1/0x2\n",
	 "INFO: task hung in copy_net_ns"},
	{"lockdep: an invalid wait context is a locking bug",
	 "[ BUG: Invalid wait context ]\n"
	 "syz/1 is trying to lock:\n"
	 "ffff0000 (&mm->mmap_lock){++++}-{3:3}, at: __might_fault+0x1/0x2\n"
	 "stack backtrace:\nCall trace:\n dump_backtrace+0x1/0x2\n"
	 " lock_acquire+0x1/0x2\n __might_fault+0x1/0x2\n"
	 " do_ipv6_setsockopt+0x1/0x2\n",
	 "WARNING: locking bug in do_ipv6_setsockopt"},
	{"the TASK stack's guard page is the stack guard page",
	 "BUG: TASK stack guard page was hit at ffffc900054afff8 (stack is "
	 "ffffc900054b0000..ffffc900054b8000)\n"
	 "RIP: 0010:tls_setsockopt+0x1/0x2\n",
	 "BUG: stack guard page was hit in tls_setsockopt"},
	{"an x86 trap named with an underscore",
	 "divide_error: 0000 [#1] PREEMPT SMP KASAN\n"
	 "RIP: 0010:tabledist+0x1/0x2\n",
	 "divide error in tabledist"},
	{"preemptible code: the caller the kernel names",
	 "BUG: using smp_processor_id() in preemptible [00000000] code: "
	 "syz/1\ncaller is radix_tree_node_alloc.constprop.0+0x200/0x330\n"
	 "Call Trace:\n check_preemption_disabled+0x1/0x2\n"
	 " radix_tree_node_alloc+0x1/0x2\n qrtr_bind+0x1/0x2\n",
	 "BUG: using smp_processor_id() in preemptible code in "
	 "radix_tree_node_alloc"},
	{"preemptible code: a caller that is machinery is passed over",
	 "BUG: using __this_cpu_read() in preemptible [00000000] code: "
	 "syz/1\ncaller is __this_cpu_preempt_check+0x1c/0x20\n"
	 "Call Trace:\n __this_cpu_preempt_check+0x1/0x2\n"
	 " ipcomp_init_state+0x1/0x2\n",
	 "BUG: using __this_cpu_read() in preemptible code in "
	 "ipcomp_init_state"},
	{"a stall in a syscall's own body is the syscall's",
	 "rcu: INFO: rcu_preempt self-detected stall on CPU\n"
	 "Call Trace:\n <IRQ>\n rcu_sched_clock_irq+0x1/0x2\n </IRQ>\n"
	 " __copy_msghdr_from_user+0x1/0x2\n ___sys_recvmsg+0x1/0x2\n"
	 " do_recvmmsg+0x1/0x2\n __x64_sys_recvmmsg+0x1/0x2\n"
	 " do_syscall_64+0x1/0x2\n",
	 "INFO: rcu detected stall in sys_recvmmsg"},
	{"a sanitizer's report cuts the header before it",
	 "BUG: unable to handle kernel paging request at ffffffff0001eea6\n"
	 "==================================================================\n"
	 "BUG: KASAN: use-after-free in rb_first_postorder+0x7c/0xa0\n"
	 "Read of size 8 at addr ffff8801d92ca840 by task syz/1\n"
	 "Call Trace:\n kasan_report+0x1/0x2\n rb_first_postorder+0x1/0x2\n"
	 " tipc_group_join+0x1/0x2\n",
	 "BUG: unable to handle kernel paging request in corrupted"},
	{"another task's sanitizer report does not cut this one",
	 "[ 1.0][ T1560] general protection fault: 0000 [#1] PREEMPT SMP\n"
	 "[ 1.1][ T1533] BUG: KASAN: null-ptr-deref in "
	 "refcount_sub+0x87/0x200\n"
	 "[ 1.2][ T1560] CPU: 0 PID: 1560 Comm: syz Not tainted 5.2.0 #26\n"
	 "[ 1.3][ T1560] RIP: 0010:refcount_sub_and_test_checked+0x8e/0x200\n"
	 "[ 1.4][ T1560] Call Trace:\n"
	 "[ 1.5][ T1560]  x25_connect+0x1/0x2\n",
	 "general protection fault in x25_connect"},
	{"lockdep: an old lock site with blanks after its address",
	 "[ INFO: possible circular locking dependency detected ]\n"
	 "swapper/2/0 is trying to acquire lock:\n"
	 " (&port_lock_key){-.-...}, at: [<c036a6dc>]     "
	 "serial8250_console_write+0x108/0x134\n",
	 "possible deadlock in serial8250_console_write"},
	{"usb_submit_urb's WARNING names its caller too",
	 "WARNING: CPU: 0 PID: 12 at drivers/usb/core/urb.c:477 "
	 "usb_submit_urb+0x119a/0x13c0\n"
	 "RIP: 0010:usb_submit_urb+0x119a/0x13c0\n"
	 "Call Trace:\n submit_rx_urb+0x1/0x2\n mydrv_probe+0x1/0x2\n",
	 "WARNING in submit_rx_urb/usb_submit_urb"},
	{"usb_submit_urb's WARNING without a stack",
	 "WARNING: CPU: 0 PID: 12 at drivers/usb/core/urb.c:477 "
	 "usb_submit_urb+0x119a/0x13c0\n",
	 "WARNING in corrupted/usb_submit_urb"},
	{"lockdep cut before its lock site and stack",
	 "[ BUG: bad unlock balance detected! ]\n"
	 "4.9.0 #1 Not tainted\n",
	 "BUG: bad unlock balance in corrupted"},
	{"BUG: details cut off",
	 "BUG: Bad page state in process syz.3.584  pfn:7071f\n"
	 "Call Trace:\n bad_page+0x1/0x2\n __free_pages+0x1/0x2\n"
	 " mydrv_free_rx+0x1/0x2\n",
	 "BUG: Bad page state in mydrv_free_rx"},
	{"BUG: preemptible code",
	 "BUG: using smp_processor_id() in preemptible [00000000] code: "
	 "syz/123\n"
	 "Call Trace:\n check_preemption_disabled+0x1/0x2\n"
	 " ext4_mb_new_blocks+0x1/0x2\n",
	 "BUG: using smp_processor_id() in preemptible code in "
	 "ext4_mb_new_blocks"},
	{"workqueue leak: the work function",
	 "BUG: workqueue leaked lock or atomic: kworker/0:1/0x00000000/12\n"
	 "    last function: addrconf_dad_work\n",
	 "BUG: workqueue leaked lock or atomic in addrconf_dad_work"},
	{"another program's lines inside a trace",
	 "BUG: KASAN: stack-out-of-bounds in memcmp+0xe3/0x160\n"
	 "[  396.969914] Read of size 1 at addr ffff8801c19175d0\n"
	 "[  396.995841] Call Trace:\n"
	 "[  396.998428]  dump_stack+0x194/0x257\n"
	 "2018/01/02 18:20:06 executing program 3:\n"
	 "mmap(&(0x7f0000000000/0xa000)=nil, 0xa000)\n"
	 "[  397.002054]  memcmp+0x1/0x2\n"
	 "[  397.002055]  xfrm_selector_match+0x1/0x2\n",
	 "KASAN: stack-out-of-bounds Read in xfrm_selector_match"},
};

START_TEST(test_rule)
{
	struct crash_report r;

	classify_str(rule_cases[_i].log, &r, true);
	ck_assert_msg(!strcmp(r.title, rule_cases[_i].title),
		      "%s: expected '%s', got '%s'", rule_cases[_i].what,
		      rule_cases[_i].title, r.title);
}
END_TEST

/*
 * The report beyond its title, field by field: the kind, the alternative
 * title of its class, the corrupted flag, the guilty frame and its source
 * file where printed, and the text from its first line to the end of its
 * last stack (or its end marker, or all its lines when it has no stack).
 */
static const struct {
	const char *what, *log, *title, *alt;
	enum crash_type type;
	bool corrupted;
	const char *frame, *source, *text;
} field_cases[] = {
	{"a symbolised WARNING: the stack's source, text to the last frame",
	 "boot noise\n"
	 "WARNING: CPU: 0 PID: 1 at fs/inode.c:336 drop_nlink+0xc4/0x110\n"
	 "Modules linked in:\n"
	 "RIP: 0010:drop_nlink+0xc4/0x110 fs/inode.c:336\n"
	 "Call Trace:\n"
	 " myfs_rmdir+0x3bc/0x730 fs/myfs/namei.c:12\n"
	 " vfs_rmdir+0x3a3/0x510 fs/namei.c:4000\n"
	 "RSP: 002b:00007ffc9a1c EFLAGS: 00000246\n"
	 "login: after the report\n",
	 "WARNING in myfs_rmdir", NULL, CRASH_WARNING, false, "myfs_rmdir",
	 "fs/myfs/namei.c:12",
	 "WARNING: CPU: 0 PID: 1 at fs/inode.c:336 drop_nlink+0xc4/0x110\n"
	 "Modules linked in:\n"
	 "RIP: 0010:drop_nlink+0xc4/0x110 fs/inode.c:336\n"
	 "Call Trace:\n"
	 " myfs_rmdir+0x3bc/0x730 fs/myfs/namei.c:12\n"
	 " vfs_rmdir+0x3a3/0x510 fs/namei.c:4000"},
	{"a WARNING's own file when the stack prints none",
	 "WARNING: CPU: 1 PID: 2 at drivers/foo.c:12 foo_probe+0x1/0x2\n"
	 "Call Trace:\n foo_probe+0x1/0x2\n bar_init+0x1/0x2\n"
	 "---[ end trace 0000000000000000 ]---\n"
	 "more output\n",
	 "WARNING in foo_probe", NULL, CRASH_WARNING, false, "foo_probe",
	 "drivers/foo.c:12",
	 "WARNING: CPU: 1 PID: 2 at drivers/foo.c:12 foo_probe+0x1/0x2\n"
	 "Call Trace:\n foo_probe+0x1/0x2\n bar_init+0x1/0x2\n"
	 "---[ end trace 0000000000000000 ]---"},
	{"a hung task: a hang, \"hang in f\"",
	 "INFO: task syz:61 blocked for more than 143 seconds.\n"
	 "Call Trace:\n schedule+0x1/0x2\n mutex_lock_nested+0x1/0x2\n"
	 " copy_net_ns+0x1/0x2\n",
	 "INFO: task hung in copy_net_ns", "hang in copy_net_ns", CRASH_HANG,
	 false, "copy_net_ns", "",
	 "INFO: task syz:61 blocked for more than 143 seconds.\n"
	 "Call Trace:\n schedule+0x1/0x2\n mutex_lock_nested+0x1/0x2\n"
	 " copy_net_ns+0x1/0x2"},
	{"an RCU stall: \"stall in f\"",
	 "rcu: INFO: rcu_preempt self-detected stall on CPU\n"
	 "Call Trace:\n <IRQ>\n rcu_sched_clock_irq+0x1/0x2\n </IRQ>\n"
	 " mydrv_poll+0x1/0x2 drivers/my/poll.c:40\n"
	 " mydrv_ioctl+0x1/0x2\n vfs_ioctl+0x1/0x2\n",
	 "INFO: rcu detected stall in mydrv_ioctl", "stall in mydrv_ioctl",
	 CRASH_HANG, false, "mydrv_ioctl", "", NULL},
	{"a cut NULL dereference: corrupted, bad-access, all its lines",
	 "BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
	 "#PF: supervisor write access in kernel mode\n",
	 "BUG: unable to handle kernel NULL pointer dereference in corrupted",
	 "bad-access in corrupted", CRASH_MEMORY, true, "", "",
	 "BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
	 "#PF: supervisor write access in kernel mode"},
	{"KASAN: memory, \"bad-access in f\"",
	 "BUG: KASAN: slab-out-of-bounds in mydrv_read+0x1/0x2\n"
	 "Read of size 4 at addr ffff888012345678 by task cat/1\n"
	 "Call Trace:\n kasan_report+0x1/0x2\n mydrv_read+0x1/0x2\n",
	 "KASAN: slab-out-of-bounds Read in mydrv_read",
	 "bad-access in mydrv_read", CRASH_MEMORY, false, "mydrv_read", "",
	 NULL},
	{"lockdep: its own kind",
	 "WARNING: possible recursive locking detected\n"
	 "syz/1 is trying to acquire lock:\n"
	 "ffff0000 (&dev->lock){+.+.}, at: mydrv_reset+0x1/0x2\n",
	 "possible deadlock in mydrv_reset", NULL, CRASH_LOCKDEP, false,
	 "mydrv_reset", "", NULL},
	{"kmemleak: a leak",
	 "BUG: memory leak\nunreferenced object 0xffff8881 (size 32):\n"
	 "  backtrace:\n    kmalloc_trace+0x1/0x2\n    mydrv_open+0x1/0x2\n",
	 "memory leak in mydrv_open", NULL, CRASH_LEAK, false, "mydrv_open", "",
	 NULL},
	{"UBSAN's old form: no function, the file",
	 "UBSAN: Undefined behaviour in lib/foo.c:12:3\n"
	 "shift exponent 64 is too large\n",
	 "UBSAN: undefined-behaviour in lib/foo.c", NULL, CRASH_UBSAN, false,
	 "", "", NULL},
	{"a panic: a crash",
	 "Kernel panic - not syncing: sysrq triggered crash\n"
	 "---[ end Kernel panic - not syncing: sysrq triggered crash ]---\n",
	 "kernel panic: sysrq triggered crash", NULL, CRASH_CRASH, false, "",
	 "", NULL},
};

START_TEST(test_fields)
{
	const __typeof__(field_cases[0]) *c = &field_cases[_i];
	struct crash_report r;

	classify_str(c->log, &r, true);
	ck_assert_msg(!strcmp(r.title, c->title), "%s: title '%s'", c->what,
		      r.title);
	ck_assert_msg(r.nalt == (c->alt != NULL) &&
			      (!c->alt || !strcmp(r.alt[0], c->alt)),
		      "%s: %d alternative titles, '%s'", c->what, r.nalt,
		      r.nalt ? r.alt[0] : "");
	ck_assert_msg(r.type == c->type, "%s: type %s", c->what,
		      crash_type_name(r.type));
	ck_assert_msg(r.corrupted == c->corrupted, "%s: corrupted %d", c->what,
		      r.corrupted);
	ck_assert_msg(!strcmp(r.frame, c->frame), "%s: frame '%s'", c->what,
		      r.frame);
	ck_assert_msg(!strcmp(r.source, c->source), "%s: source '%s'", c->what,
		      r.source);
	if (c->text)
		ck_assert_msg(!strcmp(r.text, c->text) &&
				      r.text_len == strlen(c->text),
			      "%s: text\n%s", c->what, r.text);
	ck_assert(!r.text_cut);
}
END_TEST

/* A report longer than the text kept: cut, still a C string. */
START_TEST(test_text_cut)
{
	struct crash_report r;
	struct buf in = {0};
	int i;

	buf_addf(&in, "BUG: soft lockup - CPU#0 stuck for 22s! [syz:1]\n"
		      "Call Trace:\n");
	for (i = 0; i < 380; i++)
		buf_addf(&in,
			 " mydrv_loop_helper_with_a_long_name_%d+0x1/0x2 "
			 "drivers/my/very/long/path/to/a/file.c:%d\n",
			 i, i);
	classify_str(in.data, &r, true);
	ck_assert(r.text_cut);
	ck_assert_uint_eq(r.text_len, sizeof(r.text) - 1);
	ck_assert_uint_eq(strlen(r.text), r.text_len);
	ck_assert(!strncmp(r.text, "BUG: soft lockup", 16));
	buf_free(&in);
}
END_TEST

/* A stream: far past the first chunk, NULs, CRs and an endless line. */
START_TEST(test_stream)
{
	const char *crash = "[ 9.0] kernel BUG at mm/x.c:5!\r\n"
			    "[ 9.0] RIP: 0010:do_thing+0x1/0x2\n"
			    "[ 9.1] ---[ end trace 0000000000000000 ]---\n";
	struct crash_report r;
	struct buf in = {0};
	FILE *f;
	int i;

	for (i = 0; i < 100000; i++)
		buf_addf(&in, "[ %d.0] ordinary line %d\r\n", i, i);
	buf_add(&in, "\0\0\0", 3);
	for (i = 0; i < 100000; i++)
		buf_add(&in, "long line ", 10);
	buf_add(&in, "\n", 1);
	buf_add(&in, crash, strlen(crash));
	f = fmemopen(in.data, in.len, "r");
	ck_assert_int_eq(crash_classify_stream(f, &r), 1);
	ck_assert_str_eq(r.title, "kernel BUG in do_thing");
	ck_assert_int_eq(r.start_line, 100002);
	ck_assert(r.complete);
	fclose(f);
	f = fmemopen(in.data, in.len - strlen(crash), "r");
	ck_assert_int_eq(crash_classify_stream(f, &r), 0);
	fclose(f);
	buf_free(&in);
}
END_TEST

/* The same bug on another run: other CPU, task, addresses, times. */
START_TEST(test_title_is_stable)
{
	struct crash_report a, b;

	classify_str(
		"[    1.0] WARNING: CPU: 0 PID: 82 at lib/x.c:31 foo+0x1/0x2\n"
		"[    1.1] RIP: 0010:foo+0x1/0x2\n---[ end trace 0 ]---\n",
		&a, true);
	classify_str(
		"[  991.7] WARNING: CPU: 3 PID: 4711 at lib/x.c:35 "
		"foo+0x9/0x20 [m]\n"
		"[  991.8] RIP: 0010:foo+0x9/0x20 [m]\n---[ end trace 1 ]---\n",
		&b, true);
	ck_assert_str_eq(a.title, "WARNING in foo");
	ck_assert_str_eq(a.title, b.title);
}
END_TEST

/* Lines that merely mention crash words are not crashes. */
START_TEST(test_no_false_positives)
{
	struct crash_report r;

	classify_str("ACPI Warning: something odd\n"
		     "audit: BUG in user space is not ours\n"
		     "mem auto-init: stack:all(zero), heap alloc:on\n"
		     "Kernel command line: panic=-1 oops=panic\n"
		     "WARNING: this line names no CPU\n"
		     "WARNING: the mand mount option is being deprecated and\n",
		     &r, false);
}
END_TEST

/* A report is judged once it ends: an end marker, or the stream settling. */
START_TEST(test_incomplete_until_end)
{
	const char *head = "[ 1.0] kernel BUG at mm/x.c:5!\n"
			   "[ 1.0] invalid opcode: 0000 [#1] SMP\n"
			   "[ 1.0] CPU: 0 PID: 1 Comm: init\n"
			   "[ 1.0] RIP: 0010:do_thing+0x1/0x2\n";
	const char *all = "[ 1.0] kernel BUG at mm/x.c:5!\n"
			  "[ 1.0] invalid opcode: 0000 [#1] SMP\n"
			  "[ 1.0] CPU: 0 PID: 1 Comm: init\n"
			  "[ 1.0] RIP: 0010:do_thing+0x1/0x2\n"
			  "[ 1.1] ---[ end trace 0000000000000000 ]---\n"
			  "later output\n";
	struct crash_detector d = {0};

	crash_feed(&d, head, strlen(head), false);
	ck_assert(d.report.found);
	ck_assert(!d.report.complete);
	crash_feed(&d, all, strlen(all), false);
	ck_assert(d.report.complete);
	ck_assert_str_eq(d.report.title, "kernel BUG in do_thing");
	ck_assert_int_eq(d.report.start_line, 1);
	/* The report ends after its end marker, not at the end of the text. */
	ck_assert_uint_eq(d.report.end, strstr(all, "later") - all);
}
END_TEST

/* The earliest report wins, and a later one cuts it short. */
START_TEST(test_first_report_wins)
{
	struct crash_report r;

	classify_str("boot\n"
		     "BUG: scheduling while atomic: sh/1/0x00000002\n"
		     "CPU: 0 PID: 1 Comm: sh\n"
		     "Call Trace:\n"
		     " <TASK>\n"
		     " dump_stack_lvl+0x44/0x5c\n"
		     " __schedule_bug.cold+0x42/0x4e\n"
		     " schedule+0x5a/0xd0\n"
		     " my_driver_poll+0x16/0x29 [mydrv]\n"
		     " </TASK>\n"
		     "WARNING: CPU: 0 PID: 1 at init/main.c:1 "
		     "do_one_initcall+0x1/0x2\n"
		     "RIP: 0010:do_one_initcall+0x1/0x2\n",
		     &r, true);
	ck_assert_str_eq(r.title,
			 "BUG: scheduling while atomic in my_driver_poll");
	ck_assert_int_eq(r.start_line, 2);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lgtest crash classifier");
	TCase *tc = tcase_create("corpus");

	tcase_add_test(tc, test_corpus_is_big_enough);
	tcase_add_loop_test(tc, test_corpus, 0, ncases);
	tcase_add_loop_test(tc, test_corpus_incremental, 0, ncases);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("rules");
	tcase_add_test(tc, test_normalize);
	tcase_add_test(tc, test_title_is_stable);
	tcase_add_test(tc, test_no_false_positives);
	tcase_add_test(tc, test_incomplete_until_end);
	tcase_add_test(tc, test_first_report_wins);
	tcase_add_loop_test(tc, test_rule, 0, ARRAY_SIZE(rule_cases));
	tcase_add_test(tc, test_stream);
	tcase_add_loop_test(tc, test_fields, 0, ARRAY_SIZE(field_cases));
	tcase_add_test(tc, test_text_cut);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	load_expected();
	return run_suite(suite());
}
