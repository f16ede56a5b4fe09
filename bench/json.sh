#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What JSON Lines output costs the run loop: the wall time of the same
# exit-heavy run (tests/guests/mmio_loop: one MMIO write exit per loop,
# stopped by --max-exits) with --json > /dev/null against --quiet,
# repetitions interleaved (a machine that slows down slows both alike),
# min and median of each and the overhead of the medians.  Target: JSON
# costs at most 15 % more time than --quiet.
#
# Usage: bench/json.sh [BUILD_DIR]
#   REPS (5) runs of each, EXITS (1000000) exits per run,
#   STRICT=1: exit 1 if the overhead misses the target.
set -euo pipefail

B=${1:-build}
REPS=${REPS:-5}
EXITS=${EXITS:-1000000}
TARGET=15

bin=$(realpath "$B/gunyahctl")
guest=$(realpath "$B/tests/guests/mmio_loop.elf")
[[ -x $bin && -f $guest ]] || { echo "bench: build first ($bin, $guest)" >&2; exit 1; }

times=$(mktemp)
trap 'rm -f "$times"' EXIT

# One run: "MODE SECONDS"; --max-exits ends with status 6.
run() {
	local mode=$1 start end rc
	shift
	start=$EPOCHREALTIME
	"$bin" run --max-exits "$EXITS" "$@" "$guest" >/dev/null 2>&1 && rc=0 || rc=$?
	end=$EPOCHREALTIME
	((rc == 6)) || { echo "bench: a $mode run ended with status $rc" >&2; exit 1; }
	[[ $mode == warm ]] || echo "$mode $(bc -l <<<"$end - $start")" >>"$times"
}

run warm --quiet
run warm --json
for ((i = 0; i < REPS; i++)); do
	run quiet --quiet
	run json --json
done

awk -v exits="$EXITS" -v target="$TARGET" -v strict="${STRICT:-0}" '
	{ t[$1, ++n[$1]] = $2 }
	function stats(m,   i, j, x) {
		for (i = 1; i <= n[m]; i++) v[i] = t[m, i]
		for (i = 1; i <= n[m]; i++)
			for (j = i + 1; j <= n[m]; j++)
				if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
		lo[m] = v[1]
		med[m] = n[m] % 2 ? v[(n[m] + 1) / 2] : (v[n[m] / 2] + v[n[m] / 2 + 1]) / 2
	}
	END {
		stats("quiet"); stats("json")
		printf "run --json > /dev/null vs --quiet, %d exits a run, %d runs each\n", exits, n["json"]
		printf "  %-8s %10s %10s %14s\n", "mode", "min s", "median s", "median exits/s"
		printf "  %-8s %10.3f %10.3f %14.0f\n", "quiet", lo["quiet"], med["quiet"], exits / med["quiet"]
		printf "  %-8s %10.3f %10.3f %14.0f\n", "json", lo["json"], med["json"], exits / med["json"]
		over = (med["json"] / med["quiet"] - 1) * 100
		printf "  JSON overhead (medians): %.1f %%  (target <= %d %%: %s)\n", over, target, over <= target ? "ok" : "MISSED"
		exit (strict && over > target) ? 1 : 0
	}' "$times"
