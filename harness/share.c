// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-fs shares and fs devices: their tags and values (see share.h).
 * Pure: the script parser and its fuzz target use it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share.h"

static const char tag_chars[] = "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

const char *share_tag_problem(const char *tag)
{
	if (!*tag)
		return "an empty tag";
	if (strlen(tag) > SHARE_TAG_MAX)
		return "longer than the 36 bytes virtio-fs has for a tag";
	if (strspn(tag, tag_chars) != strlen(tag))
		return "a tag may hold only letters, digits, '.', '_' and '-'";
	return NULL;
}

char *share_default_tag(const char *hostdir)
{
	size_t end = strlen(hostdir), start;
	char *tag;

	while (end > 1 && hostdir[end - 1] == '/')
		end--;
	for (start = end; start && hostdir[start - 1] != '/'; start--)
		;
	if (start == end)
		return xstrdup("root");
	tag = xstrndup(hostdir + start, end - start);
	if (strlen(tag) > SHARE_TAG_MAX)
		tag[SHARE_TAG_MAX] = '\0';
	return tag;
}

bool share_is_fs_device(const struct device *d)
{
	return !strcmp(d->kind, "share") || !strcmp(d->kind, "fs");
}

/* The tag is the last ':' field, after an optional ":ro" for a share. */
bool share_split(const struct device *d, struct share *out)
{
	bool share = !strcmp(d->kind, "share");
	size_t len = d->value ? strlen(d->value) : 0;
	const char *colon;

	memset(out, 0, sizeof(*out));
	if (!share_is_fs_device(d) || !len)
		return false;
	if (share && len > 3 && !strcmp(d->value + len - 3, ":ro")) {
		out->ro = true;
		len -= 3;
	}
	colon = memrchr(d->value, ':', len);
	if (!colon || colon == d->value)
		return false;
	out->path = xstrndup(d->value, (size_t)(colon - d->value));
	out->tag = xstrndup(colon + 1, len - (size_t)(colon + 1 - d->value));
	if (share_tag_problem(out->tag)) {
		share_free(out);
		return false;
	}
	return true;
}

void share_free(struct share *s)
{
	free(s->path);
	free(s->tag);
	memset(s, 0, sizeof(*s));
}

/* Every share and fs device's tag, in order; NULL-free list of n. */
static char **fs_tags(const struct config *cfg, size_t *n)
{
	char **tags = NULL;
	struct share sh;
	size_t i;

	*n = 0;
	for (i = 0; i < cfg->ndevices; i++) {
		if (!share_split(&cfg->devices[i], &sh))
			continue;
		*ARRAY_PUSH(&tags, n) = sh.tag;
		sh.tag = NULL;
		share_free(&sh);
	}
	return tags;
}

const char *share_duplicate_tag(const struct config *cfg)
{
	static __thread char dup[SHARE_TAG_MAX + 1];
	size_t n, i, j;
	char **tags = fs_tags(cfg, &n);

	dup[0] = '\0';
	for (i = 0; i < n && !dup[0]; i++)
		for (j = i + 1; j < n && !dup[0]; j++)
			if (!strcmp(tags[i], tags[j]))
				snprintf(dup, sizeof(dup), "%s", tags[i]);
	for (i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
	return dup[0] ? dup : NULL;
}
