#!/usr/bin/env bash
# Build every fuzz target as OSS-Fuzz / ClusterFuzzLite expects: compile
# with $CC $CFLAGS, link with $LIB_FUZZING_ENGINE, leave <target> (plus
# <target>.dict and <target>_seed_corpus.zip) in $OUT.  Run from any
# directory; $WORK (default: a temporary directory) holds the objects.
#
# Here: CC=clang CFLAGS="-fsanitize=address,fuzzer-no-link" \
#       LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out fuzz/oss-fuzz-build.sh
set -euo pipefail

if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
	sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
for v in CC CFLAGS LIB_FUZZING_ENGINE OUT; do
	if [ -z "${!v:-}" ]; then
		echo "oss-fuzz-build: \$$v is not set (see --help)" >&2
		exit 2
	fi
done

src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
work=${WORK:-$(mktemp -d)}
mkdir -p "$OUT" "$work"
flags=(-std=gnu11 -D_GNU_SOURCE -Ilauncher -Ifuzz
       -Wno-gnu-variable-sized-type-not-at-end)

# The launcher library: every launcher source but main.c, as the Makefile.
lib_objs=()
for c in launcher/*.c launcher/x86/*.c launcher/devices/*.c launcher/virtio/*.c; do
	[ "$c" = launcher/main.c ] && continue
	o=$work/lib/${c%.c}.o
	mkdir -p "$(dirname "$o")"
	# shellcheck disable=SC2086
	$CC $CFLAGS "${flags[@]}" -c -o "$o" "$c"
	lib_objs+=("$o")
done

built=0
for t in vring loader insn pci vhost_user; do
	[ -f "fuzz/$t.c" ] || continue
	# shellcheck disable=SC2086
	$CC $CFLAGS "${flags[@]}" -c -o "$work/$t.o" "fuzz/$t.c"
	# shellcheck disable=SC2086
	${CXX:-$CC} $CFLAGS $LIB_FUZZING_ENGINE -o "$OUT/$t" "$work/$t.o" \
		"${lib_objs[@]}" -lpthread
	[ -f "fuzz/dict/$t.dict" ] && cp "fuzz/dict/$t.dict" "$OUT/$t.dict"
	if [ -d "corpora/$t" ] && command -v zip >/dev/null; then
		rm -f "$OUT/${t}_seed_corpus.zip"
		(cd "corpora/$t" && find seeds regressions -type f ! -name 'README*' 2>/dev/null |
			zip -q -j "$OUT/${t}_seed_corpus.zip" -@)
	fi
	echo "oss-fuzz-build: $OUT/$t"
	built=$((built + 1))
done
if [ "$built" -eq 0 ]; then
	echo "oss-fuzz-build: no fuzz targets found in $src/fuzz" >&2
	exit 1
fi
