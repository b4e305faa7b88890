// SPDX-License-Identifier: GPL-2.0
/*
 * The 16550A model, driven only through its bus callback as the guest
 * drives it, with a recorder standing in for the interrupt line and a
 * buffer for the console.  The sequences follow what Linux's 8250 driver
 * does: probe in loopback, enable the FIFO, then run interrupt-driven.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "devices/serial.h"
#include "unit_helpers.h"

/* Register offsets, named as in Linux's serial_reg.h. */
enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2,
       LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_RLSI	0x04
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_ID_MASK	0x0f
#define IIR_FIFO_BITS	0xc0
#define LSR_DR		0x01
#define LSR_BI		0x10
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define TEST_IRQ	4

static struct serial uart;

static struct {
	int level;		/* current line level, -1 before any call */
	unsigned int calls;
	unsigned int bad_irq;	/* calls for an IRQ other than ours */
} line;

static struct {
	uint8_t buf[4096];
	size_t len;
} out;

static void record_level(void *ctx, unsigned int irq, int level)
{
	ck_assert_ptr_eq(ctx, &line);
	if (irq != TEST_IRQ)
		line.bad_irq++;
	line.level = level;
	line.calls++;
}

static void collect(void *ctx, const uint8_t *buf, size_t len)
{
	ck_assert_ptr_eq(ctx, &out);
	ck_assert_uint_le(out.len + len, sizeof(out.buf));
	memcpy(out.buf + out.len, buf, len);
	out.len += len;
}

static void setup(void)
{
	const struct irq_sink sink = { .set_level = record_level,
				       .ctx = &line };

	memset(&line, 0, sizeof(line));
	line.level = -1;
	memset(&out, 0, sizeof(out));
	serial_init(&uart, TEST_IRQ, sink, collect, &out);
}

static void teardown(void)
{
	ck_assert_uint_eq(line.bad_irq, 0);
}

static uint8_t rd(unsigned int reg)
{
	uint8_t v = 0x5a;

	serial_io(&uart, reg, &v, 1, false);
	return v;
}

static void wr(unsigned int reg, uint8_t v)
{
	serial_io(&uart, reg, &v, 1, true);
}

static void receive(const char *s)
{
	size_t n = strlen(s);

	ck_assert_uint_eq(serial_receive(&uart, (const uint8_t *)s, n), n);
}

/* The line as the guest's interrupt controller would see it now. */
static bool irq_raised(void)
{
	return line.level == 1;
}

START_TEST(test_thr_output)
{
	const char *msg = "Linux version\r\n";
	size_t i;

	for (i = 0; msg[i]; i++)
		wr(THR, (uint8_t)msg[i]);
	ck_assert_uint_eq(out.len, strlen(msg));
	ck_assert(memcmp(out.buf, msg, out.len) == 0);
	/* Nothing enabled, so nothing raised. */
	ck_assert(!irq_raised());
}
END_TEST

/* A partial line is held until the guest does something else. */
START_TEST(test_partial_line_held)
{
	wr(THR, '#');
	wr(THR, ' ');
	ck_assert_uint_eq(rd(LSR), LSR_THRE | LSR_TEMT);
	ck_assert_uint_eq(out.len, 0);
	wr(IER, 0);
	ck_assert_uint_eq(out.len, 2);
	ck_assert(memcmp(out.buf, "# ", 2) == 0);
}
END_TEST

/* A guest that only polls LSR after a partial line still gets it out. */
START_TEST(test_partial_line_polled_out)
{
	unsigned int i;

	wr(THR, '>');
	for (i = 1; i < SERIAL_TX_IDLE_POLLS; i++)
		rd(LSR);
	ck_assert_uint_eq(out.len, 0);
	rd(LSR);
	ck_assert_uint_eq(out.len, 1);
	ck_assert_uint_eq(out.buf[0], '>');
}
END_TEST

