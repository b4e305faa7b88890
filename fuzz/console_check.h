/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_FUZZ_CONSOLE_CHECK_H
#define LGUEST_FUZZ_CONSOLE_CHECK_H

#include <stddef.h>

/*
 * Validators for the console target's reports, written from the formats'
 * grammars (RFC 8259, XML 1.0, TAP 13) rather than from lgtest's writers:
 * each returns NULL when the text is well-formed, else what is wrong.
 */
const char *json_invalid(const char *text, size_t len);
const char *xml_invalid(const char *text, size_t len);
const char *tap_invalid(const char *text, size_t len);

#endif
