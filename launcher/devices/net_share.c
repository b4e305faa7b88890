// SPDX-License-Identifier: GPL-2.0
/*
 * --sharenet: the seed's inter-guest network RFC, made safe.  The RFC
 * had two launchers copy straight between each other's virtqueues, which
 * meant mapping the peer's memory.  Here each launcher only ever touches
 * its own guest: packets cross a unix SOCK_SEQPACKET socket, one message
 * per packet, so a peer can send garbage but never reach our memory.
 *
 * Nothing here blocks: a peer that stops reading makes us drop packets,
 * and a peer that dies makes the survivor drop packets until the next one
 * arrives.  Whoever finds nobody listening becomes the listener.
 *
 * Meeting again after a peer died means opening the lock file, maybe
 * deleting a dead socket file, connecting or binding: calls no thread
 * that touches guest memory should hold.  So once the launcher locks
 * itself down, a helper process does it (share_helper_start) and hands
 * the new socket back over SCM_RIGHTS; the net threads only ask.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net_backends.h"

#define MAC_TEXT_LEN 17	/* "52:54:00:12:34:56" */
#define SHARE_MAX 8	/* --sharenet devices one helper serves */

/* Every --sharenet, by index, for the helper's requests. */
static struct share_backend *shares[SHARE_MAX];
static unsigned int nshares;
static int helper_fd = -1;	/* our end of the helper's socket pair */
static pthread_mutex_t helper_lock = PTHREAD_MUTEX_INITIALIZER;

/* The helper's answer: a socket that is connected, or listening. */
struct helper_reply {
	int32_t result;		/* 0, or an errno */
	uint8_t listening;
};

static struct share_backend *to_share(struct net_backend *b)
{
	return (struct share_backend *)b;
}

