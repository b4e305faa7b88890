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
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net_backends.h"

#define MAC_TEXT_LEN 17	/* "52:54:00:12:34:56" */

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

static bool try_connect(struct share_backend *s)
{
	int fd = new_socket();

	if (fd < 0)
		return false;
	if (connect(fd, (struct sockaddr *)&s->addr, sizeof(s->addr)) == 0) {
		s->conn_fd = fd;
		watch(s, fd);
		return true;
	}
	close(fd);
	return false;
}

/*
 * Nobody there: listen ourselves.  We hold the rendezvous lock, so no
 * other launcher is between bind() and listen() right now: a socket file
 * whose connect was refused belongs to a dead launcher and may go.  Any
 * other failure (a full backlog, say) may mean a live one, left alone.
 */
static bool try_listen(struct share_backend *s, bool stale)
{
	struct stat st;
	int fd = new_socket();

	if (fd < 0)
		return false;
	if (stale && stat(s->addr.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(s->addr.sun_path);
	if (bind(fd, (struct sockaddr *)&s->addr, sizeof(s->addr)) ||
	    listen(fd, 1)) {
		close(fd);
		return false;
	}
	s->listen_fd = fd;
	watch(s, fd);
	return true;
}

/*
 * Connect, or else listen, as one step under an flock on PATH.lock:
 * without it, a launcher connecting between another's bind() and
 * listen() is refused, takes the file for a dead one's and replaces it,
 * and the two end up listening apart.  The kernel drops a dead
 * launcher's lock with it.
 */
static int establish(struct share_backend *s)
{
	char lock_path[sizeof(s->addr.sun_path) + 8];
	int lock, tries, ret = -1;

	snprintf(lock_path, sizeof(lock_path), "%s.lock", s->addr.sun_path);
	lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX)) {
		if (lock >= 0)
			close(lock);
		return -1;
	}
	for (tries = 0; tries < 10 && ret; tries++) {
		if (try_connect(s))
			ret = 0;
		else if ((errno == ECONNREFUSED || errno == ENOENT) &&
			 try_listen(s, errno == ECONNREFUSED))
			ret = 0;
		else
			usleep(10000);	/* a full backlog: the peer is busy */
	}
	close(lock);
	return ret;
}

static void drop_peer(struct share_backend *s)
{
	pthread_mutex_lock(&s->lock);
	if (s->conn_fd >= 0) {
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->conn_fd, NULL);
		close(s->conn_fd);
		s->conn_fd = -1;
	}
	pthread_mutex_unlock(&s->lock);
	if (s->listen_fd < 0)
		establish(s);
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
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0 || establish(s))
		return lg_fail(err, "--sharenet: cannot connect to or listen on '%s': %s",
			       s->addr.sun_path, strerror(errno));
	s->b = (struct net_backend){ .name = "sharenet",
				     .where = s->addr.sun_path,
				     .input_fd = share_input_fd,
				     .recv = share_recv,
				     .send = share_send };
	return 0;
}
