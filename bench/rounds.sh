# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the bench scripts that price an option of run against
# --quiet (json.sh, record.sh): the exit-heavy run of one mode, rounds of
# the two modes interleaved (a machine that slows down slows both alike),
# and the awk that sorts out min and median of each.
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

# One run: "MODE SECONDS" into $times; --max-exits ends with status 6.
bench_run() {
	local mode=$1 start end rc
	shift
	start=$EPOCHREALTIME
	"$bin" run --max-exits "$EXITS" "$@" "$guest" >/dev/null 2>&1 && rc=0 || rc=$?
	end=$EPOCHREALTIME
	((rc == 6)) || { echo "bench: a $mode run ended with status $rc" >&2; exit 1; }
	[[ $mode == warm ]] || echo "$mode $(bc -l <<<"$end - $start")" >>"$times"
}

# Each mode once to warm up, then REPS rounds of both.
bench_rounds() {
	local -n a_opts=opts_$1 b_opts=opts_$2
	local i

	bench_run warm "${a_opts[@]}"
	bench_run warm "${b_opts[@]}"
	for ((i = 0; i < REPS; i++)); do
		bench_run "$1" "${a_opts[@]}"
		bench_run "$2" "${b_opts[@]}"
	done
}

# awk: the times read, stats(m) sets lo[m] and med[m], row(m) prints them.
# shellcheck disable=SC2034 # used by the scripts that source this
BENCH_AWK='
	{ t[$1, ++n[$1]] = $2 }
	function stats(m,   i, j, x) {
		for (i = 1; i <= n[m]; i++) v[i] = t[m, i]
		for (i = 1; i <= n[m]; i++)
			for (j = i + 1; j <= n[m]; j++)
				if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
		lo[m] = v[1]
		med[m] = n[m] % 2 ? v[(n[m] + 1) / 2] : (v[n[m] / 2] + v[n[m] / 2 + 1]) / 2
	}
	function header() {
		printf "  %-8s %10s %10s %14s\n", "mode", "min s", "median s", "median exits/s"
	}
	function row(m) {
		printf "  %-8s %10.3f %10.3f %14.0f\n", m, lo[m], med[m], exits / med[m]
	}
'
