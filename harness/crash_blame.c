// SPDX-License-Identifier: GPL-2.0
/*
 * The function to blame for a crash report.  A report's stacks (call
 * traces, the RIP or pc line, KFENCE and kmemleak backtraces) are read
 * into a list of frames; the title's function is then picked from them
 * in the way that suits the report (see enum blame): the first frame that
 * is not reporting, trapping, locking, waiting or library machinery, the
 * code a stalled CPU was running, the lock site lockdep names, or the
 * first caller of an allocator that leaked.
 */
#include <stdio.h>
#include <string.h>

#include "crash_int.h"
#include "util.h"

/*
 * Machinery: functions that report, trap, schedule, wait, lock, copy or
 * check on behalf of their caller, which is the one to blame.  A pattern
 * may start and/or end with '*'.
 */
static const char *const generic_frames[] = {
	/* reporting and trapping */
	"dump_stack*",
	"__dump_stack",
	"show_stack",
	"show_trace*",
	"dump_backtrace",
	"show_regs*",
	"__show_regs",
	"panic",
	"__panic",
	"nmi_panic",
	"__warn*",
	"warn_*",
	"report_bug",
	"handle_bug",
	"fixup_bug",
	"exc_*",
	"asm_exc_*",
	"do_error_trap",
	"do_trap",
	"do_invalid_op",
	"invalid_op",
	"do_general_protection",
	"general_protection",
	"page_fault",
	"do_page_fault",
	"__do_page_fault",
	"exc_page_fault",
	"handle_page_fault",
	"bad_area*",
	"__bad_area*",
	"no_context",
	"page_fault_oops",
	"kernelmode_fixup_or_oops",
	"do_kern_addr_fault",
	"do_user_addr_fault",
	"die",
	"__die*",
	"oops_*",
	"bust_spinlocks",
	"print_*",
	"printk*",
	"vprintk*",
	"_printk",
	"console_unlock",
	"pr_cont*",
	"__report_bad_irq",
	"bug_handler",
	"brk_handler",
	"do_debug_exception",
	"call_break_hook",
	"do_mem_abort",
	"__do_kernel_fault",
	"do_translation_fault",
	"do_bad_area",
	"el1_*",
	"el1h_*",
	"__irq_svc",
	"do_tag_check_fault",
	"do_alignment_fault",
	"do_sea",
	"report_tag_fault",
	"die_kernel_fault",
	"arm64_notify_die",
	"do_sp_pc_abort",
	"walk_stackframe",
	"arch_stack_walk",
	"stack_trace_*",
	"save_stack*",
	"__save_stack_trace*",
	"nmi_cpu_backtrace*",
	"nmi_trigger_cpumask_backtrace",
	"arch_trigger_cpumask_backtrace",
	"trigger_*backtrace",
	"sched_show_task",
	"_sched_show_task",
	"dump_cpu_task*",
	"show_state*",
	"check_preemption_disabled",
	"debug_smp_processor_id",
	"__this_cpu_preempt_check",
	"skb_panic",
	"skb_over_panic",
	"skb_under_panic",
	"*_panic",
	"*assertfail",
	"*assert_fail*",
	"__stack_chk_fail",
	"__copy_overflow",
	"copy_overflow",
	"usercopy_abort",
	"__check_heap_object",
	"check_heap_object",
	"__check_object_size",
	"check_object_size",
	"check_copy_size",
	"debug_print_object",
	"debug_object_*",
	"__debug_object_*",
	"debug_check_no_*",
	"debug_locks_off",
	"debug_*_assert*",
	"refcount_warn_saturate",
	"refcount_*",
	"__refcount_*",
	"kref_*",
	"__list_add_valid*",
	"__list_del_entry_valid*",
	"__list_del_entry",
	"__list_add",
	"list_add*",
	"list_del*",
	"__list_del*",
	"__might_sleep",
	"__might_resched",
	"___might_sleep",
	"__might_fault",
	"might_fault",
	"__cant_sleep",
	"__schedule_bug",
	/* sanitizers, tracing and instrumentation */
	"kasan_*",
	"__kasan_*",
	"____kasan_*",
	"__asan_*",
	"asan_*",
	"check_memory_region*",
	"memory_is_poisoned*",
	"check_region_inline",
	"kmsan_*",
	"__kmsan_*",
	"__msan_*",
	"kmsan_internal_*",
	"ubsan_*",
	"__ubsan_*",
	"kfence_*",
	"__kfence_*",
	"kcsan_*",
	"__kcsan_*",
	"__tsan_*",
	"__sanitizer_*",
	"write_comp_data",
	"trace_hardirqs_*",
	"trace_*",
	"__trace_*",
	"perf_trace_*",
	"trace_event_raw_event_*",
	"lockdep_*",
	"__lockdep_*",
	"rcu_lockdep_*",
	"lockdep_rcu_suspicious",
	"instrument_*",
	"kmemleak_*",
	"__kmemleak_*",
	"should_fail*",
	"should_failslab",
	"__x86_indirect_thunk_*",
	"__x86_return_thunk",
	"stack_depot_*",
	"__stack_depot_*",
	"set_track*",
	"__set_track",
	/* locking */
	"lock_acquire*",
	"lock_release",
	"lock_acquired",
	"lock_contended",
	"__lock_acquire",
	"__lock_release",
	"lock_is_held*",
	"__lock_is_held",
	"mark_lock*",
	"mark_held_locks",
	"mark_usage",
	"validate_chain",
	"check_prev_add*",
	"check_prevs_add",
	"check_noncircular",
	"check_irq_usage",
	"check_deadlock",
	"__bfs*",
	"save_trace",
	"register_lock_class",
	"look_up_lock_class",
	"lockdep_init_map*",
	"__lockdep_init_map",
	"hlock_class",
	"print_circular_bug*",
	"check_flags*",
	"lock_downgrade",
	"lock_sync",
	"valid_state",
	"mutex_*",
	"__mutex_*",
	"ww_mutex_*",
	"__ww_mutex_*",
	"rt_mutex_*",
	"__rt_mutex_*",
	"rt_spin_*",
	"down_*",
	"__down*",
	"up_*",
	"__up*",
	"down",
	"up",
	"rwsem_*",
	"__rwsem_*",
	"call_rwsem_*",
	"_raw_*",
	"__raw_spin_*",
	"__raw_read_*",
	"__raw_write_*",
	"do_raw_*",
	"spin_*",
	"queued_*",
	"native_queued_*",
	"__pv_queued_*",
	"pv_queued_*",
	"osq_lock",
	"osq_unlock",
	"percpu_down_*",
	"__percpu_down_*",
	"percpu_up_*",
	"percpu_rwsem_*",
	"__percpu_rwsem_*",
	"arch_spin_*",
	"__arch_spin_*",
	"lock_timer_base",
	"seqcount_*",
	"read_seqcount_*",
	"write_seqcount_*",
	"local_lock*",
	"__local_bh_*",
	"local_bh_*",
	"_local_bh_*",
	"__local_lock*",
	"preempt_count_*",
	"__task_rq_lock",
	"task_rq_lock",
	"raw_spin_rq_lock*",
	"double_rq_lock",
	"lock_sock*",
	"__lock_sock*",
	"release_sock",
	/* scheduling and waiting */
	"__schedule*",
	"schedule",
	"schedule_*",
	"preempt_schedule*",
	"__cond_resched*",
	"_cond_resched",
	"context_switch",
	"__switch_to*",
	"finish_task_switch*",
	"io_schedule*",
	"wait_*",
	"__wait_*",
	"do_wait_for_common",
	"out_of_line_wait_on_bit*",
	"wait_on_page_bit*",
	"__wait_on_bit*",
	"folio_wait*",
	"__folio_lock*",
	"__lock_page*",
	"lock_page*",
	"bit_wait*",
	"do_nanosleep",
	"hrtimer_nanosleep",
	"msleep*",
	"usleep*",
	"ssleep",
	"udelay",
	"__udelay",
	"__const_udelay",
	"mdelay",
	"delay_tsc",
	"delay_loop",
	"delay_halt*",
	"__delay",
	"native_safe_halt",
	"cpu_relax",
	"flush_work",
	"__flush_work",
	"cancel_work*",
	"__cancel_work*",
	"cancel_delayed_work*",
	"rcu_*",
	"__rcu_*",
	"srcu_*",
	"__srcu_*",
	"rcu_barrier*",
	"kthread_park",
	"kthread_stop",
	"completion_done",
	"prepare_to_wait*",
	"finish_wait",
	"__wake_up*",
	"wake_up_process",
	"wake_up_bit",
	"wake_up_var",
	"do_read_cache_*",
	"do_exit_sleep",
	/* memory, strings and copies */
	"memcpy*",
	"__memcpy*",
	"memset*",
	"__memset*",
	"memmove*",
	"__memmove*",
	"memcmp",
	"__memcmp",
	"bcmp",
	"memchr*",
	"memscan",
	"strlen",
	"strnlen",
	"strcmp",
	"strncmp",
	"strcpy",
	"strncpy",
	"strscpy*",
	"strlcpy",
	"strcat",
	"strncat",
	"strlcat",
	"strchr",
	"strrchr",
	"strstr",
	"strnstr",
	"strcasecmp",
	"strncasecmp",
	"strspn",
	"strcspn",
	"strpbrk",
	"strim",
	"strsep",
	"kstrdup*",
	"kmemdup*",
	"string",
	"string_nocheck",
	"vsnprintf",
	"snprintf",
	"sprintf",
	"vsprintf",
	"scnprintf",
	"vscnprintf",
	"kvasprintf*",
	"kasprintf",
	"pointer",
	"copy_to_user*",
	"copy_from_user*",
	"_copy_to_user",
	"_copy_from_user",
	"__copy_to_user*",
	"__copy_from_user*",
	"raw_copy_*",
	"copy_user_*",
	"copyout",
	"copyin",
	"__arch_copy_*",
	"rep_movs_alternative",
	"__get_user*",
	"__put_user*",
	"get_user*",
	"put_user*",
	"strncpy_from_user",
	"strnlen_user",
	"memdup_user*",
	"*copy_to_iter*",
	"*copy_from_iter*",
	"copy_page_to_iter*",
	"copy_page_from_iter*",
	"iov_iter_*",
	"skb_put",
	"__skb_put*",
	"skb_push",
	"skb_pull",
	"kfree*",
	"kvfree*",
	"kzfree",
	"kmem_cache_free*",
	"__kmem_cache_free",
	"free_large_kmalloc",
	"slab_free*",
	"__slab_free",
	"do_slab_free",
	"___cache_free",
	"__cache_free",
	"kmalloc*",
	"__kmalloc*",
	"kvmalloc*",
	"__kvmalloc*",
	"kzalloc*",
	"kcalloc*",
	"krealloc*",
	"__krealloc",
	"kmem_cache_alloc*",
	"__kmem_cache_alloc*",
	"slab_alloc*",
	"__slab_alloc*",
	"___slab_alloc*",
	"slab_post_alloc_hook",
	"slab_pre_alloc_hook",
	"alloc_pages*",
	"__alloc_pages*",
	"__get_free_pages",
	"get_zeroed_page",
	"vmalloc*",
	"__vmalloc*",
	"vzalloc",
	"vfree",
	"__vfree",
	"kvfree_call_rcu",
	"object_err",
	"slab_err",
	"free_to_partial_list",
	"free_debug_processing",
	"print_trailer",
	"check_bytes_and_report",
	"check_object",
	"alloc_debug_processing",
	"on_freelist",
	"__free_pages*",
	"free_pages*",
	"__free_one_page",
	"free_unref_page*",
	"kobject_*",
	"kobject_put",
	"kref_put",
	"kref_get",
	"__rb_*",
	"rb_*",
	"___rb_*",
	"rb_next",
	"rb_prev",
	"idr_*",
	"ida_*",
	"xa_*",
	"__xa_*",
	"radix_tree_*",
	"xas_*",
	"ref_tracker_*",
	"call_rcu*",
	"__call_rcu*",
	"mod_timer",
	"__mod_timer",
	"add_timer*",
	"queue_work*",
	"__queue_work",
	"queue_delayed_work*",
	"exiting_irq",
	"sysvec_*",
	"asm_sysvec_*",
	"__sysvec_*",
	"common_interrupt",
	"asm_common_interrupt",
	"*apic_timer_interrupt*",
	"hrtimer_interrupt",
	"__hrtimer_run_queues",
	"hrtimer_run_queues",
	"tick_sched_handle*",
	"tick_sched_timer",
	"tick_nohz_*",
	"update_process_times",
	"scheduler_tick",
	"sched_tick",
	"watchdog_*",
	"check_cpu_stall*",
	"csd_lock_wait*",
	"gic_handle_irq",
	"handle_domain_irq",
	"__handle_domain_irq",
	"generic_handle_*",
	"handle_irq_desc",
	"call_on_irq_stack",
	"do_interrupt_handler",
	"handle_arch_irq",
	"__phys_addr",
	"sysenter_*",
	"system_call_fastpath",
	"int_ret_from_sys_call",
	"ia32_sysenter_target",
	"ia32_do_call",
	"cstar_dispatch",
	/*
	 * The driver core, kobjects and sysfs: registering and tearing down
	 * a device goes through them, the driver that asked is to blame.
	 */
	"device_add",
	"device_del",
	"device_unregister",
	"device_destroy",
	"device_release",
	"device_release_driver*",
	"__device_release_driver",
	"device_links_*",
	"bus_remove_device",
	"bus_add_device",
	"get_device_parent",
	"put_device",
	"get_device",
	"dpm_sysfs_*",
	"devres_release*",
	"klist_*",
	"sysfs_*",
	"kernfs_*",
	"kset_*",
	"add_uevent_var",
	"usb_kill_urb",
	"usb_poison_urb",
	"usb_kill_anchored_urbs",
	/* timers and work: cancelling and flushing wait for them */
	"del_timer*",
	"timer_delete*",
	"try_to_del_timer_sync",
	"try_to_grab_pending",
	"timer_is_static_object",
	"work_is_static_object",
	"flush_workqueue",
	"__flush_workqueue",
	"drain_workqueue",
	"destroy_workqueue",
	/* bit operations, checksums and other library code on caller data */
	"test_and_set_bit*",
	"test_and_clear_bit*",
	"__test_and_set_bit",
	"__test_and_clear_bit",
	"set_bit",
	"clear_bit*",
	"change_bit",
	"__set_bit",
	"__clear_bit",
	"test_bit",
	"_atomic_dec_and_*",
	"atomic_dec_and_*",
	"crc_itu_t*",
	"crc16",
	"crc32*",
	"__crc32*",
	"crc_ccitt*",
	"crc_t10dif*",
	"format_decode",
	"bad_page",
	"*fortify_panic",
	"__fortify_report",
	"fortify_report",
	/* page cache and VFS helpers that check the state their caller left */
	"filemap_fdatawait*",
	"__filemap_fdatawait*",
	"filemap_write_and_wait*",
	"find_lock_entries",
	"find_get_entries",
	"truncate_inode_pages*",
	"folio_unlock",
	"unlock_page",
	"iput",
	"drop_nlink",
	"clear_nlink",
	"inc_nlink",
	"set_nlink",
	"mark_buffer_dirty*",
	"__brelse",
	"dput",
	"fast_dput",
	/* networking: freeing buffers, the receive path's core */
	"kfree_skb*",
	"__kfree_skb",
	"consume_skb",
	"skb_release_*",
	"skb_free_head",
	"sk_skb_reason_drop",
	"__netif_receive_skb*",
	"netif_receive_skb*",
	"process_backlog",
	"create_object*",
	"check_panic_on_warn",
	"panic_saved_regs",
	"do_DataAbort",
	"do_PrefetchAbort",
	"*fdatawait*",
	"__alloc_frozen_pages*",
	"alloc_frozen_pages*",
	"rollback_registered*",
	"unregister_netdevice*",
	"__hwasan_*",
	"hwasan_*",
	"___kmalloc*",
	"__vunmap",
	"vunmap",
	/* MMIO and port I/O accessors: the driver that called them is to blame
	 */
	"__raw_readb",
	"__raw_readw",
	"__raw_readl",
	"__raw_readq",
	"__raw_writeb",
	"__raw_writew",
	"__raw_writel",
	"__raw_writeq",
	"ioread8*",
	"ioread16*",
	"ioread32*",
	"ioread64*",
	"iowrite8*",
	"iowrite16*",
	"iowrite32*",
	"iowrite64*",
	"readb",
	"readw",
	"readl",
	"readq",
	"writeb",
	"writew",
	"writel",
	"writeq",
	"logic_in*",
	"logic_out*",
	"inb",
	"inw",
	"inl",
	"outb",
	"outw",
	"outl",
	"kcov_*",
	"__kcov_*",
	"percpu_ref_*",
	"__percpu_ref_*",
	"kthread",
	"ret_from_fork*",
	"entry_*",
	"do_syscall_*",
	"_find_*_bit*",
	"find_*_bit",
	"__bitmap_*",
	"bitmap_*",
	"atomic_*",
	"arch_atomic_*",
	"__atomic_*",
	"atomic64_*",
	"sort",
	"sort_r",
	"bsearch",
	"__bsearch",
	NULL,
};

