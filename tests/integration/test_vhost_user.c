// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's vhost-user client against Debian's real virtiofsd, from
 * the host side: the handshake (features, protocol features with
 * REPLY_ACK and MQ, queue count, owner), a memfd memory table, both
 * queues of a virtio-fs device started with eventfds for kick and call
 * and stopped again, every SET_* acknowledged; a FUSE_INIT served through
 * the shared memory, kicked and called by eventfd alone.  Then the
 * back-end killed under the launcher: the next request is a clear error,
 * not a crash or a SIGPIPE.  And --share's virtiofsd_start(): serving,
 * read-only, gone with the launcher, bad input.  virtiofsd runs with
 * -o sandbox=chroot on temporary directories; run as root from the
 * repository root (tests/run-all.sh does, in the nested host if need be):
 *   build/tests/integration/test_vhost_user
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devices/vhost_user.h"
#include "devices/virtiofsd.h"
#include "host_mem.h"

#define VIRTIOFSD "/usr/lib/qemu/virtiofsd"
#define RAM_BYTES (4 << 20)
#define QUEUE_SIZE 128
#define VIRTIO_F_VERSION_1 32

static char dir[] = "/tmp/lguest-vu-XXXXXX";
static char sock[64], share[64];
static pid_t backend = -1;

/*
 * The directories are made and removed by unchecked fixtures, in the
 * parent, so a failed test (whose process exits at once) leaves none;
 * virtiofsd dies with the test's process whatever happens to it.
 */
static void make_dirs(void)
{
	if (!mkdtemp(dir) || snprintf(sock, sizeof(sock), "%s/sock", dir) < 0 ||
	    snprintf(share, sizeof(share), "%s/share", dir) < 0 ||
	    mkdir(share, 0755)) {
		perror("test_vhost_user: temporary directory");
		exit(1);
	}
}

static void remove_dirs(void)
{
	unlink(sock);
	rmdir(share);
	rmdir(dir);
	strcpy(dir, "/tmp/lguest-vu-XXXXXX");
}

static void start_backend(void)
{
	char src[80], path[96];
	struct timespec pause = {0, 20 * 1000 * 1000};
	pid_t parent = getpid();
	int i;

	unlink(sock); /* the last test's */
	snprintf(src, sizeof(src), "source=%s", share);
	snprintf(path, sizeof(path), "--socket-path=%s", sock);
	backend = fork();
	ck_assert_int_ge(backend, 0);
	if (backend == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		execl(VIRTIOFSD, VIRTIOFSD, path, "-o", src, "-o",
		      "sandbox=chroot", "-o", "log_level=err", (char *)NULL);
		fprintf(stderr, "cannot run " VIRTIOFSD ": %s\n",
			strerror(errno));
		_exit(127);
	}
	for (i = 0; i < 250 && access(sock, F_OK); i++)
		nanosleep(&pause, NULL);
	ck_assert_msg(!access(sock, F_OK), "virtiofsd made no socket %s", sock);
}

static void stop_backend(void)
{
	if (backend > 0) {
		kill(backend, SIGKILL);
		waitpid(backend, NULL, 0);
	}
	backend = -1;
	unlink(sock);
}

/* The socket file exists a moment before virtiofsd listens on it. */
static void connect_and_handshake(struct vu_conn *c)
{
	struct timespec pause = {0, 20 * 1000 * 1000};
	struct lg_error err;
	int i, rc;

	for (i = 0; (rc = vu_connect(c, sock, &err)) && errno == ECONNREFUSED &&
		    i < 250;
	     i++)
		nanosleep(&pause, NULL);
	ck_assert_msg(!rc, "%s", err.msg);
	ck_assert_msg(!vu_handshake(c, 2, &err), "%s", err.msg);
}

START_TEST(test_handshake)
{
	struct vu_conn c;

	connect_and_handshake(&c);
	ck_assert(c.features & 1ULL << VIRTIO_F_VERSION_1);
	ck_assert(c.features & 1ULL << VU_F_PROTOCOL_FEATURES);
	ck_assert_uint_eq(c.protocol, 1ULL << VU_PROTOCOL_F_MQ |
					      1ULL << VU_PROTOCOL_F_REPLY_ACK);
	ck_assert_uint_ge(c.queues, 2);
	vu_close(&c);
}
END_TEST

