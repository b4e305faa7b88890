# Reads the tagged transcript of bench/profile-outer.sh (see
# bench/run-boot-profile.sh) and prints, per mode, medians over the
# rounds: launch to marker and to exit, the kernel milestones, the largest
# gaps of the last round's kernel logs, and the last lguest --stats report.
# Run as awk -f bench/median.awk -f bench/boot-profile.awk.
function fmt(x) { return x < 0 ? "-" : sprintf("%.3f", x) }
function ratio(a, b) { return (a > 0 && b > 0) ? sprintf("%.2f", a / b) : "-" }
BEGIN {
	# label, then the text that starts the dmesg line (after its stamp)
	nm = split("kernel start|Linux version;" \
		"TSC known or calibrated|tsc: ;" \
		"delay loop (lpj)|Calibrating delay loop;" \
		"APIC timer / IO-APIC|..TIMER;" \
		"x2apic / APIC mode|APIC: Switch;" \
		"SMP brought up|smp: Brought up;" \
		"devtmpfs|devtmpfs: initialized;" \
		"ACPI interpreter|ACPI: Interpreter enabled;" \
		"PCI host bridge|PCI host bridge to bus;" \
		"clocksource switch|clocksource: Switched to clocksource;" \
		"initramfs unpacked|Freeing initrd memory;" \
		"8250 driver|Serial: 8250/16550 driver;" \
		"serial console on|printk: console \\[ttyS0\\] enabled;" \
		"kernel image freed|Freeing unused kernel image;" \
		"run /init|Run /init as init process", ms, ";")
	for (i = 1; i <= nm; i++) {
		split(ms[i], p, "|")
		mlabel[i] = p[1]; mpat[i] = "^" p[2]
	}
}
$1 == "LGPROF-MARKER" { add("marker " $2 " " $3, $5 - $6) }
$1 == "LGPROF-EXIT" { add("exit " $2 " " $3, $5 - $6) }
$1 == "LGPROF-ERROR" { err[$2 " " $3]++ }
# LGPROF-KVM vmm mode round NAMES... :BEFORE... :AFTER...: KVM's counters.
$1 == "LGPROF-KVM" {
	split($0, part, ":")
	nn = split(part[1], names, " ")
	split(part[2], b, " "); split(part[3], a, " ")
	for (i = 5; i <= nn; i++) {
		kname[i - 4] = names[i]; nk = i - 4
		add("kvm " $2 " " $3 " " (i - 4), a[i - 4] - b[i - 4])
	}
}
$1 == "LGPROF-LINE" && $5 == "LGPROFILE-DMESG" {
	vmm = $2; mode = $3; round = $4
	line = $0; sub(/^.*LGPROFILE-DMESG /, "", line)
	if (!match(line, /^\[ *[0-9]+\.[0-9]+\] /)) next
	stamp = substr(line, 2, RLENGTH - 3) + 0
	text = substr(line, RLENGTH + 1)
	k = vmm " " mode " " round
	for (i = 1; i <= nm; i++)
		if (!((k, i) in seen) && text ~ mpat[i]) {
			seen[k, i] = 1
			add("m " vmm " " mode " " i, stamp)
		}
	if (round == runs) {
		g = stamp - last[vmm mode]
		if (nl[vmm mode]++ && g > 0)
			gaps[vmm mode] = gaps[vmm mode] sprintf("%09.3f %8.3f  %s\n", g, stamp, substr(text, 1, 70))
		last[vmm mode] = stamp
	}
}
$1 == "LGPROF-LINE" && $2 == "lguest" && $5 == "lguest" && $6 == "stats:" {
	line = $0; sub(/^.*lguest stats: /, "", line)
	if ($4 == 1) stats[$3] = stats[$3] line "\n"
}
END {
	nmodes = split(modes, mlist, " ")
	for (mi = 1; mi <= nmodes; mi++) {
		mode = mlist[mi]
		printf "\n=== %s console (console=ttyS0 panic=-1%s), medians of %d alternating rounds\n",
			mode, mode == "quiet" ? " quiet" : "", runs
		printf "%-32s %10s %10s %8s\n", "", "lguest", "QEMU pc", "ratio"
		l = median("marker lguest " mode); q = median("marker qemu " mode)
		printf "%-32s %10s %10s %8s\n", "launch to /init marker (s)", fmt(l), fmt(q), ratio(l, q)
		l = median("exit lguest " mode); q = median("exit qemu " mode)
		printf "%-32s %10s %10s %8s\n", "launch to exit (s)", fmt(l), fmt(q), ratio(l, q)
		printf "kernel milestones (dmesg s):\n"
		for (i = 1; i <= nm; i++) {
			l = median("m lguest " mode " " i); q = median("m qemu " mode " " i)
			if (l < 0 && q < 0) continue
			printf "  %-30s %10s %10s %8s\n", mlabel[i], fmt(l), fmt(q), ratio(l, q)
		}
		if (err["lguest " mode] || err["qemu " mode])
			printf "  (boots without the marker: lguest %d, QEMU %d)\n",
				err["lguest " mode], err["qemu " mode]
		for (v = 1; v <= 2; v++) {
			vmm = v == 1 ? "lguest" : "qemu"
			printf "largest gaps in the %s kernel log (round %d): gap s, at s, next line\n", vmm, runs
			fflush()
			cmd = "sort -r | head -8"
			printf "%s", gaps[vmm mode] | cmd
			close(cmd)
		}
		if (nk) {
			printf "KVM's counters in the nested host, per boot (all exits, in-kernel ones too):\n"
			for (i = 1; i <= nk; i++)
				printf "  %-30s %10d %10d\n", kname[i],
					median("kvm lguest " mode " " i), median("kvm qemu " mode " " i)
		}
		printf "lguest --stats (round 1):\n%s", stats[mode]
	}
}
