#!/usr/bin/env bash
# Install the Debian packages lguest's build, tests and nested test host
# need.  Run as root (CI is); as another user it says what is missing.
set -euo pipefail

if [ $# -gt 0 ]; then
	echo "Usage: ci/install-deps.sh" >&2
	echo "Installs (as root) or checks (otherwise) the Debian packages lguest needs." >&2
	[ "$1" = --help ] || [ "$1" = -h ]
	exit $?
fi

packages=(build-essential pkg-config check busybox-static cpio
	  qemu-system-x86 zstd xz-utils kmod ca-certificates
	  afl++ clang llvm zip perl iproute2 e2fsprogs jq libxml2-utils)

if [ "$(id -u)" != 0 ]; then
	missing=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>&1 |
		  awk '$2 != "installed" {print $1}' | sed 's/^dpkg-query:.*no packages found matching //')
	if [ -n "$missing" ]; then
		echo "install-deps: not root; please install: $missing" >&2
		exit 1
	fi
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