/*
 * A virtio-fs device as the launcher will set it up: guest RAM as a
 * memfd (guest-physical 0 at ram), both queues' rings inside it, each
 * queue's kick and call an eventfd, every SET_* acknowledged.
 */
struct fs_device {
	struct vu_conn c;
	struct guest_mem mem;
	uint8_t *ram;
	int memfd;
	int kick[2], call[2];
};

static uint64_t ring_gpa(int queue)
{
	return 0x10000 * (queue + 1);
}

static void fs_device_start(struct fs_device *f)
{
	struct lg_error err;
	int i;

	f->ram = mmap(NULL, RAM_BYTES, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(f->ram, MAP_FAILED);
	f->memfd = host_mem_share(f->ram, RAM_BYTES, &err);
	ck_assert_msg(f->memfd >= 0, "%s", err.msg);
	gmem_init(&f->mem, f->ram, RAM_BYTES, RAM_BYTES);

	connect_and_handshake(&f->c);
	ck_assert_msg(!vu_set_features(&f->c, 1ULL << VIRTIO_F_VERSION_1, &err),
		      "%s", err.msg);
	ck_assert_msg(!vu_set_mem_table(&f->c, &f->mem, f->memfd, &err), "%s",
		      err.msg);
	for (i = 0; i < 2; i++) {
		uint8_t *area = f->ram + ring_gpa(i);
		struct vu_queue q = {
			.index = i,
			.size = QUEUE_SIZE,
			.desc = (uintptr_t)area,
			.avail = (uintptr_t)area + 0x1000,
			.used = (uintptr_t)area + 0x2000,
			.kick = eventfd(0, EFD_CLOEXEC),
			.call = eventfd(0, EFD_CLOEXEC),
		};

		ck_assert_msg(!vu_start_queue(&f->c, &q, &err), "queue %d: %s",
			      i, err.msg);
		f->kick[i] = q.kick;
		f->call[i] = q.call;
	}
}

static void fs_device_stop(struct fs_device *f)
{
	int i;

	for (i = 0; i < 2; i++) {
		close(f->kick[i]);
		close(f->call[i]);
	}
	vu_close(&f->c);
	close(f->memfd);
	munmap(f->ram, RAM_BYTES);
}

START_TEST(test_queues_start_and_stop)
{
	struct fs_device f;
	struct lg_error err;
	uint32_t base;
	int i;

	fs_device_start(&f);
	for (i = 0; i < 2; i++) {
		ck_assert_msg(!vu_stop_queue(&f.c, i, &base, &err),
			      "queue %d: %s", i, err.msg);
		ck_assert_uint_eq(base, 0);
	}
	fs_device_stop(&f);
}
END_TEST

#define REQ_GPA 0x100000
#define REPLY_GPA 0x101000
#define FUSE_UNIQUE 0x1234

/*
 * The data path: a FUSE_INIT written into "guest RAM" as a two-buffer
 * chain on the request queue, one kick, and virtiofsd answers through
 * the shared memory and the call eventfd, with no launcher code in
 * between: the used ring, the reply header and the protocol version.
 */
START_TEST(test_fuse_init_round_trip)
{
	struct fuse_in_header *in;
	struct fuse_out_header *out;
	struct fuse_init_out *init_out;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	struct pollfd p;
	struct fs_device f;
	struct lg_error err;
	uint64_t one = 1;
	uint32_t base;

	fs_device_start(&f);
	/* libvhost-user signals a call once when it is set: not ours. */
	p = (struct pollfd){.fd = f.call[1], .events = POLLIN};
	if (poll(&p, 1, 0) == 1)
		ck_assert_int_eq(read(f.call[1], &one, sizeof(one)),
				 sizeof(one));
	one = 1;
	in = (void *)(f.ram + REQ_GPA);
	*in = (struct fuse_in_header){
		.len = sizeof(*in) + sizeof(struct fuse_init_in),
		.opcode = FUSE_INIT,
		.unique = FUSE_UNIQUE,
	};
	*(struct fuse_init_in *)(in + 1) = (struct fuse_init_in){
		.major = FUSE_KERNEL_VERSION,
		.minor = FUSE_KERNEL_MINOR_VERSION,
	};
	desc = (void *)(f.ram + ring_gpa(1));
	avail = (void *)(f.ram + ring_gpa(1) + 0x1000);
	used = (void *)(f.ram + ring_gpa(1) + 0x2000);
	desc[0] = (struct vring_desc){REQ_GPA, in->len, VRING_DESC_F_NEXT, 1};
	desc[1] = (struct vring_desc){REPLY_GPA, 4096, VRING_DESC_F_WRITE, 0};
	avail->ring[0] = 0;
	__atomic_store_n(&avail->idx, 1, __ATOMIC_RELEASE);
	ck_assert_int_eq(write(f.kick[1], &one, sizeof(one)), sizeof(one));

	ck_assert_msg(poll(&p, 1, 10000) == 1, "no call from virtiofsd");
	ck_assert_uint_eq(__atomic_load_n(&used->idx, __ATOMIC_ACQUIRE), 1);
	ck_assert_uint_eq(used->ring[0].id, 0);
	out = (void *)(f.ram + REPLY_GPA);
	init_out = (void *)(out + 1);
	ck_assert_uint_eq(used->ring[0].len, out->len);
	ck_assert_int_eq(out->error, 0);
	ck_assert_uint_eq(out->unique, FUSE_UNIQUE);
	ck_assert_uint_eq(init_out->major, FUSE_KERNEL_VERSION);
	ck_assert_msg(!vu_stop_queue(&f.c, 1, &base, &err), "%s", err.msg);
	ck_assert_uint_eq(base, 1);
	fs_device_stop(&f);
}
END_TEST

START_TEST(test_backend_killed)
{
	struct lg_error err = {""};
	struct vu_conn c;
	uint32_t base;

	connect_and_handshake(&c);
	kill(backend, SIGKILL);
	waitpid(backend, NULL, 0);
	backend = -1;
	ck_assert_int_eq(vu_stop_queue(&c, 0, &base, &err), -1);
	ck_assert_msg(strstr(err.msg, "GET_VRING_BASE"), "said '%s'", err.msg);
	ck_assert_int_eq(vu_set_features(&c, 0, &err), -1);
	ck_assert_msg(strstr(err.msg, "SET_FEATURES"), "said '%s'", err.msg);
	vu_close(&c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* --share: virtiofsd started and stopped by the launcher             */
/* ------------------------------------------------------------------ */

static char host_dir[] = "/tmp/lguest-share-XXXXXX";

static void make_host_dir(void)
{
	if (!mkdtemp(host_dir)) {
		perror("test_vhost_user: temporary directory");
		exit(1);
	}
}

static void remove_host_dir(void)
{
	rmdir(host_dir);
	strcpy(host_dir, "/tmp/lguest-share-XXXXXX");
}

/* Gone, or a zombie nobody reaps yet: either way not serving. */
static bool process_gone(pid_t pid)
{
	char path[64], line[256];
	bool zombie = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6))
			zombie = strchr(line, 'Z') != NULL;
	fclose(f);
	return zombie;
}

START_TEST(test_share_serves_and_stops)
{
	struct virtiofsd d;
	struct lg_error err;
	struct vu_conn c;
	pid_t pid;

	ck_assert_msg(
		!virtiofsd_start(&d, VIRTIOFSD_PATH, host_dir, false, &c, &err),
		"%s", err.msg);
	ck_assert_int_eq(access(d.socket, F_OK), -1); /* connected: gone */
	ck_assert_msg(!vu_handshake(&c, 2, &err), "%s", err.msg);
	vu_close(&c);
	pid = d.pid;
	virtiofsd_stop(&d);
	ck_assert(process_gone(pid));
}
END_TEST

/*
 * With ro, virtiofsd sees the share read-only: creating a file through
 * its root (/proc/PID/root, virtiofsd's mounts: the share itself once it
 * has chrooted, which it does on connecting, so after the handshake)
 * fails with EROFS.  Read-write, the same creation works.
 */
static int create_as_backend(bool ro)
{
	char path[128];
	struct virtiofsd d;
	struct vu_conn c;
	struct lg_error err;
	int fd, e;

	ck_assert_msg(
		!virtiofsd_start(&d, VIRTIOFSD_PATH, host_dir, ro, &c, &err),
		"%s", err.msg);
	ck_assert_msg(!vu_handshake(&c, 2, &err), "%s", err.msg);
	snprintf(path, sizeof(path), "/proc/%d/root/probe", d.pid);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	e = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	vu_close(&c);
	virtiofsd_stop(&d);
	unlink(path);
	snprintf(path, sizeof(path), "%s/probe", host_dir);
	unlink(path);
	return e;
}

START_TEST(test_share_read_only)
{
	ck_assert_int_eq(create_as_backend(false), 0);
	ck_assert_int_eq(create_as_backend(true), EROFS);
}
END_TEST

/*
 * The launcher SIGKILLed: its virtiofsd goes too.  Once connected, the
 * connection closing ends virtiofsd; PR_SET_PDEATHSIG covers the moment
 * before (this test cannot reach that window).
 */
START_TEST(test_share_dies_with_launcher)
{
	struct timespec tick = {0, 20 * 1000 * 1000};
	pid_t launcher, pid = 0;
	int p[2], i;

	ck_assert_int_eq(pipe(p), 0);
	launcher = fork();
	ck_assert_int_ge(launcher, 0);
	if (launcher == 0) {
		struct virtiofsd d;
		struct lg_error err;
		struct vu_conn c;

		if (virtiofsd_start(&d, VIRTIOFSD_PATH, host_dir, false, &c,
				    &err))
			_exit(1);
		if (write(p[1], &d.pid, sizeof(d.pid)) != sizeof(d.pid))
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &pid, sizeof(pid)), sizeof(pid));
	close(p[0]);
	ck_assert(!process_gone(pid));
	kill(launcher, SIGKILL);
	waitpid(launcher, NULL, 0);
	for (i = 0; i < 250 && !process_gone(pid); i++)
		nanosleep(&tick, NULL);
	ck_assert_msg(process_gone(pid), "virtiofsd %d outlived the launcher",
		      pid);
}
END_TEST

