// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "serial.h"

/* Register offsets and the bits of them we implement. */
#define UART_RX		0	/* RBR / THR, or DLL when LCR.DLAB */
#define UART_IER	1	/* or DLM when LCR.DLAB */
#define UART_IIR	2	/* read; FCR on write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_RLSI	0x04
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_FIFO_ON	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_BI		0x10
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_DCD		0x80

void serial_init(struct serial *s, unsigned int irq, struct irq_sink sink,
		 void (*output)(void *ctx, const uint8_t *buf, size_t len),
		 void *output_ctx)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->space, NULL);
	s->irq = irq;
	s->sink = sink;
	s->output = output;
	s->output_ctx = output_ctx;
	s->mcr = 0x08; /* OUT2, as a PC BIOS leaves it */
}

/* The highest-priority interrupt pending, as IIR reports it. */
static uint8_t pending_interrupt(const struct serial *s)
{
	if ((s->ier & IER_RLSI) && s->lsr_bi)
		return IIR_RLSI;
	if ((s->ier & IER_RDI) && s->rx_count)
		return IIR_RDI;
	if ((s->ier & IER_THRI) && s->thr_pending)
		return IIR_THRI;
	return IIR_NO_INT;
}

static void update_irq(struct serial *s)
{
	int level = pending_interrupt(s) != IIR_NO_INT;

	if (level != s->irq_level) {
		s->irq_level = level;
		if (s->sink.set_level)
			s->sink.set_level(s->sink.ctx, s->irq, level);
	}
}

static bool rx_push(struct serial *s, uint8_t c)
{
	if (s->rx_count == SERIAL_RX_SIZE)
		return false;
	s->rx[(s->rx_head + s->rx_count) % SERIAL_RX_SIZE] = c;
	s->rx_count++;
	return true;
}

/*
 * As on the chip, a break's NUL shows as LSR.BI once it reaches the top
 * of the FIFO, until the guest reads LSR.
 */
static void break_to_top(struct serial *s)
{
	if (s->rx_count && s->rx_break[s->rx_head])
		s->lsr_bi = true;
}

static uint8_t rx_pop(struct serial *s)
{
	uint8_t c;

	if (!s->rx_count)
		return 0;
	c = s->rx[s->rx_head];
	s->rx_break[s->rx_head] = false;
	s->rx_head = (s->rx_head + 1) % SERIAL_RX_SIZE;
	s->rx_count--;
	break_to_top(s);
	pthread_cond_signal(&s->space);
	return c;
}

/* Reading LSR clears its error bits, BI among them. */
static uint8_t line_status(struct serial *s)
{
	uint8_t lsr = LSR_THRE | LSR_TEMT | (s->rx_count ? LSR_DR : 0) |
		      (s->lsr_bi ? LSR_BI : 0);

	s->lsr_bi = false;
	return lsr;
}

static void tx_flush(struct serial *s)
{
	if (s->tx_len && s->output)
		s->output(s->output_ctx, s->tx, s->tx_len);
	s->tx_len = 0;
	s->tx_polls = 0;
}

/*
 * In loopback mode (which Linux uses to probe for a real UART) transmitted
 * bytes come back as received ones; otherwise they go out a line at a time.
 */
static void transmit(struct serial *s, uint8_t c)
{
	s->thr_pending = true;
	if (s->mcr & MCR_LOOP) {
		rx_push(s, c);
		return;
	}
	s->tx[s->tx_len++] = c;
	s->tx_polls = 0;
	if (c == '\n' || s->tx_len == SERIAL_TX_SIZE)
		tx_flush(s);
}

/* Any access but a THR write or an LSR poll writes out what is held. */
static void tx_flush_after(struct serial *s, unsigned int reg, bool is_write)
{
	bool thr_write = is_write && reg == UART_RX && !(s->lcr & LCR_DLAB);

	if (thr_write || !s->tx_len)
		return;
	if (!is_write && reg == UART_LSR &&
	    ++s->tx_polls < SERIAL_TX_IDLE_POLLS)
		return;
	tx_flush(s);
}

/* In loopback, the modem inputs mirror the modem outputs. */
static uint8_t modem_status(const struct serial *s)
{
	if (s->mcr & MCR_LOOP)
		return ((s->mcr & 0x02) << 3) | ((s->mcr & 0x01) << 5) |
		       ((s->mcr & 0x04) << 4) | ((s->mcr & 0x08) << 4);
	return MSR_DCD | MSR_DSR | MSR_CTS;
}

static uint8_t serial_read(struct serial *s, unsigned int reg)
{
	bool dlab = s->lcr & LCR_DLAB;
	uint8_t iir;

	switch (reg) {
	case UART_RX:
		return dlab ? s->dll : rx_pop(s);
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR:
		iir = pending_interrupt(s);
		if (iir == IIR_THRI)
			s->thr_pending = false; /* reading IIR acknowledges it */
		return iir | (s->fifo_enabled ? IIR_FIFO_ON : 0);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return line_status(s);
	case UART_MSR:
		return modem_status(s);
	default:
		return s->scr;
	}
}

static void serial_write(struct serial *s, unsigned int reg, uint8_t v)
{
	bool dlab = s->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RX:
		if (dlab)
			s->dll = v;
		else
			transmit(s, v);
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = v;
			break;
		}
		/* Enabling THRI with the transmitter empty raises it at once. */
		if ((v & IER_THRI) && !(s->ier & IER_THRI))
			s->thr_pending = true;
		s->ier = v & 0x0f;
		break;
	case UART_IIR: /* FCR */
		s->fifo_enabled = v & FCR_ENABLE;
		if (v & FCR_CLEAR_RX) {
			s->rx_head = s->rx_count = 0;
			memset(s->rx_break, 0, sizeof(s->rx_break));
			s->lsr_bi = false;
			pthread_cond_signal(&s->space);
		}
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}

void serial_io(void *dev, uint64_t offset, uint8_t *data, unsigned int len,
	       bool is_write)
{
	struct serial *s = dev;

	if (len != 1 || offset > UART_SCR) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&s->lock);
	tx_flush_after(s, offset, is_write);
	if (is_write)
		serial_write(s, offset, data[0]);
	else
		data[0] = serial_read(s, offset);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

void serial_flush(struct serial *s)
{
	pthread_mutex_lock(&s->lock);
	tx_flush(s);
	pthread_mutex_unlock(&s->lock);
}

size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	while (n < len && rx_push(s, buf[n]))
		n++;
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}

bool serial_break(struct serial *s)
{
	bool queued;

	pthread_mutex_lock(&s->lock);
	queued = rx_push(s, 0);
	if (queued) {
		s->rx_break[(s->rx_head + s->rx_count - 1) % SERIAL_RX_SIZE] =
			true;
		if (s->rx_count == 1)
			break_to_top(s);
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return queued;
}

bool serial_wait_for_space(struct serial *s, const struct timespec *deadline)
{
	bool room;

	pthread_mutex_lock(&s->lock);
	while (s->rx_count == SERIAL_RX_SIZE)
		if (!deadline)
			pthread_cond_wait(&s->space, &s->lock);
		else if (pthread_cond_timedwait(&s->space, &s->lock, deadline))
			break;
	room = s->rx_count < SERIAL_RX_SIZE;
	pthread_mutex_unlock(&s->lock);
	return room;
}
