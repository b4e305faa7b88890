// SPDX-License-Identifier: GPL-2.0
/*
 * gen_seeds: every fuzz target's starting corpus, built from the real
 * structures (fuzz/seeds_<target>.c), so corpora/<target>/seeds is
 * generated, reviewable code rather than unexplained blobs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seeds.h"

/*
 * A target's generator is linked in once fuzz/seeds_<target>.c exists;
 * until then its weak symbol is NULL and the target is reported missing.
 */
#pragma weak seeds_vring
#pragma weak seeds_loader
#pragma weak seeds_insn
#pragma weak seeds_pci
#pragma weak seeds_console
#pragma weak seeds_vhost_user

static const struct {
	const char *name;
	void (*generate)(const char *dir);
} targets[] = {
	{ "vring", seeds_vring },
	{ "loader", seeds_loader },
	{ "insn", seeds_insn },
	{ "pci", seeds_pci },
	{ "console", seeds_console },
	{ "vhost_user", seeds_vhost_user },
};

#define N_TARGETS (sizeof(targets) / sizeof(targets[0]))

/* mkdir -p */
static void make_dirs(const char *dir)
{
	char path[4096];
	char *p;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		fprintf(stderr, "gen_seeds: path too long: %s\n", dir);
		exit(1);
	}
	for (p = path + 1;; p++) {
		char c = *p;

		if (c != '/' && c != 0)
			continue;
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST) {
			fprintf(stderr, "gen_seeds: cannot create %s: %s\n",
				path, strerror(errno));
			exit(1);
		}
		*p = c;
		if (!c)
			break;
	}
}

void seed_write(const char *dir, const char *name, const void *data,
		size_t len)
{
	char path[4096];
	FILE *f;

	make_dirs(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "gen_seeds: cannot write %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
}

/* Seeds renamed or dropped must not linger in a regenerated corpus. */
static void remove_old_seeds(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_type == DT_REG && unlinkat(dirfd(d), e->d_name, 0)) {
			fprintf(stderr, "gen_seeds: cannot remove %s/%s: %s\n",
				dir, e->d_name, strerror(errno));
			exit(1);
		}
	if (d)
		closedir(d);
}

static int generate_all(const char *corpora)
{
	unsigned int i, done = 0;

	for (i = 0; i < N_TARGETS; i++) {
		char dir[4096];

		if (!targets[i].generate) {
			printf("gen_seeds: %s: no generator linked in yet\n",
			       targets[i].name);
			continue;
		}
		snprintf(dir, sizeof(dir), "%s/%s/seeds", corpora,
			 targets[i].name);
		remove_old_seeds(dir);
		targets[i].generate(dir);
		printf("gen_seeds: %s: seeds in %s\n", targets[i].name, dir);
		done++;
	}
	return done ? 0 : 1;
}

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "Usage: gen_seeds TARGET DIR     write TARGET's seeds into DIR\n"
		   "       gen_seeds all CORPORA    regenerate CORPORA/<target>/seeds\n"
		   "Targets:");
	for (i = 0; i < N_TARGETS; i++)
		fprintf(f, " %s%s", targets[i].name,
			targets[i].generate ? "" : " (not built)");
	fprintf(f, "\n");
}

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc != 3) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "all"))
		return generate_all(argv[2]);
	for (i = 0; i < N_TARGETS; i++) {
		if (strcmp(argv[1], targets[i].name))
			continue;
		if (!targets[i].generate) {
			fprintf(stderr, "gen_seeds: target '%s' has no seed generator linked in\n",
				argv[1]);
			return 1;
		}
		targets[i].generate(argv[2]);
		return 0;
	}
	fprintf(stderr, "gen_seeds: unknown target '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
