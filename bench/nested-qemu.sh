# Sourced by the benchmarks that run QEMU inside the nested host
# (run-blk.sh, run-smp.sh): qemu_adds fills the array `adds` with the
# nested.sh --add options that put this machine's qemu-system-x86_64, its
# shared libraries and its firmware at the same paths in the host.
qemu_adds() {
	local qemu lib dir
	qemu=$(command -v qemu-system-x86_64)
	adds=(--add "$qemu:/usr/bin/qemu-system-x86_64")
	# Its firmware, at the paths QEMU was built to search.
	for dir in /usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu; do
		[ -d "$dir" ] && adds+=(--add "$dir:$dir")
	done
	while read -r lib; do
		adds+=(--add "$(readlink -f "$lib"):$lib")
	done < <(ldd "$qemu" | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
}
