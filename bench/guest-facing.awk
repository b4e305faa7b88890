# The guest-facing coverage of one fuzz target, for bench/run-fuzz.sh.
# Reads `llvm-cov report -show-functions` of the target's files (and of
# the files it includes functions from) on stdin; -v t=TARGET, -v
# files="the target's own files", -v scope=fuzz/coverage-exclude.txt.
# Sums llvm-cov's own per-function line and branch counts over the
# functions kept, so the figures are exactly llvm-cov's.  Exit 1 when a
# line of the scope file names a function the report does not have.

function pct(covered, total)
{
	return total ? sprintf("%.1f%%", 100 * covered / total) : "-"
}

# Is the report's absolute path `path` the relative file `rel`?
function is_file(path, rel)
{
	return path == rel || substr(path, length(path) - length(rel)) == "/" rel
}

BEGIN {
	while ((getline line < scope) > 0) {
		if (line ~ /^[ \t]*(#|$)/)
			continue
		split(line, f, /[ \t]+/)
		if (f[1] != t)
			continue
		if (f[2] ~ /^\+/) {
			name = substr(f[2], 2)
			inc_file[name] = name
			sub(/:[^:]*$/, "", inc_file[name])
			inc_func[name] = name
			sub(/^.*:/, "", inc_func[name])
		} else {
			excluded[f[2]] = 0
		}
	}
	close(scope)
	nfiles = split(files, own, /[ \t]+/)
}

/^File '/ {
	path = $0
	sub(/^File '/, "", path)
	sub(/':$/, "", path)
	mine = 0
	for (i = 1; i <= nfiles; i++)
		if (own[i] != "" && is_file(path, own[i]))
			mine = 1
	next
}

$1 == "Name" {
	lines_col = branches_col = 0
	for (i = 2; i <= NF; i++) {
		if ($i == "Lines")
			lines_col = i
		else if ($i == "Branches")
			branches_col = i
	}
	next
}

lines_col && NF >= lines_col + 2 && $1 != "TOTAL" && $1 !~ /^-+$/ {
	fn = $1
	sub(/^.*:/, "", fn)
	keep = 0
	if (mine) {
		if (fn in excluded) {
			excluded[fn]++
			n_excluded++
		} else {
			keep = 1
		}
	} else {
		for (name in inc_func)
			if (inc_func[name] == fn && is_file(path, inc_file[name])) {
				keep = 1
				included[name] = 1
			}
	}
	if (!keep)
		next
	l = $lines_col
	lm = $(lines_col + 1)
	b = branches_col ? $branches_col : 0
	bm = branches_col ? $(branches_col + 1) : 0
	n_kept++
	lines += l
	lines_missed += lm
	branches += b
	branches_missed += bm
	if (l && (l - lm) < 0.9 * l)
		below[++n_below] = sprintf("      %-38s lines %6s (%d of %d missed)  branches %6s",
					   $1, pct(l - lm, l), lm, l, pct(b - bm, b))
}

END {
	bad = 0
	for (fn in excluded)
		if (!excluded[fn]) {
			printf "  guest-facing: %s: excluded function '%s' is not in %s's files\n",
			       scope, fn, t
			bad = 1
		}
	for (name in inc_func)
		if (!(name in included)) {
			printf "  guest-facing: %s: included function '%s' not found\n",
			       scope, name
			bad = 1
		}
	printf "  guest-facing: lines %s branches %s over %d functions; excluded: %d functions, see %s\n",
	       pct(lines - lines_missed, lines), pct(branches - branches_missed, branches),
	       n_kept, n_excluded, scope
	if (n_below) {
		print "    guest-facing functions below 90% of lines:"
		for (i = 1; i <= n_below; i++)
			print below[i]
	}
	exit bad
}