/* Each THR write restarts the count: printk's LSR, THR, LSR, THR... */
START_TEST(test_polls_between_bytes_hold)
{
	unsigned int i;

	for (i = 0; i < 2 * SERIAL_TX_IDLE_POLLS; i++) {
		rd(LSR);
		wr(THR, 'x');
	}
	ck_assert_uint_eq(out.len, SERIAL_TX_SIZE * (2 * SERIAL_TX_IDLE_POLLS /
						     SERIAL_TX_SIZE));
	serial_flush(&uart);
	ck_assert_uint_eq(out.len, 2 * SERIAL_TX_IDLE_POLLS);
}
END_TEST

/* A line longer than the buffer goes out in full buffers, in order. */
START_TEST(test_long_line)
{
	unsigned int i;

	for (i = 0; i < SERIAL_TX_SIZE + 10; i++)
		wr(THR, (uint8_t)('a' + i % 26));
	ck_assert_uint_eq(out.len, SERIAL_TX_SIZE);
	serial_flush(&uart);
	ck_assert_uint_eq(out.len, SERIAL_TX_SIZE + 10);
	for (i = 0; i < out.len; i++)
		ck_assert_uint_eq(out.buf[i], 'a' + i % 26);
}
END_TEST

START_TEST(test_lsr)
{
	ck_assert_uint_eq(rd(LSR), LSR_THRE | LSR_TEMT);
	receive("a");
	ck_assert_uint_eq(rd(LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	ck_assert_uint_eq(rd(RBR), 'a');
	ck_assert_uint_eq(rd(LSR), LSR_THRE | LSR_TEMT);
	/* Transmitting never leaves the transmitter busy. */
	wr(THR, 'x');
	ck_assert_uint_eq(rd(LSR) & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
}
END_TEST

START_TEST(test_rx_order)
{
	const char *s = "hello";
	size_t i;

	receive("hel");
	receive("lo");
	for (i = 0; s[i]; i++)
		ck_assert_uint_eq(rd(RBR), (uint8_t)s[i]);
	ck_assert_uint_eq(rd(LSR) & LSR_DR, 0);
}
END_TEST

/* A full FIFO takes what fits and keeps order across the wrap. */
START_TEST(test_rx_full)
{
	uint8_t buf[SERIAL_RX_SIZE + 10];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	/* Start part-way round the ring so the next fill wraps. */
	ck_assert_uint_eq(serial_receive(&uart, buf, 3), 3);
	for (i = 0; i < 3; i++)
		rd(RBR);
	ck_assert_uint_eq(serial_receive(&uart, buf, sizeof(buf)),
			  SERIAL_RX_SIZE);
	ck_assert_uint_eq(serial_receive(&uart, buf, 1), 0);
	ck_assert_uint_eq(rd(RBR), 0);
	ck_assert_uint_eq(serial_receive(&uart, buf + 200, 2), 1);
	for (i = 1; i < SERIAL_RX_SIZE; i++)
		ck_assert_uint_eq(rd(RBR), (uint8_t)i);
	ck_assert_uint_eq(rd(RBR), 200);
	ck_assert_uint_eq(rd(LSR) & LSR_DR, 0);
}
END_TEST

static _Atomic pid_t waiter_tid;

static void *wait_for_space(void *arg)
{
	waiter_tid = gettid();
	ck_assert(serial_wait_for_space(arg, NULL));
	return NULL;
}

/*
 * Sleeping ('S') with the lock free means the waiter is in its condition
 * wait; only then does the test prove that draining wakes it up.
 */
static void wait_until_asleep(void)
{
	char path[64], stat[256], *state;
	unsigned int tries;
	FILE *f;

	while (!waiter_tid)
		usleep(100);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", waiter_tid);
	for (tries = 0; tries < 20000; tries++) {
		f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		state = fgets(stat, sizeof(stat), f);
		fclose(f);
		state = state ? strrchr(stat, ')') : NULL;
		if (state && state[1] == ' ' && state[2] == 'S')
			return;
		usleep(100);
	}
	ck_abort_msg("waiter never blocked on a full FIFO");
}

/* Both ways the guest can empty the FIFO must wake the input thread. */
static void drain_rbr(void)
{
	rd(RBR);
}

static void drain_fcr(void)
{
	wr(FCR, 0x03);
}

static void (*const drains[])(void) = { drain_rbr, drain_fcr };

START_TEST(test_wait_for_space)
{
	uint8_t buf[SERIAL_RX_SIZE] = { 0 };
	pthread_t t;

	ck_assert_uint_eq(serial_receive(&uart, buf, sizeof(buf)),
			  SERIAL_RX_SIZE);
	waiter_tid = 0;
	ck_assert_int_eq(pthread_create(&t, NULL, wait_for_space, &uart), 0);
	wait_until_asleep();
	drains[_i]();
	/* A missed wake-up hangs here and the test times out. */
	ck_assert_int_eq(pthread_join(t, NULL), 0);
}
END_TEST

/* A guest that never reads: the wait gives up at its deadline. */
START_TEST(test_wait_for_space_deadline)
{
	uint8_t buf[SERIAL_RX_SIZE] = { 0 };
	struct timespec deadline;

	ck_assert_uint_eq(serial_receive(&uart, buf, sizeof(buf)),
			  SERIAL_RX_SIZE);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += 20 * 1000 * 1000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	ck_assert(!serial_wait_for_space(&uart, &deadline));
	rd(RBR);
	ck_assert(serial_wait_for_space(&uart, &deadline));
}
END_TEST

START_TEST(test_rdi_irq)
{
	wr(IER, IER_RDI);
	ck_assert(!irq_raised());
	ck_assert_uint_eq(rd(IIR) & IIR_ID_MASK, IIR_NO_INT);
	receive("ab");
	ck_assert(irq_raised());
	ck_assert_uint_eq(rd(IIR) & IIR_ID_MASK, IIR_RDI);
	/* Reading IIR does not acknowledge received data; draining does. */
	ck_assert(irq_raised());
	rd(RBR);
	ck_assert(irq_raised());
	rd(RBR);
	ck_assert(!irq_raised());
	ck_assert_uint_eq(rd(IIR) & IIR_ID_MASK, IIR_NO_INT);
}
END_TEST

START_TEST(test_thri_irq)
{
	/* Enabling THRI with the transmitter empty raises it at once. */
	wr(IER, IER_THRI);
	ck_assert(irq_raised());
	ck_assert_uint_eq(rd(IIR) & IIR_ID_MASK, IIR_THRI);
	ck_assert(!irq_raised());
	ck_assert_uint_eq(rd(IIR) & IIR_ID_MASK, IIR_NO_INT);
	/* Each byte sent leaves the holding register empty again. */
	wr(THR, 'x');
	ck_assert(irq_raised());
	ck_assert_uint_eq(rd(IIR) & IIR_ID_MASK, IIR_THRI);
	ck_assert(!irq_raised());
	/* Disabling THRI drops a pending one. */
	wr(THR, 'y');
	ck_assert(irq_raised());
	wr(IER, 0);
	ck_assert(!irq_raised());
}
END_TEST

/*
 * Linux's startup check for UART_BUG_THRE: THRI must show in IIR once
 * enabled, and again after IER is cleared and THRI re-enabled, although
 * the first IIR read acknowledged it.
 */
START_TEST(test_thri_reassert)
{
	uint8_t iir1, iir2;

	wr(IER, IER_THRI);
	iir1 = rd(IIR);
	wr(IER, 0);
	wr(IER, IER_THRI);
	iir2 = rd(IIR);
	wr(IER, 0);
	ck_assert_uint_eq(iir1 & IIR_ID_MASK, IIR_THRI);
	ck_assert_uint_eq(iir2 & IIR_ID_MASK, IIR_THRI);
	ck_assert(!irq_raised());
}
END_TEST

/* Received data outranks THRI, which must survive the RDI being served. */
START_TEST(test_irq_priority)
{
	wr(IER, IER_RDI | IER_THRI);
	receive("z");
	ck_assert_uint_eq(rd(IIR) & IIR_ID_MASK, IIR_RDI);
	ck_assert_uint_eq(rd(RBR), 'z');
	ck_assert(irq_raised());
	ck_assert_uint_eq(rd(IIR) & IIR_ID_MASK, IIR_THRI);
	ck_assert(!irq_raised());
}
END_TEST

START_TEST(test_ier_readback)
{
	/* Linux's probe writes IER and expects the low nibble back. */
	wr(IER, 0xff);
	ck_assert_uint_eq(rd(IER), 0x0f);
	wr(IER, 0);
	ck_assert_uint_eq(rd(IER), 0);
}
END_TEST

START_TEST(test_fifo_bits)
{
	ck_assert_uint_eq(rd(IIR) & IIR_FIFO_BITS, 0);
	wr(FCR, 0x01);
	ck_assert_uint_eq(rd(IIR) & IIR_FIFO_BITS, IIR_FIFO_BITS);
	wr(FCR, 0xc7); /* enable, clear both, 14-byte trigger */
	ck_assert_uint_eq(rd(IIR), IIR_FIFO_BITS | IIR_NO_INT);
	wr(FCR, 0);
	ck_assert_uint_eq(rd(IIR) & IIR_FIFO_BITS, 0);
}
END_TEST

START_TEST(test_fcr_clear_rx)
{
	wr(IER, IER_RDI);
	receive("stale");
	ck_assert(irq_raised());
	wr(FCR, 0x03);
	ck_assert_uint_eq(rd(LSR) & LSR_DR, 0);
	ck_assert(!irq_raised());
	/* The FIFO works normally afterwards. */
	receive("ok");
	ck_assert_uint_eq(rd(RBR), 'o');
	ck_assert_uint_eq(rd(RBR), 'k');
}
END_TEST

START_TEST(test_dlab)
{
	wr(IER, IER_RDI);
	wr(LCR, LCR_DLAB | 0x03);
	wr(DLL, 0x01);	/* 115200 baud */
	wr(DLM, 0x00);
	ck_assert_uint_eq(rd(DLL), 0x01);
	ck_assert_uint_eq(rd(DLM), 0x00);
	wr(DLM, 0x12);
	ck_assert_uint_eq(rd(DLM), 0x12);
	/* The divisor latch hides THR and IER without touching them. */
	ck_assert_uint_eq(out.len, 0);
	ck_assert_uint_eq(rd(LCR), LCR_DLAB | 0x03);
	wr(LCR, 0x03);
	ck_assert_uint_eq(rd(IER), IER_RDI);
	wr(THR, 'q');
	wr(LCR, LCR_DLAB); /* and the held 'q' goes out */
	ck_assert_uint_eq(out.len, 1);
	ck_assert_uint_eq(rd(DLL), 0x01);
	ck_assert_uint_eq(rd(DLM), 0x12);
}
END_TEST

static const uint8_t scratch_values[] = { 0x00, 0x55, 0xaa, 0xff };

START_TEST(test_scratch)
{
	wr(SCR, scratch_values[_i]);
	ck_assert_uint_eq(rd(SCR), scratch_values[_i]);
}
END_TEST

START_TEST(test_loopback_data)
{
	wr(MCR, MCR_LOOP);
	wr(THR, 0x5a);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_uint_eq(rd(LSR) & LSR_DR, LSR_DR);
	ck_assert_uint_eq(rd(RBR), 0x5a);
	wr(MCR, 0x0b);
	wr(THR, '!');
	ck_assert_uint_eq(rd(LSR) & LSR_DR, 0);
	serial_flush(&uart);
	ck_assert_uint_eq(out.len, 1);
}
END_TEST

/*
 * In loopback the modem inputs follow the outputs: RTS->CTS, DTR->DSR,
 * OUT1->RI, OUT2->DCD.  Linux's 8250 probe writes 0x1A and wants 0x90.
 */
static const struct {
	uint8_t mcr, msr_high;
} loopback_msr[] = {
	{ 0x1a, 0x90 }, { 0x10, 0x00 }, { 0x11, 0x20 }, { 0x12, 0x10 },
	{ 0x14, 0x40 }, { 0x18, 0x80 }, { 0x1f, 0xf0 },
};

START_TEST(test_loopback_msr)
{
	wr(MCR, loopback_msr[_i].mcr);
	ck_assert_uint_eq(rd(MCR), loopback_msr[_i].mcr);
	ck_assert_uint_eq(rd(MSR) & 0xf0, loopback_msr[_i].msr_high);
}
END_TEST

START_TEST(test_msr_not_loopback)
{
	/* Outside loopback a cable is plugged in: CTS, DSR, DCD. */
	wr(MCR, 0x0b);
	ck_assert_uint_eq(rd(MSR) & 0xf0, 0xb0);
}
END_TEST

/* Only single-byte accesses to the eight registers mean anything. */
static const struct {
	uint64_t offset;
	unsigned int len;
} odd_accesses[] = {
	{ THR, 2 }, { LSR, 4 }, { SCR, 2 }, { 8, 1 }, { 0xff, 1 },
};

START_TEST(test_odd_access)
{
	uint8_t data[4] = { 'A', 'B', 'C', 'D' };
	unsigned int len = odd_accesses[_i].len;

	wr(SCR, 0x11);
	serial_io(&uart, odd_accesses[_i].offset, data, len, true);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_uint_eq(rd(SCR), 0x11);
	memset(data, 0, sizeof(data));
	serial_io(&uart, odd_accesses[_i].offset, data, len, false);
	ck_assert(all_bytes(data, 0xff, len));
}
END_TEST

/* A break is a NUL with LSR.BI, which the first LSR read clears. */
START_TEST(test_break_lsr)
{
	ck_assert(serial_break(&uart));
	ck_assert_uint_eq(rd(LSR), LSR_THRE | LSR_TEMT | LSR_DR | LSR_BI);
	ck_assert_uint_eq(rd(LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	ck_assert_uint_eq(rd(RBR), 0);
	ck_assert_uint_eq(rd(LSR), LSR_THRE | LSR_TEMT);
}
END_TEST

/* The line-status interrupt outranks received data and ends with LSR. */
START_TEST(test_break_irq)
{
	wr(IER, IER_RLSI | IER_RDI);
	ck_assert(serial_break(&uart));
	ck_assert(irq_raised());
	ck_assert_uint_eq(rd(IIR) & IIR_ID_MASK, IIR_RLSI);
	ck_assert(irq_raised());
	ck_assert_uint_eq(rd(LSR) & LSR_BI, LSR_BI);
	ck_assert_uint_eq(rd(IIR) & IIR_ID_MASK, IIR_RDI);
	ck_assert_uint_eq(rd(RBR), 0);
	ck_assert(!irq_raised());
}
END_TEST

/* Without IER.RLSI the break raises nothing but still shows in LSR. */
START_TEST(test_break_no_rlsi)
{
	wr(IER, IER_THRI);
	rd(IIR); /* acknowledge THRI */
	ck_assert(!irq_raised());
	ck_assert(serial_break(&uart));
	ck_assert(!irq_raised());
	ck_assert_uint_eq(rd(LSR) & LSR_BI, LSR_BI);
}
END_TEST

/*
 * Behind other bytes, BI waits for the break's NUL to reach the top: the
 * driver reads LSR, then the byte it describes, so the key typed after
 * the break is the byte after that NUL.
 */
START_TEST(test_break_in_order)
{
	wr(IER, IER_RLSI);
	receive("a");
	ck_assert(serial_break(&uart));
	receive("t");
	ck_assert(!irq_raised());
	ck_assert_uint_eq(rd(LSR) & (LSR_BI | LSR_DR), LSR_DR);
	ck_assert_uint_eq(rd(RBR), 'a');
	ck_assert(irq_raised());
	ck_assert_uint_eq(rd(LSR) & (LSR_BI | LSR_DR), LSR_BI | LSR_DR);
	ck_assert(!irq_raised());
	ck_assert_uint_eq(rd(RBR), 0);
	ck_assert_uint_eq(rd(LSR) & (LSR_BI | LSR_DR), LSR_DR);
	ck_assert_uint_eq(rd(RBR), 't');
	ck_assert_uint_eq(rd(LSR) & (LSR_BI | LSR_DR), 0);
}
END_TEST

/* A second break waits behind the first, whose BI was already read. */
START_TEST(test_break_twice)
{
	ck_assert(serial_break(&uart));
	ck_assert_uint_eq(rd(LSR) & LSR_BI, LSR_BI);
	ck_assert(serial_break(&uart));
	ck_assert_uint_eq(rd(LSR) & LSR_BI, 0);
	ck_assert_uint_eq(rd(RBR), 0);
	ck_assert_uint_eq(rd(LSR) & (LSR_BI | LSR_DR), LSR_BI | LSR_DR);
}
END_TEST

/* A full FIFO has no room for the break's NUL: it is refused. */
START_TEST(test_break_full)
{
	uint8_t fill[SERIAL_RX_SIZE];

	memset(fill, 'x', sizeof(fill));
	ck_assert_uint_eq(serial_receive(&uart, fill, sizeof(fill)),
			  sizeof(fill));
	ck_assert(!serial_break(&uart));
	ck_assert_uint_eq(rd(LSR) & LSR_BI, 0);
}
END_TEST

/* Clearing the receive FIFO drops a break with its NUL. */
START_TEST(test_break_fcr_clear)
{
	wr(IER, IER_RLSI);
	receive("a");
	ck_assert(serial_break(&uart));
	wr(FCR, 0x03);
	receive("bc");
	ck_assert_uint_eq(rd(RBR), 'b');
	ck_assert_uint_eq(rd(LSR) & (LSR_BI | LSR_DR), LSR_DR);
	ck_assert(!irq_raised());
	ck_assert_uint_eq(rd(RBR), 'c');
}
END_TEST

static Suite *serial_suite(void)
{
	Suite *s = suite_create("serial");
	TCase *tc = tcase_create("16550a");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_thr_output);
	tcase_add_test(tc, test_partial_line_held);
	tcase_add_test(tc, test_partial_line_polled_out);
	tcase_add_test(tc, test_polls_between_bytes_hold);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_lsr);
	tcase_add_test(tc, test_rx_order);
	tcase_add_test(tc, test_rx_full);
	tcase_add_loop_test(tc, test_wait_for_space, 0, ARRAY_SIZE(drains));
	tcase_add_test(tc, test_wait_for_space_deadline);
	tcase_add_test(tc, test_rdi_irq);
	tcase_add_test(tc, test_thri_irq);
	tcase_add_test(tc, test_thri_reassert);
	tcase_add_test(tc, test_irq_priority);
	tcase_add_test(tc, test_ier_readback);
	tcase_add_test(tc, test_fifo_bits);
	tcase_add_test(tc, test_fcr_clear_rx);
	tcase_add_test(tc, test_dlab);
	tcase_add_loop_test(tc, test_scratch, 0, ARRAY_SIZE(scratch_values));
	tcase_add_test(tc, test_loopback_data);
	tcase_add_loop_test(tc, test_loopback_msr, 0,
			    ARRAY_SIZE(loopback_msr));
	tcase_add_test(tc, test_msr_not_loopback);
	tcase_add_loop_test(tc, test_odd_access, 0, ARRAY_SIZE(odd_accesses));
	tcase_add_test(tc, test_break_lsr);
	tcase_add_test(tc, test_break_irq);
	tcase_add_test(tc, test_break_no_rlsi);
	tcase_add_test(tc, test_break_in_order);
	tcase_add_test(tc, test_break_twice);
	tcase_add_test(tc, test_break_full);
	tcase_add_test(tc, test_break_fcr_clear);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(serial_suite());
}