/*
 * Where work is handed to the code that does it: a syscall's entry, the
 * VFS, socket and netlink layers, work queues, timers, softirqs, task
 * work.  In a stall, the function such a dispatcher called is the work
 * that did not end.
 */
static const char *const dispatch_frames[] = {
	"do_syscall_*",
	"do_fast_syscall_*",
	"do_int80_syscall*",
	"entry_SYSCALL*",
	"entry_SYSENTER*",
	"entry_INT80*",
	"x64_sys_call",
	"ia32_sys_call",
	"invoke_syscall",
	"el0_svc_common*",
	"el0_svc*",
	"__invoke_syscall",
	"ret_fast_syscall",
	"vector_swi",
	"system_call",
	"system_call_fastpath",
	"sysenter_*",
	"ia32_sysenter_target",
	"ia32_do_call",
	"cstar_dispatch",
	"vfs_ioctl",
	"do_vfs_ioctl",
	"ksys_ioctl",
	"sys_ioctl",
	"compat_sys_ioctl",
	"compat_SyS_ioctl",
	"compat_ioctl",
	"vfs_read",
	"vfs_write",
	"__vfs_read",
	"__vfs_write",
	"new_sync_read",
	"new_sync_write",
	"vfs_readv",
	"vfs_writev",
	"do_iter_read*",
	"do_iter_write*",
	"do_iter_readv_writev",
	"ksys_read",
	"ksys_write",
	"sock_sendmsg*",
	"__sock_sendmsg",
	"sock_recvmsg*",
	"__sock_recvmsg",
	"sock_write_iter",
	"sock_read_iter",
	"sock_ioctl",
	"blkdev_ioctl",
	"compat_blkdev_ioctl",
	"*_compat_ioctl",
	"__netif_receive_skb*",
	"netif_receive_skb*",
	"process_backlog",
	"sock_do_ioctl",
	"__sys_setsockopt",
	"__sys_getsockopt",
	"sock_common_setsockopt",
	"sock_common_getsockopt",
	"netlink_rcv_skb",
	"genl_rcv_msg",
	"genl_family_rcv_msg*",
	"rtnetlink_rcv_msg",
	"nfnetlink_rcv_msg",
	"nfnetlink_rcv_batch",
	"process_one_work",
	"worker_thread",
	"kthread",
	"ret_from_fork*",
	"smpboot_thread_fn",
	"call_timer_fn",
	"expire_timers",
	"__run_timers",
	"run_timer_softirq",
	"__do_softirq",
	"handle_softirqs",
	"do_softirq*",
	"irq_exit*",
	"__irq_exit_rcu",
	"run_ksoftirqd",
	"net_rx_action",
	"__napi_poll",
	"napi_poll",
	"tasklet_action*",
	"task_work_run",
	"exit_to_usermode_loop",
	"exit_to_user_mode_*",
	"syscall_exit_to_user_mode*",
	"do_notify_resume",
	"prepare_exit_to_usermode",
	"call_usermodehelper*",
	"do_one_initcall",
	"kernel_init*",
	"do_initcalls",
	NULL,
};

