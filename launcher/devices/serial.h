/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_SERIAL_H
#define LGUEST_SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../irq.h"

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ	 4
#define SERIAL_RX_SIZE	 256
#define SERIAL_TX_SIZE 256
/* LSR reads with held output and no new byte before it is written out. */
#define SERIAL_TX_IDLE_POLLS 64

/*
 * A 16550A UART, enough of one for Linux's 8250 driver to find it, probe
 * its FIFO, and run it interrupt-driven both ways.  The transmitter is
 * always empty; received bytes wait in a FIFO that the input thread fills
 * and the guest drains, hence the lock.
 *
 * Transmitted bytes are held in `tx` and written out a line at a time
 * (one output call per line, not per byte: each is a system call and a
 * wake-up of the reader), and at once when the guest does anything but
 * write THR or poll LSR: Linux's console ends every write with an IER
 * write and its tty driver reads IIR for each FIFO's worth.  A guest
 * that only polls LSR after a partial line gets it out after
 * SERIAL_TX_IDLE_POLLS reads; serial_flush() empties it at the end.
 */
struct serial {
	pthread_mutex_t lock;
	pthread_cond_t space;	/* signalled when the guest reads */
	uint8_t rx[SERIAL_RX_SIZE];
	bool rx_break[SERIAL_RX_SIZE];	/* this NUL came with a break */
	bool lsr_bi;		/* LSR.BI: a break at the top, LSR not read */
	unsigned int rx_head, rx_count;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool fifo_enabled;
	bool thr_pending;	/* "transmitter empty" interrupt owed */
	uint8_t tx[SERIAL_TX_SIZE]; /* output not yet written out */
	unsigned int tx_len, tx_polls;
	int irq_level;
	unsigned int irq;
	struct irq_sink sink;
	void (*output)(void *ctx, const uint8_t *buf, size_t len);
	void *output_ctx;
};

void serial_init(struct serial *s, unsigned int irq, struct irq_sink sink,
		 void (*output)(void *ctx, const uint8_t *buf, size_t len),
		 void *output_ctx);

/* Bus callback for the eight registers. */
void serial_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
	       bool is_write);

/* Write out the output held back (the guest stopped, or is stopping). */
void serial_flush(struct serial *s);

/* Queue bytes from the host; returns how many fit (never blocks). */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len);

/*
 * A break on the line, as the chip receives one: a NUL in the FIFO that
 * raises LSR.BI when it reaches the top, with the line-status interrupt
 * if IER enables it.  Linux's 8250 driver then takes the next byte as a
 * sysrq key.  False when the FIFO is full (the break is lost).
 */
bool serial_break(struct serial *s);

/*
 * Block until the receive FIFO has room, or until `deadline`
 * (CLOCK_REALTIME; NULL: no limit); returns whether it has room.
 */
bool serial_wait_for_space(struct serial *s, const struct timespec *deadline);

#endif
