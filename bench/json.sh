#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What JSON Lines output costs the run loop: the wall time of the same
# exit-heavy run (tests/guests/mmio_loop: one MMIO write exit per loop,
# stopped by --max-exits) with --json > /dev/null against --quiet, in
# rounds of paired runs (rounds.sh), min and median of each, and the exit
# rate JSON loses: the median of the rounds'.  Target: JSON costs at most
# 15 % of --quiet's exit rate.
#
# Usage: bench/json.sh [BUILD_DIR]
#   REPS (11) rounds of 2 runs of each, EXITS (1000000) exits per run,
#   STRICT=1: exit 1 if the overhead misses the target.
set -euo pipefail

B=${1:-build}
REPS=${REPS:-11}
EXITS=${EXITS:-1000000}
TARGET=15

. "$(dirname "$0")/rounds.sh"
bench_setup
times=$(mktemp)
trap 'rm -f "$times"' EXIT

opts_quiet=(--quiet)
opts_json=(--json)
bench_rounds quiet json

awk -v exits="$EXITS" -v target="$TARGET" -v strict="${STRICT:-0}" '
	'"$BENCH_AWK"'
	END {
		stats("quiet"); stats("json")
		printf "run --json > /dev/null vs --quiet, %d exits a run, %d runs each\n", exits, n["json"]
		header(); row("quiet"); row("json")
		over = (1 - paired("quiet", "json")) * 100
		printf "  exit rate lost to JSON (median of %d rounds): %.1f %%  (target <= %d %%: %s)\n", rounds, over, target, over <= target ? "ok" : "MISSED"
		exit (strict && over > target) ? 1 : 0
	}' "$times"
