/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What lgtest uses from the tree it was built in: the launcher binaries
 * beside it in bin/, the shell tools of tests/boot/ and ci/ (the nested
 * host, the initramfs builder, the kernel fetcher), the cache directory,
 * and a way to run such a tool and take what it prints.
 */
#ifndef LGTEST_TOOLS_H
#define LGTEST_TOOLS_H

#include <stdbool.h>

/*
 * The source tree: $LGTEST_ROOT, else the parent of the directory lgtest
 * runs from (bin/lgtest in a checkout).  Never NULL.
 */
const char *tools_root(void);

/* root/rel, allocated. */
char *tool_path(const char *rel);

/* A program beside lgtest (bin/NAME), or NULL when there is none. */
char *sibling_program(const char *name);

/* $CACHE, else root/.cache; allocated. */
char *cache_dir(void);

/* Is PROGRAM on PATH (or, with a slash, an executable file)? */
bool have_program(const char *program);

/*
 * Run argv (its stderr goes to lgtest's) and return its standard output
 * with trailing white space removed.  On failure returns NULL with err
 * saying which tool failed and how.
 */
char *run_tool(char *const argv[], char **err);

#endif
