#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What run --record costs the run loop, and how big a record is: the wall
# time of the same exit-heavy run (tests/guests/mmio_loop: one MMIO write
# exit per loop, stopped by --max-exits) with --quiet --record FILE
# against --quiet alone, in rounds of paired runs (rounds.sh), min and
# median of each, the exit rate recording loses (the median of the
# rounds'), and the record's bytes per exit.  Targets: recording costs at
# most 20 % of --quiet's exit rate; at most 32 bytes per MMIO exit.
#
# Usage: bench/record.sh [BUILD_DIR]
#   REPS (11) rounds of 2 runs of each, EXITS (1000000) exits per run,
#   STRICT=1: exit 1 if a target is missed.
set -euo pipefail

B=${1:-build}
REPS=${REPS:-11}
EXITS=${EXITS:-1000000}
TARGET=20
TARGET_BYTES=32

. "$(dirname "$0")/rounds.sh"
bench_setup
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
times=$dir/times

opts_quiet=(--quiet)
opts_record=(--quiet --record "$dir/r.gex")
bench_rounds quiet record
bytes=$(stat -c %s "$dir/r.gex")

awk -v exits="$EXITS" -v target="$TARGET" -v bytes="$bytes" \
    -v target_bytes="$TARGET_BYTES" -v strict="${STRICT:-0}" '
	'"$BENCH_AWK"'
	END {
		stats("quiet"); stats("record")
		printf "run --quiet --record FILE vs --quiet, %d exits a run, %d runs each\n", exits, n["record"]
		header(); row("quiet"); row("record")
		# the exit rate lost: 1 - rate(record) / rate(quiet)
		over = (1 - paired("quiet", "record")) * 100
		per = bytes / (exits + 1)
		printf "  exit rate lost to --record (median of %d rounds): %.1f %%  (target <= %d %%: %s)\n", rounds, over, target, over <= target ? "ok" : "MISSED"
		printf "  record size: %.1f bytes per exit  (target <= %d: %s)\n", per, target_bytes, per <= target_bytes ? "ok" : "MISSED"
		exit (strict && (over > target || per > target_bytes)) ? 1 : 0
	}' "$times"
