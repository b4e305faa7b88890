// SPDX-License-Identifier: GPL-2.0
/*
 * Startup cost: run a command N times (exec to exit) and print the median
 * wall time, CPU time (user + system, from wait4) and peak RSS of each
 * configuration.  Usage: startup [-n RUNS] NAME -- CMD ARGS... [+ NAME --
 * CMD ARGS...]; configurations are separated by a lone "+".
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000

struct sample {
	double wall_ms, cpu_ms, rss_mib;
	int status;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct sample run_once(char **cmd)
{
	struct sample s = { 0 };
	struct rusage ru;
	double start = now_ms();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		err(2, "fork");
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		err(2, "wait4");
	s.wall_ms = now_ms() - start;
	s.cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		   (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	s.rss_mib = ru.ru_maxrss / 1024.0;
	s.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void measure(const char *name, char **cmd, int runs)
{
	static double wall[MAX_RUNS], cpu[MAX_RUNS], rss[MAX_RUNS];
	int i, status = -1;

	for (i = 0; i < runs; i++) {
		struct sample s = run_once(cmd);

		wall[i] = s.wall_ms;
		cpu[i] = s.cpu_ms;
		rss[i] = s.rss_mib;
		status = s.status;
	}
	printf("%-28s wall %8.2f ms  cpu %7.2f ms  rss %7.2f MiB  (median of %d, exit %d)\n",
	       name, median(wall, runs), median(cpu, runs), median(rss, runs),
	       runs, status);
}

int main(int argc, char **argv)
{
	int runs = 20, i = 1;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		runs = atoi(argv[2]);
		i = 3;
	}
	if (runs < 1 || runs > MAX_RUNS)
		errx(2, "runs must be 1..%d", MAX_RUNS);
	while (i < argc) {
		const char *name = argv[i];
		int start, end;

		if (i + 2 >= argc || strcmp(argv[i + 1], "--"))
			errx(2, "usage: startup [-n RUNS] NAME -- CMD... [+ NAME -- CMD...]");
		start = i + 2;
		for (end = start; end < argc && strcmp(argv[end], "+"); end++)
			;
		argv[end < argc ? end : argc] = NULL;
		measure(name, argv + start, runs);
		i = end + 1;
	}
	return 0;
}
