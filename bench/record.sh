#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What run --record costs the run loop, and how big a record is: the wall
# time of the same exit-heavy run (tests/guests/mmio_loop: one MMIO write
# exit per loop, stopped by --max-exits) with --quiet --record FILE
# against --quiet alone, repetitions interleaved (a machine that slows
# down slows both alike), min and median of each, the overhead of the
# medians, and the record's bytes per exit.  Targets: recording costs at
# most 20 % of --quiet's exit rate; at most 32 bytes per MMIO exit.
#
# Usage: bench/record.sh [BUILD_DIR]
#   REPS (5) runs of each, EXITS (1000000) exits per run,
#   STRICT=1: exit 1 if a target is missed.
set -euo pipefail

B=${1:-build}
REPS=${REPS:-5}
EXITS=${EXITS:-1000000}
TARGET=20
TARGET_BYTES=32

bin=$(realpath "$B/gunyahctl")
guest=$(realpath "$B/tests/guests/mmio_loop.elf")
[[ -x $bin && -f $guest ]] || { echo "bench: build first ($bin, $guest)" >&2; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
times=$dir/times

# One run: "MODE SECONDS"; --max-exits ends with status 6.
run() {
	local mode=$1 start end rc
	shift
	start=$EPOCHREALTIME
	"$bin" run --quiet --max-exits "$EXITS" "$@" "$guest" >/dev/null 2>&1 && rc=0 || rc=$?
	end=$EPOCHREALTIME
	((rc == 6)) || { echo "bench: a $mode run ended with status $rc" >&2; exit 1; }
	[[ $mode == warm ]] || echo "$mode $(bc -l <<<"$end - $start")" >>"$times"
}

run warm
run warm --record "$dir/r.gex"
for ((i = 0; i < REPS; i++)); do
	run quiet
	run record --record "$dir/r.gex"
done
bytes=$(stat -c %s "$dir/r.gex")

awk -v exits="$EXITS" -v target="$TARGET" -v bytes="$bytes" \
    -v target_bytes="$TARGET_BYTES" -v strict="${STRICT:-0}" '
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
		stats("quiet"); stats("record")
		printf "run --quiet --record FILE vs --quiet, %d exits a run, %d runs each\n", exits, n["record"]
		printf "  %-8s %10s %10s %14s\n", "mode", "min s", "median s", "median exits/s"
		printf "  %-8s %10.3f %10.3f %14.0f\n", "quiet", lo["quiet"], med["quiet"], exits / med["quiet"]
		printf "  %-8s %10.3f %10.3f %14.0f\n", "record", lo["record"], med["record"], exits / med["record"]
		# the exit rate lost: 1 - rate(record) / rate(quiet)
		over = (1 - med["quiet"] / med["record"]) * 100
		per = bytes / (exits + 1)
		printf "  exit rate lost to --record (medians): %.1f %%  (target <= %d %%: %s)\n", over, target, over <= target ? "ok" : "MISSED"
		printf "  record size: %.1f bytes per exit  (target <= %d: %s)\n", per, target_bytes, per <= target_bytes ? "ok" : "MISSED"
		exit (strict && (over > target || per > target_bytes)) ? 1 : 0
	}' "$times"
