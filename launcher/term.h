/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_TERM_H
#define LGUEST_TERM_H

#include <stdbool.h>

/*
 * The console terminal.  When stdin is a terminal we take it raw, so the
 * guest sees every key (^C included), and put it back however we leave:
 * normal exit, fatal signal, or re-exec for a reboot.
 */
bool term_raw(int fd);
void term_restore(void);

#endif
