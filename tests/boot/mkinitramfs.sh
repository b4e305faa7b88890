#!/bin/bash
# Build a small, deterministic initramfs (newc cpio, gzip or plain) from
# busybox-static, an /init script, extra files and kernel modules.  Used for
# both the nested test host's initramfs and the inner guest's.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: tests/boot/mkinitramfs.sh --init SCRIPT [options]

Builds a newc cpio archive holding busybox-static (with a symlink for every
applet in /bin; /sbin, /usr/bin and /usr/sbin point at /bin), the given /init
and files, /dev/console, and the given kernel modules with everything they
depend on.  The output depends only on the inputs' contents: file times are
zero, owners root, entries are sorted, gzip stores no name or time.

Options:
  --init SCRIPT          the /init to run (required)
  --file HOST:GUEST      copy HOST (a file or directory) to GUEST (absolute);
                         repeatable, modes are kept
  --modules-dir DIR      a kernel's lib/modules/<version> directory
  --module NAME          put module NAME (e.g. kvm-amd) and its depends=
                         modules in the image; repeatable, needs --modules-dir.
                         The image gets /lib/modules/load-order: one .ko path
                         per line, dependencies first, ready for insmod.
  --busybox PATH         busybox binary (default: /bin/busybox, which must be
                         static; Debian's busybox-static package)
  --compress gzip|none   default gzip (what the kernel unpacks fastest may
                         be none, at the price of a larger file)
  -o, --output FILE      write the image here; without it the path of the
                         cached image is printed on stdout
  --cache DIR            cache directory (default: $CACHE, else <repo>/.cache);
                         images are kept as DIR/initramfs/<sha256>.cpio[.gz]
  --no-cache             always build (the newest 32 cached images are kept)
  -v, --verbose          say what is being done, on stderr
  -h, --help             this text
EOF
}

die() { echo "mkinitramfs: error: $*" >&2; exit 1; }
verbose=0
log() { if [ "$verbose" = 1 ]; then echo "mkinitramfs: $*" >&2; fi; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
init=
files=()
modules=()
moddir=
busybox=/bin/busybox
compress=gzip
output=
cache=${CACHE:-$repo/.cache}
use_cache=1
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--init) init=${2:?--init needs a file}; shift 2 ;;
	--file) files+=("${2:?--file needs HOST:GUEST}"); shift 2 ;;
	--module) modules+=("${2:?--module needs a name}"); shift 2 ;;
	--modules-dir) moddir=${2:?--modules-dir needs a directory}; shift 2 ;;
	--busybox) busybox=${2:?--busybox needs a path}; shift 2 ;;
	--compress) compress=${2:?--compress needs gzip or none}; shift 2 ;;
	-o|--output) output=${2:?--output needs a file}; shift 2 ;;
	--cache) cache=${2:?--cache needs a directory}; shift 2 ;;
	--no-cache) use_cache=0; shift ;;
	-v|--verbose) verbose=1; shift ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
[ -n "$init" ] || { usage >&2; die "--init is required"; }
[ -f "$init" ] || die "init script '$init' not found"
[ -x "$busybox" ] || die "busybox '$busybox' not found (apt-get install busybox-static)"
[ "$use_cache" = 1 ] || [ -n "$output" ] || die "--no-cache needs --output"
case $compress in gzip) ext=cpio.gz ;; none) ext=cpio ;; *) die "--compress: gzip or none" ;; esac
# A dynamically linked busybox would not run in an image without libc.
if command -v file >/dev/null && file -L "$busybox" | grep -q 'dynamically linked'; then
	die "$busybox is dynamically linked; install busybox-static"
