# Shared by the boot benchmarks' awk programs (awk -f bench/median.awk
# -f PROGRAM): add(key, x) records a sample, median(key) is the median of
# a key's samples (-1 when it has none), n[key] their count.
function add(key, x) { val[key, ++n[key]] = x }
function median(key,    i, j, m, v, t) {
	m = n[key]
	if (!m) return -1
	for (i = 1; i <= m; i++) v[i] = val[key, i]
	for (i = 1; i <= m; i++)
		for (j = i + 1; j <= m; j++)
			if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
# "min-max" of a key's samples, for how far the rounds spread.
function spread(key,    i, lo, hi) {
	if (!n[key]) return "-"
	lo = hi = val[key, 1]
	for (i = 2; i <= n[key]; i++) {
		if (val[key, i] < lo) lo = val[key, i]
		if (val[key, i] > hi) hi = val[key, i]
	}
	return sprintf("%.1f-%.1f", lo, hi)
}
