/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LGUEST_FUZZ_SEEDS_H
#define LGUEST_FUZZ_SEEDS_H

/*
 * The seed generator (fuzz/gen_seeds.c, `gen_seeds TARGET DIR`) builds
 * each target's starting corpus from real structures rather than keeping
 * unexplained blobs in git.  Each target has fuzz/seeds_<target>.c
 * defining seeds_<target>(), which calls seed_write() once per seed with
 * a name that says what the seed is (e.g. "linux-blk-read-4k").
 */

#include <stddef.h>

/* Write DIR/NAME; exits with a message naming the file on failure. */
void seed_write(const char *dir, const char *name, const void *data,
		size_t len);

void seeds_vring(const char *dir);
void seeds_loader(const char *dir);
void seeds_insn(const char *dir);
void seeds_pci(const char *dir);
void seeds_console(const char *dir);
void seeds_vhost_user(const char *dir);

#endif
