# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the bench scripts that price an option of run against
# --quiet (json.sh, record.sh): the exit-heavy run of one mode, rounds of
# the two modes, and the awk that sorts out min and median of each and
# the ratio of their exit rates.
#
# This machine's speed wanders by 20 % and more from one second to the
# next (other guests on the host), more than the costs measured here, so
# runs of the two modes are paired: each round runs A B B A, its ratio is
# A's time over B's (B's exit rate against A's, as close in time as they
# can be, a steady drift cancelled by the order), and the result is the
# median of the rounds' ratios.
#
# The caller sets B, REPS, EXITS and times (a file), and calls
# bench_setup, then bench_rounds A B with the options of each mode in the
# arrays opts_A and opts_B.

# The binary and tests/guests/mmio_loop (one MMIO write exit per loop).
bench_setup() {
	bin=$(realpath "$B/gunyahctl")
	guest=$(realpath "$B/tests/guests/mmio_loop.elf")
	[[ -x $bin && -f $guest ]] || { echo "bench: build first ($bin, $guest)" >&2; exit 1; }
}

# One run: "MODE SECONDS ROUND" into $times; --max-exits ends with
# status 6.
bench_run() {
	local mode=$1 round=$2 start end rc
	shift 2
	start=$EPOCHREALTIME
	"$bin" run --max-exits "$EXITS" "$@" "$guest" >/dev/null 2>&1 && rc=0 || rc=$?
	end=$EPOCHREALTIME
	((rc == 6)) || { echo "bench: a $mode run ended with status $rc" >&2; exit 1; }
	[[ $mode == warm ]] || echo "$mode $(bc -l <<<"$end - $start") $round" >>"$times"
}

# Each mode once to warm up, then REPS rounds of A B B A.
bench_rounds() {
	local -n a_opts=opts_$1 b_opts=opts_$2
	local i

	bench_run warm 0 "${a_opts[@]}"
	bench_run warm 0 "${b_opts[@]}"
	for ((i = 1; i <= REPS; i++)); do
		bench_run "$1" "$i" "${a_opts[@]}"
		bench_run "$2" "$i" "${b_opts[@]}"
		bench_run "$2" "$i" "${b_opts[@]}"
		bench_run "$1" "$i" "${a_opts[@]}"
	done
}

# awk: the times read; stats(m) sets lo[m] and med[m], row(m) prints
# them; paired(a, b) is the median over the rounds of b's exit rate
# against a's (a's time over b's).
# shellcheck disable=SC2034 # used by the scripts that source this
BENCH_AWK='
	{ t[$1, ++n[$1]] = $2; in_round[$3, $1] += $2; round[$3] = 1 }
	function median_of(v, k,   i, j, x) {
		for (i = 1; i <= k; i++)
			for (j = i + 1; j <= k; j++)
				if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
		return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
	}
	function stats(m,   i, v) {
		for (i = 1; i <= n[m]; i++) v[i] = t[m, i]
		med[m] = median_of(v, n[m])
		lo[m] = v[1]
	}
	function paired(a, b,   r, k, v) {
		k = 0
		for (r in round)
			if (in_round[r, a] && in_round[r, b])
				v[++k] = in_round[r, a] / in_round[r, b]
		rounds = k
		return median_of(v, k)
	}
	function header() {
		printf "  %-8s %10s %10s %14s\n", "mode", "min s", "median s", "median exits/s"
	}
	function row(m) {
		printf "  %-8s %10.3f %10.3f %14.0f\n", m, lo[m], med[m], exits / med[m]
	}
'