static bool glob_match(const char *pat, const char *s)
{
	size_t pn = strlen(pat), sn = strlen(s);
	bool head = pat[0] == '*', tail = pn > 1 && pat[pn - 1] == '*';
	char core[FUNC_MAX];
	size_t cn;

	if (pn == 1 && head)
		return true;
	cn = pn - head - tail;
	if (cn >= sizeof(core))
		return false;
	memcpy(core, pat + head, cn);
	core[cn] = '\0';
	if (head && tail)
		return strstr(s, core) != NULL;
	if (head)
		return sn >= cn && !strcmp(s + sn - cn, core);
	if (tail)
		return !strncmp(s, core, cn);
	return !strcmp(s, core);
}

static bool in_list(const char *const *list, const char *fn)
{
	for (; *list; list++)
		if (glob_match(*list, fn))
			return true;
	return false;
}

bool is_generic_frame(const char *fn)
{
	return in_list(generic_frames, fn);
}

static bool is_dispatcher(const char *fn)
{
	return in_list(dispatch_frames, fn);
}

/* ---- reading stacks ----------------------------------------------------- */

#define MAX_FRAMES 512

/*
 * A report's frames in the order printed; trace[i] counts call traces,
 * line[i] is where the frame was printed.
 */
struct stack {
	char fn[MAX_FRAMES][FUNC_MAX];
	int trace[MAX_FRAMES];
	const char *line[MAX_FRAMES];
	int n;
};

