# bench/run-blk.sh's table (awk -f bench/median.awk -f THIS): blk-init.sh's
# "LGBENCH NAME SECONDS" lines after each "LGBENCH-VMM VMM", as MiB/s (the
# 64 MiB sequential runs) or us per request (2000 random reads), the
# median of each VMM's rounds with every round's figure beside it.
/LGBENCH-VMM/ { vmm = $2; if (!(vmm in seen)) { seen[vmm] = 1; vmms[++nv] = vmm } }
/^LGBENCH / {
	if (!($2 in isname)) { isname[$2] = 1; names[++nn] = $2 }
	v = $2 ~ /^seq/ ? 64 / $3 : $3 * 1e6 / 2000
	add(vmm SUBSEP $2, v)
	rounds[vmm, $2] = rounds[vmm, $2] sprintf(" %.1f", v)
}
/LGBENCH-ERROR/ { print "blk " vmm " " $2 ": dd failed"; bad = 1 }
END {
	for (i = 1; i <= nn; i++)
		for (k = 1; k <= nv; k++) {
			if (!((vmms[k], names[i]) in rounds)) continue
			unit = names[i] ~ /^seq/ ? "MiB/s" : "us per request"
			printf "blk %-17s %-22s %8.1f %-14s (rounds:%s)\n", vmms[k],
				names[i], median(vmms[k] SUBSEP names[i]), unit,
				rounds[vmms[k], names[i]]
		}
	exit bad
}