static void watch(struct share_backend *s, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int new_socket(void)
{
	return socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static int try_connect(const struct sockaddr_un *addr)
{
	int fd = new_socket();

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0)
		return fd;
	close(fd);
	return -1;
}

/*
 * Nobody there: listen ourselves.  We hold the rendezvous lock, so no
 * other launcher is between bind() and listen() right now: a socket file
 * whose connect was refused belongs to a dead launcher and may go.  Any
 * other failure (a full backlog, say) may mean a live one, left alone.
 */
static int try_listen(const struct sockaddr_un *addr, bool stale)
{
	struct stat st;
	int fd = new_socket();

	if (fd < 0)
		return -1;
	if (stale && stat(addr->sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(addr->sun_path);
	if (bind(fd, (const struct sockaddr *)addr, sizeof(*addr)) ||
	    listen(fd, 1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Connect, or else listen, as one step under an flock on PATH.lock:
 * without it, a launcher connecting between another's bind() and
 * listen() is refused, takes the file for a dead one's and replaces it,
 * and the two end up listening apart.  The kernel drops a dead
 * launcher's lock with it.  Returns the socket, or -1 with errno.
 */
static int establish(const struct sockaddr_un *addr, bool *listening)
{
	char lock_path[sizeof(addr->sun_path) + 8];
	int lock, tries, fd = -1, saved;

	snprintf(lock_path, sizeof(lock_path), "%s.lock", addr->sun_path);
	lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX)) {
		saved = errno;
		if (lock >= 0)
			close(lock);
		errno = saved;
		return -1;
	}
	for (tries = 0; tries < 10 && fd < 0; tries++) {
		*listening = false;
		fd = try_connect(addr);
		if (fd < 0 && (errno == ECONNREFUSED || errno == ENOENT)) {
			*listening = true;
			fd = try_listen(addr, errno == ECONNREFUSED);
		}
		if (fd < 0)
			usleep(10000);	/* a full backlog: the peer is busy */
	}
	saved = errno;
	close(lock);
	errno = saved;
	return fd;
}

/* A new connection or listener is ours: watch it for the receiver. */
static void install(struct share_backend *s, int fd, bool listening)
{
	pthread_mutex_lock(&s->lock);
	if (listening)
		s->listen_fd = fd;
	else
		s->conn_fd = fd;
	pthread_mutex_unlock(&s->lock);
	watch(s, fd);
}

/* One request to the helper: device `index`; the socket comes back. */
static int ask_helper(unsigned int index, bool *listening)
{
	struct helper_reply reply;
	struct iovec iov = { &reply, sizeof(reply) };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	uint8_t req = (uint8_t)index;
	struct cmsghdr *c;
	int fd = -1;
	ssize_t n;

	pthread_mutex_lock(&helper_lock);
	if (write(helper_fd, &req, 1) == 1) {
		do
			n = recvmsg(helper_fd, &msg, MSG_CMSG_CLOEXEC);
		while (n < 0 && errno == EINTR);
		c = n == sizeof(reply) ? CMSG_FIRSTHDR(&msg) : NULL;
		if (c && c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		else if (n == sizeof(reply))
			errno = reply.result ? reply.result : EIO;
		else
			errno = EPIPE;
	}
	pthread_mutex_unlock(&helper_lock);
	*listening = fd >= 0 && reply.listening;
	return fd;
}

static void drop_peer(struct share_backend *s)
{
	bool listening;
	int fd;

	pthread_mutex_lock(&s->lock);
	if (s->conn_fd >= 0) {
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->conn_fd, NULL);
		close(s->conn_fd);
		s->conn_fd = -1;
	}
	pthread_mutex_unlock(&s->lock);
	if (s->listen_fd >= 0)
		return;
	fd = helper_fd >= 0 ? ask_helper(s->index, &listening) :
			      establish(&s->addr, &listening);
	if (fd >= 0)
		install(s, fd, listening);
}

/* A listener takes one peer at a time; a second caller is turned away. */
static void accept_peer(struct share_backend *s)
{
	int fd = accept4(s->listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	pthread_mutex_lock(&s->lock);
	if (s->conn_fd < 0) {
		s->conn_fd = fd;
		watch(s, fd);
		fd = -1;
	}
	pthread_mutex_unlock(&s->lock);
	if (fd >= 0)
		close(fd);
}

static int share_input_fd(struct net_backend *b)
{
	return to_share(b)->epfd;
}

static ssize_t share_recv(struct net_backend *b, const struct iovec *iov,
			  int n)
{
	struct share_backend *s = to_share(b);
	struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = n };
	ssize_t r;

	if (s->listen_fd >= 0)
		accept_peer(s);
	if (s->conn_fd < 0) {
		errno = EAGAIN;
		return -1;
	}
	r = recvmsg(s->conn_fd, &msg, MSG_DONTWAIT);
	if (r > 0 && (msg.msg_flags & MSG_TRUNC))
		return 0;	/* bigger than the guest's buffer: drop it */
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		drop_peer(s);
		errno = EAGAIN;
		return -1;
	}
	return r;
}

static ssize_t share_send(struct net_backend *b, const struct iovec *iov,
			  int n)
{
	struct share_backend *s = to_share(b);
	struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = n };
	ssize_t r = -1;

	pthread_mutex_lock(&s->lock);
	if (s->conn_fd >= 0)
		r = sendmsg(s->conn_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	else
		errno = ENOTCONN;
	pthread_mutex_unlock(&s->lock);
	return r;
}

int share_open(struct share_backend *s, const char *spec, uint8_t mac[6],
	       struct lg_error *err)
{
	size_t len = strlen(spec);
	bool listening;
	int fd;

	/* PATH:MAC when the spec ends in ":" and a 17-character MAC. */
	if (len > MAC_TEXT_LEN + 1 && spec[len - MAC_TEXT_LEN - 1] == ':' &&
	    parse_mac(spec + len - MAC_TEXT_LEN, mac) == 0)
		len -= MAC_TEXT_LEN + 1;
	memset(s, 0, sizeof(*s));
	s->listen_fd = s->conn_fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	s->addr.sun_family = AF_UNIX;
	if (len == 0 || len >= sizeof(s->addr.sun_path))
		return lg_fail(err, "--sharenet: socket path '%.*s' is empty or longer than %zu bytes",
			       (int)len, spec, sizeof(s->addr.sun_path) - 1);
	memcpy(s->addr.sun_path, spec, len);
	if (nshares == SHARE_MAX)
		return lg_fail(err, "--sharenet: at most %d of them", SHARE_MAX);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	fd = s->epfd < 0 ? -1 : establish(&s->addr, &listening);
	if (fd < 0)
		return lg_fail(err, "--sharenet: cannot connect to or listen on '%s': %s",
			       s->addr.sun_path, strerror(errno));
	install(s, fd, listening);
	s->index = nshares;
	shares[nshares++] = s;
	s->b = (struct net_backend){ .name = "sharenet",
				     .where = s->addr.sun_path,
				     .input_fd = share_input_fd,
				     .recv = share_recv,
				     .send = share_send };
	return 0;
}

/* Answer with the new socket, or with why there is none. */
static void reply(int sock, int fd, bool listening, int errnum)
{
	struct helper_reply r = { .result = fd >= 0 ? 0 : errnum,
				  .listening = listening };
	struct iovec iov = { &r, sizeof(r) };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	}
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 || fd < 0)
		return;
	close(fd);
}

/* The helper: one device index in, one socket out, until we go. */
static void __attribute__((noreturn)) helper_main(int sock)
{
	uint8_t req;
	bool listening = false;
	struct iovec iov = { &req, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	for (;;) {
		n = recvmsg(sock, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			_exit(0);	/* the launcher is gone */
		if (req >= nshares) {
			reply(sock, -1, false, EINVAL);
			continue;
		}
		n = establish(&shares[req]->addr, &listening);
		reply(sock, (int)n, listening, errno);
	}
}

/*
 * Fork the helper: before any thread starts and after the chroot and
 * user switch, so it meets peers where and as the launcher would.  It
 * keeps only its end of the socket pair (and stderr), dies with the
 * launcher, and confines itself with `confine`, if given.
 */
int share_helper_start(int (*confine)(struct lg_error *err),
		       struct lg_error *err)
{
	int sv[2];
	pid_t pid;

	if (!nshares)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return lg_fail(err, "--sharenet: cannot make the helper's socket pair: %s",
			       strerror(errno));
	pid = fork();
	if (pid < 0)
		return lg_fail(err, "--sharenet: cannot start the helper: %s",
			       strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(sv[1], 3) < 0)
			_exit(1);
		close_range(4, ~0U, 0);
		close(STDIN_FILENO);
		close(STDOUT_FILENO);
		if (confine && confine(err)) {
			fprintf(stderr, "lguest: %s\n", err->msg);
			_exit(1);
		}
		helper_main(3);
	}
	close(sv[1]);
	helper_fd = sv[0];
	return 0;
}
