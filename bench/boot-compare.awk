# Reads the tagged transcript of bench/compare-outer.sh (see
# bench/run-boot-compare.sh) and prints the medians per case and VMM and
# lguest/QEMU.  Run as awk -f bench/median.awk -f bench/boot-compare.awk.
function row(label, key,    l, q) {
	l = median(key " lguest"); q = median(key " qemu")
	printf "%-40s %7s %7s %6s  %-11s %-11s %d/%d\n", label,
		l < 0 ? "failed" : sprintf("%.2f", l),
		q < 0 ? "failed" : sprintf("%.2f", q),
		(l > 0 && q > 0) ? sprintf("%.2f", l / q) : "-",
		spread(key " lguest"), spread(key " qemu"),
		n[key " lguest"], n[key " qemu"]
}
$1 == "LGCMP-MARKER" { add("marker " $3 " " $2, $5 - $6) }
$1 == "LGCMP-EXIT" && !bad[$2 " " $3 " " $4] { add("exit " $3 " " $2, $5 - $6) }
$1 == "LGCMP-ERROR" { bad[$2 " " $3 " " $4] = 1; errors++ }
END {
	printf "Boot under lguest and QEMU -M pc in one nested host, medians of %d alternating rounds (s)\n", runs
	printf "%-40s %7s %7s %6s  %-11s %-11s %s\n", "", "lguest", "QEMU pc",
		"ratio", "lguest span", "QEMU span", "boots"
	row("quiet: launch to power-off", "exit quiet")
	row("quiet: launch to /init marker", "marker quiet")
	row("full console: launch to power-off", "exit full")
	row("full console: launch to /init marker", "marker full")
	row("lgtest initramfs: launch to boot marker", "marker lgtest")
	if (errors) printf "(%d boots never showed their marker; not counted)\n", errors
	exit errors > 0
}