static void syscall_name(char *fn);

static void push_frame(struct stack *st, const char *fn, int trace,
		       const char *line)
{
	if (st->n == MAX_FRAMES || !fn[0])
		return;
	snprintf(st->fn[st->n], FUNC_MAX, "%s", fn);
	syscall_name(st->fn[st->n]);
	st->line[st->n] = line;
	st->trace[st->n++] = trace;
}

/* Past "[<ffffffff81000000>] " and powerpc's "[c000000000012345] ". */
static const char *skip_addresses(const char *p)
{
	size_t n;

	while (*p == '[') {
		n = 1 + (p[1] == '<');
		n += strspn(p + n, "0123456789abcdef");
		n += p[n] == '>';
		if (p[n] != ']' || n < 4)
			break;
		p += n + 1;
		while (*p == ' ')
			p++;
	}
	return p;
}

/*
 * The kernel-mode instruction pointer's function: x86 "RIP: 0010:f+0x1/0x2"
 * and the older "RIP: 0010:[<addr>]  [<addr>] f+0x1/0x2" and "IP: [<addr>]
 * f", arm64 "pc : f+0x1/0x2", arm "PC is at f+0x1/0x2".
 */
static bool rip_function(const char *msg, char *fn)
{
	static const char *const heads[] = {
		"RIP: ",     "EIP: ",  "IP: ", "pc : ",
		"PC is at ", "epc : ", "NIP ", "NIP: "};
	const char *p = NULL;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(heads) && !p; i++)
		if (!strncmp(msg, heads[i], strlen(heads[i])))
			p = msg + strlen(heads[i]);
	if (!p)
		return false;
	n = strspn(p, "0123456789abcdef"); /* a segment: "0010:" */
	if (n == 4 && p[4] == ':')
		p += 5;
	p = skip_addresses(p);
	n = symbol_at(p, fn);
	return n && p[n] == '+';
}

