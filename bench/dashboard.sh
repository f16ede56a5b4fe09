#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What the dashboard costs the run loop: exits/s of the same exit-heavy
# guest (tests/guests/mmio_loop: one MMIO write exit per loop, for ever,
# stopped by --max-exits) with --dashboard and without it (--quiet), both
# in the same 80x24 tmux pane on a private server, in rounds of paired
# runs as rounds.sh has them (quiet, dashboard, dashboard, quiet: the
# machine's speed wanders more than the cost measured), min and median
# of each, and the median of the rounds' ratios.  Target: the dashboard
# keeps >= 95 %.
#
# Usage: bench/dashboard.sh [BUILD_DIR]
#   REPS (11) rounds of 2 runs of each, EXITS (2000000) exits per run,
#   VCPUS (1),
#   STRICT=1: exit 1 if the median ratio misses the target.
# Rates are exits over the process's wall time, the same for both: VM
# set-up and, for the dashboard, taking and giving back the terminal are
# in it (a few ms in a run of seconds).  A machine busy with other work
# spreads them; exits per CPU second (user + system time of the process)
# are shown too, as they spread less.
set -euo pipefail

B=${1:-build}
REPS=${REPS:-11}
EXITS=${EXITS:-2000000}
VCPUS=${VCPUS:-1}
TARGET=0.95

bin=$(realpath "$B/gunyahctl")
guest=$(realpath "$B/tests/guests/mmio_loop.elf")
[[ -x $bin && -f $guest ]] || { echo "bench: build first ($bin, $guest)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "bench: tmux is not installed (make deps)" >&2; exit 1; }

tmp=$(mktemp -d)
sock=$tmp/tmux.sock
tm() { tmux -S "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

# One run in the pane; appends "MODE START END STATUS USER SYS ROUND" to
# $tmp/times.
cat >"$tmp/one.sh" <<'EOS'
mode=$1 round=$2 out=$3 sock=$4; shift 4
TIMEFORMAT='%U %S'
start=$EPOCHREALTIME
{ time "$@" 2>>"${out%/*}/stderr"; } 2>"${out%/*}/cpu"
rc=$?
end=$EPOCHREALTIME
read -r user sys <"${out%/*}/cpu"
echo "$mode $start $end $rc $user $sys $round" >>"$out"
tmux -S "$sock" wait-for -S done
EOS
tm new-session -d -x 80 -y 24 -s bench "exec sleep 100000"
tm set-option -g remain-on-exit on >/dev/null

run() {
	local mode=$1 round=$2
	shift 2
	tm respawn-pane -k -t bench bash --norc --noprofile "$tmp/one.sh" \
		"$mode" "$round" "$tmp/times" "$sock" "$bin" run --vcpus "$VCPUS" \
		--max-exits "$EXITS" "$@" "$guest"
	timeout 300 tmux -S "$sock" wait-for done
}

# A warm-up of each, not counted; then the rounds.
run warm 0 --quiet
run warm 0 --dashboard --exit-on-stop
for ((i = 1; i <= REPS; i++)); do
	run quiet "$i" --quiet
	run dashboard "$i" --dashboard --exit-on-stop
	run dashboard "$i" --dashboard --exit-on-stop
	run quiet "$i" --quiet
done

# --max-exits ends with status 6; anything else is a failed run.
awk -v exits="$EXITS" -v target="$TARGET" -v vcpus="$VCPUS" '
	$4 != 6 { printf "bench: a %s run ended with status %s\n", $1, $4; bad = 1 }
	$1 == "warm" { next }
	{ ++n[$1]; rate[$1, n[$1]] = exits / ($3 - $2); rate[$1 "cpu", n[$1]] = exits / ($5 + $6); n[$1 "cpu"] = n[$1] }
	{ in_round[$7, $1] += $3 - $2; round[$7] = 1 }
	# the median over the rounds of the dashboard'"'"'s exit rate against quiet'"'"'s
	function paired(   r, k, i, j, t) {
		k = 0
		for (r in round)
			if (in_round[r, "quiet"] && in_round[r, "dashboard"])
				p[++k] = in_round[r, "quiet"] / in_round[r, "dashboard"]
		rounds = k
		for (i = 1; i <= k; i++)
			for (j = i + 1; j <= k; j++)
				if (p[j] < p[i]) { t = p[i]; p[i] = p[j]; p[j] = t }
		return k % 2 ? p[(k + 1) / 2] : (p[k / 2] + p[k / 2 + 1]) / 2
	}
	function sort(m,   i, j, t) {
		for (i = 1; i <= n[m]; i++) v[i] = rate[m, i]
		for (i = 1; i <= n[m]; i++)
			for (j = i + 1; j <= n[m]; j++)
				if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	}
	function median(m) { sort(m); return n[m] % 2 ? v[(n[m] + 1) / 2] : (v[n[m] / 2] + v[n[m] / 2 + 1]) / 2 }
	function best(m) { sort(m); return v[n[m]] }
	function worst(m) { sort(m); return v[1] }
	END {
		if (bad) exit 2
		printf "dashboard cost: mmio_loop, %d vCPU(s), %d exits per run, %d runs each, 80x24 tmux pane\n", vcpus, exits, n["quiet"]
		printf "  %-22s %12s %12s %12s\n", "exits/s", "worst", "median", "best"
		printf "  %-22s %12.0f %12.0f %12.0f\n", "--quiet", worst("quiet"), median("quiet"), best("quiet")
		printf "  %-22s %12.0f %12.0f %12.0f\n", "--dashboard", worst("dashboard"), median("dashboard"), best("dashboard")
		printf "  %-22s %12s %12s %12s\n", "exits per CPU second", "worst", "median", "best"
		printf "  %-22s %12.0f %12.0f %12.0f\n", "--quiet", worst("quietcpu"), median("quietcpu"), best("quietcpu")
		printf "  %-22s %12.0f %12.0f %12.0f\n", "--dashboard", worst("dashboardcpu"), median("dashboardcpu"), best("dashboardcpu")
		printf "  dashboard / quiet, per CPU second: %.1f %% (median)\n", 100 * median("dashboardcpu") / median("quietcpu")
		r = paired()
		met = (r >= target)
		printf "  dashboard / quiet: %.1f %% (median of %d rounds), %.1f %% (medians), %.1f %% (best); target >= %.0f %%: %s\n",
			100 * r, rounds, 100 * median("dashboard") / median("quiet"),
			100 * best("dashboard") / best("quiet"), 100 * target,
			(met ? "met" : "MISSED")
		exit !met
	}' "$tmp/times" && status=0 || status=$?
[[ -s $tmp/stderr ]] && { echo "bench: stderr of the runs:"; cat "$tmp/stderr"; } >&2
((status == 2)) && exit 1
((status == 1 && ${STRICT:-0})) && exit 1
exit 0
