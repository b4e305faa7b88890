/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A nested host that outlives its tests (nested_host.c): lgtest's
 * lguest-nested runner boots one QEMU TCG host with nested KVM per job
 * slot and runs test after test in it, instead of paying the host's boot
 * for every test.
 *
 *   lgtest nested-agent   runs in the nested host (on this machine's own
 *                         root, tests/boot/nested.sh --host-root --serve)
 *                         and starts each test's launcher on request
 *   lgtest nested-client  the runner's command for one test: finds or
 *                         boots a free host in the pool, has its agent run
 *                         the launcher, and relays the console, the
 *                         launcher's stderr and its exit status
 *
 * Both are lgtest's own children, not for users.
 */
#ifndef LGTEST_NESTED_HOST_H
#define LGTEST_NESTED_HOST_H

#include <stdbool.h>
#include <stddef.h>

/* The host's control channel carries lines; an argument is hex, so any
 * byte can cross.  Encoded into b, which must hold 2 * len + 1 bytes. */
void hex_encode(const void *data, size_t len, char *out);
/* Decode hex of length len into out (len / 2 bytes); false if not hex. */
bool hex_decode(const char *hex, size_t len, char *out);

int nested_agent(int argc, char **argv);
int nested_client(int argc, char **argv);

/* Stop every host a pool directory holds and remove the directory. */
void nested_pool_destroy(const char *pool);

#endif