START_TEST(test_share_bad_input)
{
	struct virtiofsd d;
	struct lg_error err;
	struct vu_conn c;

	ck_assert_int_eq(virtiofsd_start(&d, VIRTIOFSD_PATH, "/nonexistent/dir",
					 false, &c, &err),
			 -1);
	ck_assert_msg(strstr(err.msg, "--share=/nonexistent/dir: No such"),
		      "%s", err.msg);
	ck_assert_int_eq(virtiofsd_start(&d, VIRTIOFSD_PATH, "/etc/passwd",
					 false, &c, &err),
			 -1);
	ck_assert_msg(strstr(err.msg, "not a directory"), "%s", err.msg);
	ck_assert_int_eq(
		virtiofsd_start(&d, "/bin/false", host_dir, false, &c, &err),
		-1);
	ck_assert_msg(strstr(err.msg, "exited with status 1 before making its "
				      "socket"),
		      "%s", err.msg);
	ck_assert_int_eq(d.pid, 0);
	ck_assert_int_eq(d.dir[0], 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vhost_user");
	TCase *tc = tcase_create("virtiofsd");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, make_dirs, remove_dirs);
	tcase_add_checked_fixture(tc, start_backend, stop_backend);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_handshake);
	tcase_add_test(tc, test_queues_start_and_stop);
	tcase_add_test(tc, test_fuse_init_round_trip);
	tcase_add_test(tc, test_backend_killed);
	suite_add_tcase(s, tc);
	tc = tcase_create("share");
	tcase_add_unchecked_fixture(tc, make_host_dir, remove_host_dir);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_share_serves_and_stops);
	tcase_add_test(tc, test_share_read_only);
	tcase_add_test(tc, test_share_dies_with_launcher);
	tcase_add_test(tc, test_share_bad_input);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