/* Stack markers: "<IRQ>", "</IRQ>", "<EOI>", "<NMI>", "<TASK>", ... */
static const char *skip_markers(const char *msg)
{
	const char *close;

	while (msg[0] == '<' && (close = strchr(msg, '>')) &&
	       !memchr(msg, ' ', (size_t)(close - msg))) {
		msg = close + 1;
		while (*msg == ' ')
			msg++;
		msg += message_start(msg, strlen(msg)); /* "<IRQ> [ 1.2] f" */
		while (*msg == ' ')
			msg++;
	}
	return msg;
}

/* "fs/x.c:12", "include/linux/y.h:3", "rust/z.rs:7": a source line. */
static bool is_source_ref(const char *s)
{
	size_t n =
		strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "0123456789_/.-");

	return n > 2 && s[n] == ':' && s[n + 1] >= '0' && s[n + 1] <= '9' &&
	       memchr(s, '.', n);
}

/*
 * A call trace frame: "f+0x1/0x2 [mod]", "f file.c:12" (syzkaller's
 * symbolised form), "f (file.c:12)", "[<addr>] f+0x1/0x2" and "[<addr>]
 * (f+0x1/0x2)" (older kernels, arm), "[addr] [addr] f+0x1/0x2" (powerpc).
 * Unreliable "? f" frames are none.
 */
