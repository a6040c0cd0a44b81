# bench/net/summary.awk: the median of each figure over the runs of a
# candidate at one N.
#
# In:  net CAND N create_s first10_ms last10_ms teardown_s mem_before
#          mem_created mem_after slab_before slab_created slab_after
#          [charged_before charged_created] (memory cgroup, kB, or "-")
#      (one line per run; other lines are ignored; the two charged
#      fields are left out by older results)
# Out: netm CAND N RUNS create_ms_per_jail first10_ms last10_ms
#          removal_ms_per_jail kb_per_jail slab_kb_per_jail
#          kb_not_back_per_jail create_s removal_s charged_kb_per_jail
#      one line per candidate and N, in the order first seen; "-" where a
#      figure was not measured.  Each figure is derived per run first
#      (memory: drops within one run), then its median taken.
$1 == "net" {
	k = $2 SUBSEP $3
	if (!(k in runs))
		order[++nk] = k
	i = ++runs[k]
	n = $3
	v[k, 1, i] = $4 / n * 1000
	v[k, 2, i] = $5
	v[k, 3, i] = $6
	v[k, 4, i] = $7 / n * 1000
	v[k, 5, i] = ($8 - $9) / n
	v[k, 6, i] = ($12 - $11) / n
	v[k, 7, i] = ($8 - $10) / n
	v[k, 8, i] = $4
	v[k, 9, i] = $7
	v[k, 10, i] = NF >= 15 && $14 != "-" && $15 != "-" ? ($15 - $14) / n : "-"
}
function med(k, f,    i, j, m, a, t) {
	m = 0
	for (i = 1; i <= runs[k]; i++)
		if (v[k, f, i] != "-")
			a[++m] = v[k, f, i] + 0
	if (!m)
		return "-"
	for (i = 2; i <= m; i++)	# a handful of runs: insertion sort
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
END {
	for (j = 1; j <= nk; j++) {
		k = order[j]
		split(k, kn, SUBSEP)
		line = "netm " kn[1] " " kn[2] " " runs[k]
		for (f = 1; f <= 10; f++)
			line = line " " med(k, f)
		print line
	}
}