fi
if [ ${#modules[@]} -gt 0 ]; then
	[ -d "$moddir" ] || die "--module needs --modules-dir pointing at lib/modules/<version>"
fi

# ---- resolve modules: name -> .ko path, with depends= from .modinfo ----
declare -A ko_path=() done_mod=()
order=()
if [ ${#modules[@]} -gt 0 ]; then
	# Module names treat '-' and '_' alike; index every .ko once.
	while IFS= read -r -d '' f; do
		n=${f##*/}
		n=${n%.ko}
		ko_path[${n//-/_}]=$f
	done < <(find "$moddir" -name '*.ko' -print0)
fi

# The depends= line of a module's .modinfo section (no modinfo(8) needed:
# Debian's kernel package ships no modules.dep, and kmod may be absent).
ko_depends() {
	tr '\0' '\n' <"$1" | sed -n 's/^depends=\([A-Za-z0-9_,-]*\)$/\1/p' | head -n1 | tr ',' ' '
}

add_module() {
	local n=${1//-/_} d
	[ -z "${done_mod[$n]:-}" ] || return 0
	done_mod[$n]=visiting
	[ -n "${ko_path[$n]:-}" ] || die "module '$1' not found under $moddir"
	for d in $(ko_depends "${ko_path[$n]}"); do
		[ "${done_mod[${d//-/_}]:-}" != visiting ] || die "module dependency loop at $d"
		add_module "$d"
	done
	done_mod[$n]=finished
	order+=("$n")
}
for m in "${modules[@]}"; do add_module "$m"; done
[ ${#order[@]} -eq 0 ] || log "modules, in load order: ${order[*]}"

# ---- content hash of every input, for the cache ----
script_self=${BASH_SOURCE[0]}
hash_inputs() {
	{
		echo "format 1 $compress"
		sha256sum "$script_self" "$busybox" "$init" | cut -d' ' -f1
		for spec in "${files[@]}"; do
			echo "file ${spec#*:}"
			# A directory: every file's content with its relative
			# name, and every entry's name, mode and type.  A file:
			# its content and mode (not its host name).
			if [ -d "${spec%%:*}" ]; then
				(cd "${spec%%:*}" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum && find . -printf '%p %m %y\n' | LC_ALL=C sort)
			else
				sha256sum <"${spec%%:*}"
				stat -c '%a' "${spec%%:*}"
			fi
		done
		for n in "${order[@]}"; do echo "module $n"; sha256sum "${ko_path[$n]}" | cut -d' ' -f1; done
		[ ${#order[@]} -eq 0 ] || echo "moddir $(basename "$moddir")"
	} | sha256sum | cut -d' ' -f1
}

for spec in "${files[@]}"; do
	case $spec in *:/*) ;; *) die "--file wants HOST:/GUEST/PATH, got '$spec'" ;; esac
	[ -e "${spec%%:*}" ] || die "--file: '${spec%%:*}' not found"
done

cached=
if [ "$use_cache" = 1 ]; then
	mkdir -p "$cache/initramfs" || die "cannot create $cache/initramfs"
	cached=$cache/initramfs/$(hash_inputs).$ext
	if [ -s "$cached" ]; then
		log "cache hit: $cached"
		if [ -n "$output" ]; then cp "$cached" "$output"; else echo "$cached"; fi
		exit 0
	fi
fi

# ---- stage the tree ----
stage=$(mktemp -d "${TMPDIR:-/tmp}/mkinitramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc,root,lib/modules,usr}
chmod 1777 "$root/tmp"
ln -s bin "$root/sbin"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"
cp "$busybox" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done
cp "$init" "$root/init"
chmod 0755 "$root/init"
for spec in "${files[@]}"; do
	host=${spec%%:*} guest=${spec#*:}
	mkdir -p "$root$(dirname "$guest")"
	cp -a --no-preserve=ownership "$host" "$root$guest"
	log "added $host as $guest"
done
if [ ${#order[@]} -gt 0 ]; then
	ver=$(basename "$moddir")
	for n in "${order[@]}"; do
		rel=${ko_path[$n]#"$moddir"/}
		mkdir -p "$root/lib/modules/$ver/$(dirname "$rel")"
		cp "${ko_path[$n]}" "$root/lib/modules/$ver/$rel"
		echo "/lib/modules/$ver/$rel"
	done >"$root/lib/modules/load-order"
fi

# Write the newc archive ourselves: GNU cpio cannot add /dev/console without
# root (mknod), and /init needs it or it starts without stdio.  One entry:
# newc_hdr NAME MODE NLINK SIZE RDEVMAJOR RDEVMINOR, then data, padded to 4.
ino=0
newc_hdr() {
	local name=$1
	ino=$((ino + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$ino" "$2" 0 0 "$3" 0 "$4" 0 0 "$5" "$6" $((${#name} + 1)) 0
	printf '%s\0' "$name"
	# header (110 bytes) + name + NUL is padded to a multiple of 4
	pad $((110 + ${#name} + 1))
}
# Pad to a multiple of 4 with NULs; builtins only: this runs per entry.
pad() {
	case $(($1 % 4)) in
	1) printf '\0\0\0' ;;
	2) printf '\0\0' ;;
	3) printf '\0' ;;
	esac
}
write_newc() {
	local path perm type size link
	# Sorted, so the order (and so the bytes) never depend on the file system.
	(cd "$root" && find . -mindepth 1 -printf '%P\t%m\t%y\t%s\t%l\n' | LC_ALL=C sort) |
	while IFS=$'\t' read -r path perm type size link; do
		case $type in
		d) newc_hdr "$path" $((0040000 | 8#$perm)) 2 0 0 0
		   if [ "$path" = dev ]; then newc_hdr dev/console $((0020600)) 1 0 5 1; fi ;;
		f) newc_hdr "$path" $((0100000 | 8#$perm)) 1 "$size" 0 0
		   cat "$root/$path"; pad "$size" ;;
		l) newc_hdr "$path" $((0120777)) 1 ${#link} 0 0
		   printf '%s' "$link"; pad ${#link} ;;
		*) die "cannot archive $path (type $type)" ;;
		esac
	done
	newc_hdr 'TRAILER!!!' 0 1 0 0 0
}

tmpout=$stage/out.$ext
# LC_ALL=C: ${#name} must count bytes, not characters.
export LC_ALL=C
write_newc | if [ "$compress" = gzip ]; then gzip -n -6; else cat; fi >"$tmpout"
log "built $(du -h "$tmpout" | cut -f1) image"

if [ -n "$cached" ]; then
	mv "$tmpout" "$cached.tmp.$$" && mv "$cached.tmp.$$" "$cached"
	tmpout=$cached
	# Every rebuilt input (a new lgexit, say) makes a new image: keep only
	# the newest few so the cache does not grow without bound.
	find "$cache/initramfs" -maxdepth 1 -name '*.cpio*' -printf '%T@ %p\n' |
		sort -rn | tail -n +33 | cut -d' ' -f2- | xargs -r rm -f
fi
if [ -n "$output" ]; then
	cp "$tmpout" "$output"
else
	echo "$cached"
fi
