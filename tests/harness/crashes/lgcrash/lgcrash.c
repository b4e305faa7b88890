// SPDX-License-Identifier: GPL-2.0
/*
 * lgcrash: a kernel module that crashes the kernel it is loaded into in
 * one chosen way, so that tests/harness/crashes/collect.sh can record real
 * crash reports from a stock kernel for lgtest's classifier corpus.
 *
 *	insmod lgcrash.ko what=<kind>
 *
 * Every kind is a deliberate bug; never load this outside a throw-away VM.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/kthread.h>
#include <linux/completion.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

static char *what = "none";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "how to crash");

static volatile int zero;
static const int lgcrash_rodata = 1;
static DECLARE_COMPLETION(never);
static DEFINE_SPINLOCK(lgcrash_lock);
static struct timer_list lgcrash_timer;

static noinline void lgcrash_null_deref(void)
{
	*(volatile int *)(unsigned long)zero = 1;
}

static noinline void lgcrash_unmapped(void)
{
	/* A vmalloc-area address with nothing mapped behind it. */
	void *p = vmalloc(PAGE_SIZE);

	vfree(p);
	*(volatile int *)p = 1;
}

static noinline void lgcrash_non_canonical(void)
{
	*(volatile int *)0xdead000000000100UL = 1;
}

static noinline int lgcrash_divide(void)
{
	return 100 / zero;
}

static noinline void lgcrash_soft_lockup(void)
{
	preempt_disable();
	mdelay(40 * 1000);
	preempt_enable();
}

static int lgcrash_hung_thread(void *unused)
{
	wait_for_completion(&never);
	return 0;
}

static noinline void lgcrash_sched_atomic(void)
{
	preempt_disable();
	schedule_timeout_uninterruptible(1);
	preempt_enable();
}

static noinline void lgcrash_sleep_atomic(void)
{
	spin_lock(&lgcrash_lock);
	msleep(1);
	spin_unlock(&lgcrash_lock);
}

static noinline void lgcrash_rcu_stall(void)
{
	rcu_read_lock();
	local_irq_disable();
	mdelay(30 * 1000);
	local_irq_enable();
	rcu_read_unlock();
}

static noinline void lgcrash_stack_protector(void)
{
	char buf[16];
	volatile char *p = buf;
	int i;

	/* Run over the canary just past the buffer. */
	for (i = 0; i < 64; i++)
		p[i] = 0x41;
}

static noinline void lgcrash_refcount(void)
{
	refcount_t r = REFCOUNT_INIT(0);

	refcount_dec(&r);
}

static noinline void lgcrash_list(void)
{
	LIST_HEAD(head);
	struct list_head a, b;

	list_add(&a, &head);
	head.prev = &b;	/* corrupt: adding after a must notice */
	list_add(&b, &a);
}

static noinline void lgcrash_exec_data(void)
{
	static u8 code[16] = { 0xc3 };	/* ret, in a data page */

	((void (*)(void))code)();
}

static noinline void lgcrash_write_ro(void)
{
	*(volatile int *)&lgcrash_rodata = 2;
}

static noinline void lgcrash_usercopy(void)
{
	volatile size_t size = 16, len = 4096;
	char *p = kmalloc(size, GFP_KERNEL);

	/*
	 * Copy far past the object to user space.  The sizes are hidden from
	 * the compiler, so no build-time check catches it: hardened usercopy
	 * must.
	 */
	if (copy_to_user((void __user *)0x1000, p, len))
		pr_info("lgcrash: copy_to_user failed\n");
	kfree(p);
}

static noinline int lgcrash_recurse(int n)
{
	volatile char pad[512];

	pad[0] = n;
	return lgcrash_recurse(n + 1) + pad[0];
}

static void lgcrash_timer_fn(struct timer_list *t)
{
	lgcrash_null_deref();
}

static noinline void lgcrash_double_free(void)
{
	void *p = kmalloc(64, GFP_KERNEL);

	kfree(p);
	kfree(p);
}

static int __init lgcrash_init(void)
{
	pr_info("lgcrash: what=%s\n", what);
	if (!strcmp(what, "panic"))
		panic("lgcrash: deliberate panic");
	else if (!strcmp(what, "bug"))
		BUG();
	else if (!strcmp(what, "bug_on"))
		BUG_ON(zero == 0);
	else if (!strcmp(what, "warn"))
		WARN_ON(zero == 0);
	else if (!strcmp(what, "warn_msg"))
		WARN(1, "lgcrash: deliberate warning %d\n", zero);
	else if (!strcmp(what, "null"))
		lgcrash_null_deref();
	else if (!strcmp(what, "unmapped"))
		lgcrash_unmapped();
	else if (!strcmp(what, "gpf"))
		lgcrash_non_canonical();
	else if (!strcmp(what, "ud2"))
		asm volatile("ud2");
	else if (!strcmp(what, "divide"))
		return lgcrash_divide();
	else if (!strcmp(what, "softlockup"))
		lgcrash_soft_lockup();
	else if (!strcmp(what, "hung"))
		kthread_run(lgcrash_hung_thread, NULL, "lgcrash_hung");
	else if (!strcmp(what, "sched_atomic"))
		lgcrash_sched_atomic();
	else if (!strcmp(what, "sleep_atomic"))
		lgcrash_sleep_atomic();
	else if (!strcmp(what, "rcu_stall"))
		lgcrash_rcu_stall();
	else if (!strcmp(what, "stackprot"))
		lgcrash_stack_protector();
	else if (!strcmp(what, "refcount"))
		lgcrash_refcount();
	else if (!strcmp(what, "list"))
		lgcrash_list();
	else if (!strcmp(what, "exec_data"))
		lgcrash_exec_data();
	else if (!strcmp(what, "write_ro"))
		lgcrash_write_ro();
	else if (!strcmp(what, "usercopy"))
		lgcrash_usercopy();
	else if (!strcmp(what, "overflow"))
		return lgcrash_recurse(0);
	else if (!strcmp(what, "timer_null")) {
		timer_setup(&lgcrash_timer, lgcrash_timer_fn, 0);
		mod_timer(&lgcrash_timer, jiffies + 1);
		msleep(100);
	} else if (!strcmp(what, "double_free"))
		lgcrash_double_free();
	else
		return -EINVAL;
	return 0;
}
module_init(lgcrash_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Crash the kernel on purpose, for lgtest's crash corpus");