static bool frame_function(const char *msg, char *fn)
{
	size_t n;

	msg = skip_addresses(msg);
	if (*msg == '(')
		msg++;
	n = symbol_at(msg, fn);
	if (!n)
		return false;
	return (msg[n] == '+' && msg[n + 1] == '0') ||
	       !strncmp(msg + n, ") from ", 7) ||
	       (msg[n] == ' ' &&
		is_source_ref(msg + n + 1 + (msg[n + 1] == '(')));
}

/* "? f+0x1/0x2", "[<addr>] ? f+0x1/0x2", powerpc's "... (unreliable)". */
static bool is_unreliable_frame(const char *msg)
{
	size_t n = strlen(msg);

	msg = skip_addresses(msg);
	return (msg[0] == '?' && msg[1] == ' ') ||
	       (n > 13 && !strcmp(msg + strlen(msg) - 13, " (unreliable)"));
}

/*
 * Lines that may sit inside a call trace without ending it: registers
 * ("RAX: ...", "x29: ...", "pstate: ..."), code bytes, raw stack words,
 * the user-mode RIP after a syscall's frames.
 */
static bool is_trace_noise(const char *msg)
{
	size_t i = 0;

	while ((msg[i] >= 'A' && msg[i] <= 'Z') ||
	       (msg[i] >= 'a' && msg[i] <= 'z') ||
	       (msg[i] >= '0' && msg[i] <= '9') || msg[i] == '_')
		i++;
	if (i && i <= 8 && (msg[i] == ':' || !strncmp(msg + i, " :", 2)))
		return true;
	if (!strncmp(msg, "Exception stack(", 16))
		return true;
	if (!strncmp(msg, "[<", 2) && strstr(msg, ">] 0x"))
		return true;
	i = strspn(msg, "0123456789abcdef");
	return i >= 8 && (msg[i] == ' ' || msg[i] == '\0');
}

/*
 * Where a stack starts: a call trace, kmemleak's "backtrace:", or the
 * stack under a KFENCE "Use-after-free read at 0x...:" line.
 */
static bool starts_trace(const char *msg)
{
	size_t n = strlen(msg);

	if (!strcmp(msg, "Call Trace:") || !strcmp(msg, "Call trace:") ||
	    (!strncmp(msg, "backtrace", 9) && msg[n - 1] == ':') ||
	    !strncmp(msg, "Backtrace:", 10) ||
	    !strncmp(msg, "Call Trace: ", 12))
		return true;
	if (n > 11 && !strcmp(msg + n - 11, "Call Trace:"))
		return true; /* glued to the raw stack words before it */
	return n && msg[n - 1] == ':' && strstr(msg, " at 0x") &&
	       (strstr(msg, " read ") || strstr(msg, " write "));
}

/*
 * arm prints "[<a>] (f) from [<b>] (g+0x1/0x2)": g, f's caller, comes
 * again as the next line's f, unless the trace was cut there.
 */
static bool arm_caller(const char *msg, char *fn)
{
	const char *from = strstr(msg, ") from [<");
	const char *open = from ? strstr(from, "] (") : NULL;

	return open && symbol_at(open + 3, fn) > 0;
}

/* A trace line's frames; *caller is the arm caller it also pushed. */
static void push_trace_line(struct stack *st, const char *msg, const char *fn,
			    int trace, char *caller, const char *line)
{
	if (!caller[0] || strcmp(caller, fn))
		push_frame(st, fn, trace, line);
	caller[0] = '\0';
	if (arm_caller(msg, caller))
		push_frame(st, caller, trace, line);
}

/*
 * The caller id after a console line's time stamp ("[ T123]", "[  C1]"),
 * copied to id (empty when the line has none).
 */
void caller_id(const char *line, size_t len, char *id, size_t size)
{
	const char *p = memchr(line, ']', len), *end = line + len, *q;
	size_t n;

	id[0] = '\0';
	if (!p || p + 2 >= end || p[1] != '[')
		return;
	p += 2;
	while (p < end && *p == ' ')
		p++;
	q = memchr(p, ']', (size_t)(end - p));
	if (!q || (*p != 'T' && *p != 'C'))
		return;
	n = (size_t)(q - p);
	if (n >= size)
		n = size - 1;
	memcpy(id, p, n);
	id[n] = '\0';
}

