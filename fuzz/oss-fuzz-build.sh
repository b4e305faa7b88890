#!/usr/bin/env bash
# Build every fuzz target as OSS-Fuzz / ClusterFuzzLite expects: compile
# with $CC $CFLAGS, link with $LIB_FUZZING_ENGINE, leave <target> (plus
# <target>.dict and <target>_seed_corpus.zip) in $OUT.  Run from any
# directory; $WORK (default: a temporary directory) holds the objects.
#
# Here: CC=clang CFLAGS="-fsanitize=address,fuzzer-no-link" \
#       LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out fuzz/oss-fuzz-build.sh
set -euo pipefail
# set -e alone stops with no word of what failed: say which command did.
trap 'echo "oss-fuzz-build: failed (status $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

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
flags=(-std=gnu11 -D_GNU_SOURCE -Ilauncher -Ifuzz -Iharness -Itests/lib
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

# <target>_seed_corpus.zip from whichever of seeds/ and regressions/ the
# target has (insn has no regressions/: find would fail on it).
seed_corpus() {
	local dirs=() d
	for d in seeds regressions; do
		[ -d "corpora/$1/$d" ] && dirs+=("$d")
	done
	[ ${#dirs[@]} -gt 0 ] && command -v zip >/dev/null || return 0
	rm -f "$OUT/${1}_seed_corpus.zip"
	(cd "corpora/$1" && find "${dirs[@]}" -type f ! -name 'README*' |
		zip -q -j "$OUT/${1}_seed_corpus.zip" -@)
}

# What the targets share (guarded buffers, tests/lib's fake platform and
# mock driver), and for the console target, which fuzzes lgtest's
# parsers, the harness library.
support_objs=()
for c in fuzz/guarded.c tests/lib/*.c; do
	o=$work/${c%.c}.o
	mkdir -p "$(dirname "$o")"
	# shellcheck disable=SC2086
	$CC $CFLAGS "${flags[@]}" -c -o "$o" "$c"
	support_objs+=("$o")
done
harness_objs=()
for c in harness/*.c fuzz/console_check.c; do
	[ "$c" = harness/main.c ] && continue
	o=$work/${c%.c}.o
	mkdir -p "$(dirname "$o")"
	# shellcheck disable=SC2086
	$CC $CFLAGS "${flags[@]}" -c -o "$o" "$c"
	harness_objs+=("$o")
done

targets=(vring loader insn pci console vhost_user)
built=0
for t in "${targets[@]}"; do
	[ -f "fuzz/$t.c" ] || continue
	extra=()
	[ "$t" = console ] && extra=("${harness_objs[@]}" -lm)
	if [ "$t" = vring ]; then
		$CC $CFLAGS "${flags[@]}" -c -o "$work/vring_ref.o" fuzz/vring_ref.c
		extra=("$work/vring_ref.o")
	fi
	# shellcheck disable=SC2086
	$CC $CFLAGS "${flags[@]}" -c -o "$work/$t.o" "fuzz/$t.c"
	# shellcheck disable=SC2086
	${CXX:-$CC} $CFLAGS $LIB_FUZZING_ENGINE -o "$OUT/$t" "$work/$t.o" \
		"${lib_objs[@]}" "${support_objs[@]}" "${extra[@]}" -lpthread
	[ -f "fuzz/dict/$t.dict" ] && cp "fuzz/dict/$t.dict" "$OUT/$t.dict"
	seed_corpus "$t"
	echo "oss-fuzz-build: $OUT/$t"
	built=$((built + 1))
done
if [ "$built" -eq 0 ]; then
	echo "oss-fuzz-build: no fuzz targets found in $src/fuzz" >&2
	exit 1
fi
