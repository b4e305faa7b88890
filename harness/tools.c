// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools.h"
#include "util.h"

/* The directory lgtest's own executable is in. */
static const char *self_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n;
	char *slash;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0) {
		strcpy(dir, ".");
		return dir;
	}
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return dir;
}

const char *tools_root(void)
{
	static char *root;
	const char *env = getenv("LGTEST_ROOT");

	char *parent;

	if (root)
		return root;
	if (env && *env)
		return root = xstrdup(env);
	parent = xasprintf("%s/..", self_dir());
	root = realpath(parent, NULL);
	if (!root)
		root = parent;
	else
		free(parent);
	return root;
}

char *tool_path(const char *rel)
{
	return xasprintf("%s/%s", tools_root(), rel);
}

char *sibling_program(const char *name)
{
	char *path = xasprintf("%s/%s", self_dir(), name);

	if (!access(path, X_OK))
		return path;
	free(path);
	return NULL;
}

char *cache_dir(void)
{
	const char *env = getenv("CACHE");

	return env && *env ? xstrdup(env) : tool_path(".cache");
}

bool have_program(const char *program)
{
	const char *path = getenv("PATH"), *p, *colon;
	char *full;
	bool found = false;

	if (strchr(program, '/'))
		return !access(program, X_OK);
	for (p = path ? path : "/usr/bin:/bin"; !found && *p; p = colon + 1) {
		colon = strchrnul(p, ':');
		full = xasprintf("%.*s/%s", (int)(colon - p), p, program);
		found = !access(full, X_OK);
		free(full);
		if (!*colon)
			break;
	}
	return found;
}

char *run_tool(char *const argv[], char **err)
{
	struct buf out = {0};
	char chunk[4096];
	int fds[2], ws;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		*err = xasprintf("pipe: %s", strerror(errno));
		return NULL;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		execvp(argv[0], argv);
		dprintf(2, "lgtest: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_add(&out, chunk, (size_t)n);
	}
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &ws, 0) < 0 || !WIFEXITED(ws) ||
	    WEXITSTATUS(ws)) {
		*err = pid < 0 ? xasprintf("fork: %s", strerror(errno))
			       : xasprintf("%s failed (see its messages "
					   "above)",
					   argv[0]);
		buf_free(&out);
		return NULL;
	}
	buf_add(&out, "", 0);
	while (out.len && strchr(" \t\r\n", out.data[out.len - 1]))
		out.data[--out.len] = '\0';
	return out.data;
}