/*
 * Another program's line dropped into a trace ("unregister_netdevice:
 * waiting ...", "blkid used greatest stack depth"): one line between
 * two frames, not a section header ending in ':'.
 */
static bool is_stray_line(const char *msg, const char *next, const char *end)
{
	size_t n = strlen(msg);

	return !(n && msg[n - 1] == ':') && is_frame_line(next, end);
}

bool is_frame_line(const char *line, const char *end)
{
	char msg[LINE_MAX_LEN], fn[FUNC_MAX];

	if (line >= end)
		return false;
	message_of(line, line_len(line, end), msg);
	return frame_function(skip_markers(msg), fn) ||
	       is_unreliable_frame(msg);
}

/*
 * Frames in the order printed, numbered by trace.  A RIP line before a
 * call trace belongs to it; within a trace, registers, code, lines
 * without the console's time stamp or with another caller id than the
 * trace's (another program's output, another task's messages mixed in)
 * and single stray lines are passed over.  Sanitizers (KMSAN, KCSAN)
 * print their stack right under the report's first line, without a
 * header.
 */
static void read_stack(const struct report_view *v, struct stack *st)
{
	char msg[LINE_MAX_LEN], fn[FUNC_MAX], caller[FUNC_MAX] = "";
	char id[16], trace_id[16] = "";
	const char *p, *m;
	bool in_trace = false, fresh = false, stamped = false;
	int trace = 0;
	size_t n;

	st->n = 0;
	for (p = v->s; p < v->end; p += n + 1) {
		n = line_len(p, v->end);
		message_of(p, n, msg);
		caller_id(p, n, id, sizeof(id));
		m = skip_markers(msg);
		if (in_trace && id[0] && trace_id[0] && strcmp(id, trace_id))
			continue;
		if (rip_function(m, fn)) {
			trace += !in_trace;
			fresh = fresh || !in_trace;
			in_trace = true;
			snprintf(trace_id, sizeof(trace_id), "%s", id);
			push_frame(st, fn, trace, p);
			continue;
		}
		if (p == v->s || starts_trace(m)) {
			trace += !(in_trace && fresh);
			in_trace = fresh = true;
			stamped = message_start(p, n) > 0;
			snprintf(trace_id, sizeof(trace_id), "%s", id);
			continue;
		}
		if (in_trace && stamped && !message_start(p, n))
			continue;
		if (!in_trace || !*m || is_unreliable_frame(m))
			continue;
		if (frame_function(m, fn)) {
			push_trace_line(st, m, fn, trace, caller, p);
			fresh = false;
		} else if (!is_trace_noise(m) &&
			   (fresh || !is_stray_line(m, p + n + 1, v->end))) {
			in_trace = false;
		}
	}
}

/* The frames of the report being judged: one set a thread, reused. */
static __thread struct stack frames;

/* ---- picking the function ------------------------------------------------ */

/* "__x64_sys_open", "__se_sys_open", "SyS_open" -> "sys_open". */
static void syscall_name(char *fn)
{
	static const char *const prefixes[] = {
		"__x64_",   "__ia32_",	"__se_",   "__do_",	 "__arm64_",
		"__riscv_", "__s390x_", "__s390_", "__powerpc_",
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		n = strlen(prefixes[i]);
		if (!strncmp(fn, prefixes[i], n) &&
		    (!strncmp(fn + n, "sys_", 4) ||
		     !strncmp(fn + n, "compat_sys_", 11))) {
			memmove(fn, fn + n, strlen(fn + n) + 1);
			break;
		}
	}
	if (!strncmp(fn, "SyS_", 4))
		memcpy(fn, "sys_", 4);
}

static bool pick(const struct stack *st, int i, char *out)
{
	snprintf(out, FUNC_MAX, "%s", st->fn[i]);
	return true;
}

static bool first_frame(const struct stack *st, char *out)
{
	int i;

	for (i = 0; i < st->n; i++)
		if (!is_generic_frame(st->fn[i]))
			return pick(st, i, out);
	return false;
}

/* Allocation helpers of all kinds, which a leak's backtrace starts with. */
static bool is_allocator(const char *fn)
{
	return strstr(fn, "alloc") || !strncmp(fn, "pcpu_", 5) ||
	       !strncmp(fn, "kmem_", 5) || !strncmp(fn, "slab_", 5) ||
	       is_generic_frame(fn);
}

static bool leak_frame(const struct stack *st, char *out)
{
	int i;

	for (i = 0; i < st->n; i++)
		if (!is_allocator(st->fn[i]) && !is_dispatcher(st->fn[i]))
			return pick(st, i, out);
	return first_frame(st, out);
}

