// SPDX-License-Identifier: GPL-2.0
/* virtio-fs: command-line arguments and configuration (see virtio_fs.h). */
#include <endian.h>
#include <string.h>

#include "virtio_fs.h"

/* "WHERE:TAG" with the last ':' as the split: socket paths may hold ':'. */
static int split_where_tag(const char *opt, const char *arg, size_t len,
			   struct virtio_fs_args *a, struct lg_error *err)
{
	const char *colon = memrchr(arg, ':', len);
	size_t where_len, tag_len;

	if (!colon)
		return lg_fail(err, "%s: no ':TAG' in '%s'", opt, arg);
	where_len = colon - arg;
	tag_len = len - where_len - 1;
	if (!where_len)
		return lg_fail(err, "%s: empty path before the tag in '%s'",
			       opt, arg);
	if (where_len >= sizeof(a->where))
		return lg_fail(err, "%s: path too long", opt);
	if (!tag_len || tag_len > VIRTIO_FS_TAG_MAX)
		return lg_fail(err, "%s: the tag must be 1 to %d bytes in '%s'",
			       opt, VIRTIO_FS_TAG_MAX, arg);
	memcpy(a->where, arg, where_len);
	a->where[where_len] = 0;
	memcpy(a->tag, colon + 1, tag_len);
	a->tag[tag_len] = 0;
	return 0;
}

int virtio_fs_parse_fs(const char *arg, struct virtio_fs_args *a,
		       struct lg_error *err)
{
	memset(a, 0, sizeof(*a));
	return split_where_tag("--fs", arg, strlen(arg), a, err);
}

int virtio_fs_parse_share(const char *arg, struct virtio_fs_args *a,
			  struct lg_error *err)
{
	size_t len = strlen(arg);
	const char *ro = len > 3 ? arg + len - 3 : NULL;

	memset(a, 0, sizeof(*a));
	/* "DIR:TAG:ro"; but "DIR:ro" is the tag "ro", read-write. */
	if (ro && !strcmp(ro, ":ro") && memchr(arg, ':', len - 3)) {
		a->read_only = true;
		len -= 3;
	}
	return split_where_tag("--share", arg, len, a, err);
}

void virtio_fs_config(struct virtio_fs_config *cfg, const char *tag,
		      unsigned int request_queues)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->tag, tag, strnlen(tag, sizeof(cfg->tag)));
	cfg->num_request_queues = htole32(request_queues);
}
