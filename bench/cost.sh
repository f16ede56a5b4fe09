#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What each way of showing exits costs, without this machine's noise:
# instructions per exit, counted by valgrind's callgrind thread by
# thread, in runs of the exit-heavy guest (tests/guests/mmio_loop: one
# MMIO write exit per loop, stopped by --max-exits) with --quiet,
# --json > /dev/null, --quiet --record FILE and --dashboard (in a
# terminal of script(1)'s).  Each mode runs twice, SHORT and LONG exits:
# the difference over the exits between them leaves start-up and
# teardown out.
#
# The vCPU thread's count is what a mode adds to the run loop itself; the
# other threads' (the writer's) run beside it, on another CPU when the
# machine has one free.  The dashboard's screen is left out
# (--interval 10000): it redraws by the clock, twice a second, not by
# the exit, and valgrind's slowness would make that many more redraws
# an exit.  The wall-clock scripts
# (json.sh, dashboard.sh, record.sh) measure what that comes to; their
# rounds wander with the machine, these counts do not.
#
# Usage: bench/cost.sh [BUILD_DIR]   SHORT (100000), LONG (300000).
set -euo pipefail

B=${1:-build}
SHORT=${SHORT:-100000}
LONG=${LONG:-300000}

bin=$(realpath "$B/gunyahctl")
guest=$(realpath "$B/tests/guests/mmio_loop.elf")
[[ -x $bin && -f $guest ]] || { echo "bench: build first ($bin, $guest)" >&2; exit 1; }
for tool in valgrind script; do
	command -v $tool >/dev/null || { echo "bench: $tool is not installed (make bench installs it)" >&2; exit 1; }
done
((LONG > SHORT)) || { echo "bench: LONG must be more than SHORT" >&2; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# "VCPU OTHERS": the instructions of the busiest thread (the vCPU's) and
# of all the others, of one run of MODE with EXITS exits.
count() {
	local mode=$1 exits=$2 out=$dir/$1.$2 cmd rc=0
	local vg=(valgrind --tool=callgrind --separate-threads=yes
		  --callgrind-out-file="$out.%p")

	cmd=("$bin" run --max-exits "$exits")
	case $mode in
	quiet) cmd+=(--quiet) ;;
	json) cmd+=(--json) ;;
	record) cmd+=(--quiet --record "$dir/r.gex") ;;
	dashboard) cmd+=(--dashboard --exit-on-stop --interval 10000) ;;
	esac
	cmd+=("$guest")
	if [[ $mode == dashboard ]]; then
		script -qfec "${vg[*]@Q} ${cmd[*]@Q}" /dev/null >/dev/null 2>&1 || rc=$?
	else
		"${vg[@]}" "${cmd[@]}" >/dev/null 2>&1 || rc=$?
	fi
	# --max-exits ends with status 6
	((rc == 6)) || { echo "bench: a $mode run ended with status $rc" >&2; exit 1; }
	cat "$out".*-* | awk '
		/^totals:/ { n = $2; sum += n; if (n > max) max = n }
		END { print max, sum - max }'
}

# (assignments, so that a failed run ends the script: set -e)
for m in quiet json record dashboard; do
	short=$(count "$m" "$SHORT")
	long=$(count "$m" "$LONG")
	echo "$m $short $long" >>"$dir/counts"
done

awk -v n=$((LONG - SHORT)) -v short="$SHORT" -v long="$LONG" '
	{ m[NR] = $1; v[$1] = ($4 - $2) / n; o[$1] = ($5 - $3) / n + 0 }
	function pct(x) { return sprintf("%+.1f %%", 100 * x / v["quiet"]) }
	END {
		printf "instructions per exit (callgrind; the %d exits between runs of %d and %d)\n", n, short, long
		printf "  %-10s %12s %14s %16s %14s\n", "mode", "vCPU thread", "other threads", "vCPU vs quiet", "all vs quiet"
		for (i = 1; i <= NR; i++) {
			k = m[i]
			printf "  %-10s %12.0f %14.0f %16s %14s\n", k, v[k], o[k],
				k == "quiet" ? "-" : pct(v[k] - v["quiet"]),
				k == "quiet" ? "-" : pct(v[k] + o[k] - v["quiet"] - o["quiet"])
		}
	}' "$dir/counts"