/*
 * A CPU that stalls was running some work for a dispatcher (a syscall,
 * the VFS or socket layer, a timer, a work queue): that work is the
 * stall's identity, whichever loop or helper the CPU was in at the time.
 * So: in each trace, the outermost non-machinery frame below the
 * innermost dispatcher; a CPU waiting for others in a cross-CPU call is
 * stalled in smp_call_function.  Traces with nothing to blame (the RCU
 * kthread's own, an idle CPU's) are passed over.
 */
static bool stall_frame(const struct stack *st, char *out)
{
	int i, cand = -1;

	for (i = 0; i < st->n; i++) {
		if (i && st->trace[i] != st->trace[i - 1]) {
			if (cand >= 0)
				return pick(st, cand, out);
			cand = -1;
		}
		if (!strncmp(st->fn[i], "smp_call_function", 17) ||
		    !strncmp(st->fn[i], "on_each_cpu", 11)) {
			snprintf(out, FUNC_MAX, "smp_call_function");
			return true;
		}
		if (is_dispatcher(st->fn[i])) {
			if (cand >= 0)
				return pick(st, cand, out);
			continue;
		}
		if (!is_generic_frame(st->fn[i]))
			cand = i;
	}
	if (cand >= 0)
		return pick(st, cand, out);
	return false;
}

/*
 * The lock site lockdep prints after "at: " (on the same line, or on the
 * next for "... at:\n[<addr>] f"), preferring the lock being taken or
 * released over those already held, and passing over inline helpers from
 * headers (syzkaller prints "at: f include/x.h:9 [inline]" before the
 * function that holds them).
 */
static bool lock_site(const char *at, char *out)
{
	size_t n;

	while (*at == ' ')
		at++;
	if (!strncmp(at, "[<", 2) && (at = strstr(at, ">] ")))
		for (at += 3; *at == ' ';)
			at++;
	if (!at || !(n = symbol_at(at, out)) || is_generic_frame(out))
		return false;
	return !strstr(at + n, ".h:");
}

static bool lock_function(const struct report_view *v, char *out)
{
	char msg[LINE_MAX_LEN], first[FUNC_MAX] = "";
	const char *p, *at;
	bool trying = false, pending = false, found;

	for (p = v->s; p < v->end; p += line_len(p, v->end) + 1) {
		message_of(p, line_len(p, v->end), msg);
		if (pending) {
			found = lock_site(msg, out);
			pending = false;
		} else {
			if (strstr(msg, " is trying to ") ||
			    strstr(msg, " takes:") || strstr(msg, " took:"))
				trying = true;
			at = strstr(msg, "at:");
			if (!at)
				continue;
			pending = !at[3 + strspn(at + 3, " ")];
			found = !pending && lock_site(at + 3, out);
		}
		if (found && trying)
			return true;
		if (found && !first[0])
			snprintf(first, sizeof(first), "%s", out);
	}
	snprintf(out, FUNC_MAX, "%s", first);
	return first[0];
}

/* The first "file.c:12" token of a line, up to a ')' or a blank. */
static bool line_source(const char *line, const char *end, char *out,
			size_t size)
{
	char msg[LINE_MAX_LEN];
	const char *p;
	size_t n;

	message_of(line, line_len(line, end), msg);
	for (p = msg; *p; p++) {
		if (p != msg && p[-1] != ' ' && p[-1] != '(')
			continue;
		if (!is_source_ref(p))
			continue;
		n = strcspn(p, " )");
		snprintf(out, size, "%.*s", (int)n, p);
		return true;
	}
	return false;
}

bool frame_source(const struct report_view *v, const char *fn, char *out,
		  size_t size)
{
	struct stack *st = &frames;
	int i;

	out[0] = '\0';
	read_stack(v, st);
	for (i = 0; i < st->n; i++)
		if (!strcmp(st->fn[i], fn))
			return line_source(st->line[i], v->end, out, size);
	return false;
}

const char *stack_end(const struct report_view *v)
{
	struct stack *st = &frames;
	const char *last;

	read_stack(v, st);
	if (!st->n)
		return NULL;
	last = st->line[st->n - 1];
	return last + line_len(last, v->end);
}

bool report_has_stack(const struct report_view *v)
{
	struct stack *st = &frames;

	read_stack(v, st);
	return st->n > 0;
}

bool caller_of(const struct report_view *v, const char *fn, char *out)
{
	struct stack *st = &frames;
	int i;

	read_stack(v, st);
	for (i = 0; i < st->n; i++)
		if (strcmp(st->fn[i], fn) && !is_generic_frame(st->fn[i]))
			return pick(st, i, out);
	return false;
}

bool blame_function(const struct report_view *v, enum blame how, char *out)
{
	struct stack *st = &frames;

	if (how == B_NONE)
		return false;
	if (how == B_LOCK && lock_function(v, out))
		return true;
	read_stack(v, st);
	switch (how) {
	case B_STALL:
		return stall_frame(st, out) || first_frame(st, out);
	case B_LEAK:
		return leak_frame(st, out);
	default:
		return first_frame(st, out);
	}
}
