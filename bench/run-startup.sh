#!/usr/bin/env bash
# Startup cost of a trivial guest: bin/lguest beside a bare KVM program
# and (where installed) QEMU's microvm booting the same ELF file.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-20}
guest=build/bench/trivial_guest.elf
args=(-n "$runs" bare-kvm -- build/bench/bare_kvm
      + "lguest (ELF32 guest)" -- bin/lguest 16 "$guest")
if command -v qemu-system-x86_64 >/dev/null && [ -z "${NO_QEMU:-}" ]; then
	# Probe first: QEMU with this machine's software KVM can hang.
	if timeout 10 qemu-system-x86_64 -M microvm -accel kvm -m 16 \
		-nodefaults -no-user-config -nographic -display none \
		-device isa-debug-exit,iobase=0xf4 -kernel "$guest" \
		>/dev/null 2>&1 || [ $? -eq 1 ]; then
		args+=(+ "qemu microvm (same ELF)" -- timeout 10 qemu-system-x86_64
		       -M microvm -accel kvm -m 16 -nodefaults -no-user-config
		       -nographic -display none -device isa-debug-exit,iobase=0xf4
		       -kernel "$guest")
	else
		echo "qemu microvm with KVM did not run the trivial guest here; not measured" >&2
	fi
fi
build/bench/startup "${args[@]}"
