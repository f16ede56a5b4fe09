#!/usr/bin/env bats
# Watching named VMs: attach (one client or several, slow ones) and stat.

setup() {
	load admin_helpers
	admin_setup
}

teardown() { admin_teardown; }

@test "attach shows exits and console as run does; --count detaches, the VM runs on" {
	# Paused after its first exit (a "t", shown at the pause).
	start_vm vm --uart $UART --step "$TICK"
	eventually bash -c '[[ $("$GUNYAHCTL" stat --json vm | jq -r .state) == paused ]]'
	gunyahctl attach --count 6 vm >"$BATS_TEST_TMPDIR/out" &
	att=$!
	attached vm 1
	gunyahctl step vm 6 >/dev/null
	wait $att
	run cat "$BATS_TEST_TMPDIR/out"
	assert_line --index 0 "vcpu0 #2 mmio write 0x09000000 len=4 data=0x00000069 [uart]"
	assert_line --index 1 "vcpu0 #3 mmio write 0x09000000 len=4 data=0x00000063 [uart]"
	assert_line --index 2 "vcpu0 #4 mmio write 0x09000000 len=4 data=0x0000006b [uart]"
	assert_line --index 3 "vcpu0 #5 mmio write 0x09000000 len=4 data=0x0000000a [uart]"
	assert_line --index 4 "ick"
	assert_line --index 5 "vcpu0 #6 mmio write 0x09000000 len=4 data=0x00000074 [uart]"
	assert_line --index 6 "vcpu0 #7 mmio write 0x09000000 len=4 data=0x00000069 [uart]"
	assert_equal "${#lines[@]}" 7
	# Detached: it runs on, nobody attached.
	gunyahctl resume vm
	assert_equal "$(gunyahctl status --json vm | jq -r '[.state, .attached] | join(" ")')" "running 0"
}

@test "attach --json: run's records, and the console as events" {
	start_vm vm --uart $UART "$TICK"
	run_split gunyahctl attach --json --count 20 vm
	assert_success
	assert_equal "$stderr" ""
	assert_json_lines
	assert_equal "$(exits_json | wc -l)" 20
	# seq goes up by one, records have run's keys.
	exits_json | jq -s -e '[.[].seq] as $s | ($s | length) == 20 and
		all(range(1; 20); $s[.] == $s[. - 1] + 1)' >/dev/null
	assert_equal "$(exits_json | jq -c 'del(.t_ns, .seq, .mmio.data)' | sort -u)" \
		'{"vcpu":0,"exit":"mmio","mmio":{"phys_addr":"0x0000000009000000","len":4,"is_write":true},"resume":"handled","region":"uart"}'
	# Whole lines of the guest's, but the first (attached mid-line).
	jq -s -e '[.[] | select(.event == "console") | .text] |
		length >= 3 and all(.[1:][]; . == "tick\n")' <<<"$output" >/dev/null
}

@test "two clients attached at once get the same exits; one leaving does not stop the other" {
	start_vm vm "$TICK"
	gunyahctl pause vm
	gunyahctl attach --json --count 50 vm >"$BATS_TEST_TMPDIR/a1" &
	a1=$!
	gunyahctl attach --json --count 100 vm >"$BATS_TEST_TMPDIR/a2" &
	a2=$!
	attached vm 2
	gunyahctl resume vm
	wait $a1
	wait $a2
	run jq -c 'del(.t_ns)' "$BATS_TEST_TMPDIR/a1"
	first=$output
	assert_equal "${#lines[@]}" 50
	run jq -c 'del(.t_ns)' "$BATS_TEST_TMPDIR/a2"
	assert_equal "${#lines[@]}" 100
	# The first 50 of the second client are the first client's 50.
	assert_equal "$(head -n 50 <<<"$output")" "$first"
	assert_equal "$(jq -r 'select(.seq) | .seq' "$BATS_TEST_TMPDIR/a2" | uniq | wc -l)" 100
	assert_equal "$(gunyahctl status --json vm | jq -r '[.state, .attached] | join(" ")')" "running 0"
}

@test "attached when the VM ends: its summary, and its exit status" {
	start_vm vm "$TICK"
	# Paused: the stream is the exit the vCPU holds (if it had taken one
	# when the pause came), the status exit, the summary.
	gunyahctl pause vm
	# A kicked vCPU leaves RUN within a time slice, with an exit or not.
	eventually bash -c '[[ $("$GUNYAHCTL" stat --json vm | jq -r ".vcpus[0].thread") != run ]]'
	n=$(stat_jq vm .exits)
	held=$( [[ $(stat_jq vm '.vcpus[0].thread') == held ]] && echo 1 || echo 0)
	gunyahctl attach vm >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	att=$!
	attached vm 1
	gunyahctl stop --force vm
	wait $att || s=$?
	assert_equal "${s:-0}" 6
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
	run cat "$BATS_TEST_TMPDIR/out"
	m=$((n + held))
	if ((held)); then
		assert_line --index 0 --regexp "^vcpu0 #$m mmio write 0x09000000 len=4 data=0x000000[0-9a-f]{2}\$"
	fi
	assert_line --index $((held)) "vcpu0 #$((m + 1)) status exited type=forced_stop(7)"
	assert_line --index $((held + 1)) --regexp "^summary: $((m + 1)) exits in [0-9.]+ s \\([0-9]+ exits/s\\); result stopped, exit status 6\$"
	assert_line --index $((held + 2)) "  vcpu0: $((m + 1)) exits, mmio $m (0 read, $m write), status 1"
	# The VM's host times, read back from its JSON summary.
	assert_line --index $((held + 3)) --regexp "^  host time mmio_write: avg [0-9.]+ us, p99 [0-9.]+ us, max [0-9.]+ us\$"
	assert_line --index $((held + 4)) --regexp "^  host time status: avg [0-9.]+ us, p99 [0-9.]+ us, max [0-9.]+ us\$"
	assert_equal "${#lines[@]}" $((held + 5))
}

@test "Ctrl-C (SIGINT) or SIGTERM detaches with status 0; the VM runs on" {
	start_vm vm --step "$TICK"
	for sig in INT TERM; do
		# A background job starts with SIGINT ignored: put it back.
		perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' \
			"$GUNYAHCTL" attach --json vm >"$BATS_TEST_TMPDIR/out" &
		att=$!
		attached vm 1
		gunyahctl step vm 3 >/dev/null
		eventually bash -c "(( \$(wc -l <'$BATS_TEST_TMPDIR/out') == 3 ))"
		kill -$sig $att
		s=0
		wait $att || s=$?
		assert_equal "$sig $s" "$sig 0"
		attached vm 0
		assert_equal "$(jq -c .mmio.phys_addr "$BATS_TEST_TMPDIR/out" | sort -u)" '"0x0000000009000000"'
	done
	gunyahctl resume vm
	assert_equal "$(stat_jq vm .state)" running
}

@test "a client too slow to read loses records, is told, and does not slow the VM" {
	start_vm vm "$TICK"
	# The VM's queue for it is 256 KiB: some 7,000 records of ~150 bytes.
	stalled_attach vm "$BATS_TEST_TMPDIR/out"
	run jq -r 'select(.event == "lost") | .records' "$BATS_TEST_TMPDIR/out"
	assert [ "${#lines[@]}" -ge 1 ]
	(( lines[0] > 0 ))
	# Everything it did get is whole JSON.
	jq -e . "$BATS_TEST_TMPDIR/out" >/dev/null
}

@test "stat: counters per vCPU and in all, text and JSON" {
	start_vm vm --vcpus 2 "$G/smp_writes.elf"
	start_vm ticker "$TICK"
	# (paused before its first exit, on a loaded machine, it would have
	# no rate and no kinds to show)
	eventually bash -c '(( $("$GUNYAHCTL" stat --json ticker | jq .exits) > 0 ))'
	gunyahctl pause ticker
	run gunyahctl stat --json ticker
	assert_success
	n=$(jq .exits <<<"$output")
	assert_equal "$(jq -c '[.name, .state, .counts.mmio_write == .exits, (.vcpus | length), .vcpus[0].exits == .exits]' <<<"$output")" \
		'["ticker","paused",true,1,true]'
	jq -e '.uptime_ns > 0 and .exits_per_s > 0' <<<"$output" >/dev/null
	run gunyahctl stat ticker
	assert_success
	assert_line --index 0 --regexp "^ticker: paused, $n exits in [0-9.]+s, [0-9]+ exits/s\$"
	assert_line --index 1 --regexp "^  vcpu0 paused: $n exits, mmio $n \\(0 read, $n write\\)\$"
	# The host's handling time of the kinds it has seen.
	assert_line --index 2 --regexp "^  host time mmio_write: avg [0-9.]+ us, p99 [0-9.]+ us, max [0-9.]+ us\$"
	# The busiest MMIO addresses, as the dashboard ranks them.
	assert_line --index 3 "  busiest MMIO:"
	assert_line --index 4 "    0x9000000    0 read, $n write"
	assert_equal "${#lines[@]}" 5
	run gunyahctl stat --json ticker
	# Every kind, each with its count, total, avg, p99 and max (ns).
	assert_equal "$(jq -c '[.host_ns | keys_unsorted, (.[] | keys_unsorted)] | unique' <<<"$output")" \
		'[["exits","total","avg","p99","max"],["mmio_read","mmio_write","page_fault","status","unknown"]]'
	assert_equal "$(jq .host_ns.mmio_write.exits <<<"$output")" "$n"
	jq -e '.host_ns.mmio_write | .total > 0 and .avg > 0 and .p99 > 0 and .p99 <= .max and .avg <= .max
		and .avg == ((.total / .exits) | round)' <<<"$output" >/dev/null
	jq -e '[.host_ns.mmio_read, .host_ns.page_fault, .host_ns.status, .host_ns.unknown] |
		all(.exits == 0 and .total == 0 and .max == 0)' <<<"$output" >/dev/null
	assert_equal "$(jq -c .mmio_top <<<"$output")" "[{\"addr\":\"0x0000000009000000\",\"reads\":0,\"writes\":$n,\"region\":null}]"
}

@test "stat --watch: a sample per interval, the rate over it, until --count" {
	start_vm vm --vcpus 2 "$TICK"
	run gunyahctl stat --watch --json --interval 0.1 --count 3 vm
	assert_success
	assert_equal "${#lines[@]}" 3
	# The rate over each interval is its exits over its time (the first:
	# since the start).  Whether the VM ran in every interval is the
	# scheduler's say on a loaded machine: over all three, it did.
	jq -s -e '. as $all | ([null] + $all[:-1]) as $prev | [$all, $prev] | transpose |
		all(.[]; .[0] as $s | (.[1] // {exits: 0, uptime_ns: 0}) as $p |
			$s.uptime_ns > $p.uptime_ns and $s.exits >= $p.exits and
			(($s.exits - $p.exits) * 1e9 / ($s.uptime_ns - $p.uptime_ns) - $s.exits_per_s | fabs) < 1 and
			($s.vcpus | length) == 2)' <<<"$output" >/dev/null ||
		fail "samples: $output"
	jq -s -e '.[2].exits > .[0].exits' <<<"$output" >/dev/null || fail "no progress: $output"
	run gunyahctl stat --watch --count 2 --interval 0.05 vm
	assert_success
	# Two vCPUs (the second never started: off): a line each, a total,
	# the busiest address; a blank line between samples (which $lines
	# leaves out).
	assert_line --index 0 --regexp '^vm: running, [0-9]+ exits in [0-9.]+s, [0-9]+ exits/s$'
	assert_line --index 1 --regexp '^  vcpu0 running: [0-9]+ exits, mmio [0-9]+ \(0 read, [0-9]+ write\)$'
	assert_line --index 2 --regexp '^  vcpu1 (new|off): 0 exits$'
	assert_line --index 3 --regexp '^  total: [0-9]+ exits'
	assert_line --index 4 --regexp '^  host time mmio_write: avg '
	assert_line --index 5 "  busiest MMIO:"
	assert_line --index 6 --regexp '^    0x9000000    0 read, [0-9]+ write$'
	assert_line --index 7 --regexp '^vm: running, '
	assert_equal "${#lines[@]}" 14
	assert_output --partial $'\n\nvm: running, '
	run_split gunyahctl stat --count 2 vm
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: stat: --count needs --watch"
}

@test "stat --watch ends quietly when the VM ends" {
	# Ended once the watch has shown two snapshots (a --timeout could
	# end it before a loaded machine even starts the watch).
	start_vm vm "$TICK"
	gunyahctl stat --watch --json --interval 0.05 vm \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	w=$!
	eventually bash -c "(( \$(wc -l <'$BATS_TEST_TMPDIR/out') >= 2 ))"
	gunyahctl stop --force vm
	wait $w
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
	run jq -r .name "$BATS_TEST_TMPDIR/out"
	assert [ "${#lines[@]}" -ge 2 ]
	assert_equal "$(sort -u <<<"$output")" vm
}

# mmio_widths, paused after its first exit; its next 20 are 3 writes below
# 0x9000100, then reads (9) and writes to 0x9000100 (8) by turns.
start_widths_paused() {
	start_vm vm --step "$G/mmio_widths.elf"
	eventually bash -c '[[ $("$GUNYAHCTL" stat --json vm | jq -r .state) == paused ]]'
}

# The exit records of file $1 that jq filter $2 selects.
exits_of() { jq -c "select(has(\"seq\")) | select($2)" "$1"; }

@test "attach --filter: prints what it matches of the same exits, says how many of how many" {
	start_widths_paused
	gunyahctl attach --json --count 20 vm >"$BATS_TEST_TMPDIR/all" &
	all=$!
	gunyahctl attach --filter read --count 20 vm >"$BATS_TEST_TMPDIR/text" &
	text=$!
	gunyahctl attach --json --filter write,addr=0x9000100-0x90001ff --count 20 vm >"$BATS_TEST_TMPDIR/json" &
	json=$!
	attached vm 3
	gunyahctl step vm 20 >/dev/null
	wait $all $text $json
	assert_equal "$(exits_of "$BATS_TEST_TMPDIR/all" true | wc -l)" 20
	run cat "$BATS_TEST_TMPDIR/text"
	assert_equal "${lines[-1]}" "filter read: 9 of 20 exits shown"
	assert_equal "$(grep -c '^vcpu0 #[0-9]* mmio read 0x090000' <<<"$output")" 9
	assert_equal "${#lines[@]}" 10
	run cat "$BATS_TEST_TMPDIR/json"
	assert_json_lines
	assert_equal "$(exits_json)" \
		"$(exits_of "$BATS_TEST_TMPDIR/all" '.mmio.is_write and .mmio.phys_addr == "0x0000000009000100"')"
	assert_equal "$(exits_json | wc -l)" 8
	assert_equal "$(jq -c 'select(.event == "filter")' <<<"$output")" \
		'{"event":"filter","expr":"write,addr=0x9000100-0x90001ff","exits":20,"shown":8}'
	# The VM counted every exit, shown or not.
	assert_equal "$(stat_jq vm .exits)" 21
}

@test "step --filter: the step takes N exits, prints those it matches, says so" {
	start_widths_paused
	gunyahctl attach --json --count 20 vm >"$BATS_TEST_TMPDIR/all" &
	all=$!
	attached vm 1
	run_split gunyahctl step --json --filter addr=0x9000010-0x90000ff vm 20
	assert_success
	wait $all
	assert_json_lines
	assert_equal "$(exits_json)" "$(exits_of "$BATS_TEST_TMPDIR/all" '(.mmio.is_write | not)')"
	assert_equal "$(exits_json | wc -l)" 9
	assert_equal "$(jq -c 'select(.event == "filter") | [.exits, .shown]' <<<"$output")" "[20,9]"
	assert_equal "$(stat_jq vm '[.state, .exits] | join(" ")')" "paused 21"
	# Text: nothing matches, the step still takes its N.
	run_split gunyahctl step --filter page_fault vm 2
	assert_success
	assert_output "filter page_fault: 0 of 2 exits shown"
	assert_equal "$(stat_jq vm .exits)" 23
}

@test "attach and step --filter: bad syntax is one line and status 64; not with --dashboard" {
	start_vm vm --step "$TICK"
	for cmd in attach step; do
		run_split gunyahctl $cmd --filter vcpu=x vm
		assert_equal "$status" 64
		assert_equal "$stderr" "gunyahctl: $cmd: --filter vcpu=x: want vcpu=N or vcpu=N-M, numbers below 64"
		assert_output ""
	done
	run_split gunyahctl attach --dashboard --filter mmio vm
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: attach: --dashboard: not with --filter: the dashboard is the output"
}

# ---- attach --console ------------------------------------------------------

# The detached --kernel guest that echoes its UART, once it said "ready".
start_echo() {
	start_vm "$1" --stuck 0 --kernel "$(realpath "$G/uart_echo.bin")"
	eventually grep -q ready "$RD/$1.log"
}

@test "attach --console: a guest's console both ways from a pipe, and the VM's status when it ends" {
	start_echo con
	run_split gunyahctl attach --console con < <(printf 'hello, world q')
	assert_success
	assert_equal "$stderr" ""
	assert_output $'HELLO, WORLD \nbye'
	assert_equal "$(gunyahctl status --json con | jq -r .result)" poweroff
}

@test "attach --console on a terminal: raw, echoed as typed, Ctrl-] detaches, the terminal as it was; the VM runs on" {
	start_echo con
	local line out= echo
	# a terminal of its own (script(1)); its settings before and after
	# each of two attaches: one detached with Ctrl-], one the VM ends
	coproc S { script -qec 'stty -g >"$BATS_TEST_TMPDIR/before"
		for end in detached ended; do
			"$GUNYAHCTL" attach --console con; echo "$end status=$?"
			stty -g >"$BATS_TEST_TMPDIR/$end"
		done' /dev/null; }
	until_line() {
		while IFS= read -r -t 20 line <&"${S[0]}"; do
			line=${line//$'\r'/}
			[[ $line == *"$1"* ]] && return 0
		done
		return 1
	}
	until_line "Ctrl-] detaches"
	assert_equal "$line" "gunyahctl: attach: con's console; Ctrl-] detaches (the VM runs on)"
	# raw: each key goes at once (no Enter), the guest's echo comes back
	printf 'ab' >&"${S[1]}"
	read -r -t 20 -N 2 echo <&"${S[0]}"
	assert_equal "$echo" AB
	printf '\035' >&"${S[1]}"
	until_line "status="
	assert_equal "$line" "detached status=0"
	# stty -g writes it just after that line: wait for the file
	eventually test -s "$BATS_TEST_TMPDIR/detached"
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/detached"
	assert_equal "$(gunyahctl status --json con | jq -r .state)" running
	# again, and the guest powers off: the VM's status, the terminal back
	until_line "Ctrl-] detaches"
	printf 'q' >&"${S[1]}"
	until_line "status="
	assert_equal "$line" "ended status=0"
	wait
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/ended"
}

@test "attach --console: a console that takes no input says so, the output goes on; usage errors" {
	start_vm vm --uart $UART --timeout 3 "$TICK"
	run_split gunyahctl attach --console vm < <(printf 'x')
	assert_equal "$status" 5
	assert_equal "${stderr%%$'\n'*}" "gunyahctl: attach: vm: this VM's console takes no input (a PL011 with no --uart-input: run --kernel)"
	# and, on a loaded machine, what it could not keep up with
	assert_equal "$(sed 1d <<<"$stderr" | grep -cv '^gunyahctl: attach: vm: [0-9]* console lines lost: this client did not keep up$')" 0
	assert_line tick
	for o in --json --dashboard "--count 1"; do
		run_split gunyahctl attach --console $o vm
		assert_equal "$status" 64
		assert_equal "$stderr" "gunyahctl: attach: --console: not with ${o% 1}: the console is the output"
	done
}

@test "attach --console: a reader that falls behind is told how many console lines it lost" {
	start_vm vm --uart $UART "$TICK"
	# tick's lines come far faster than this reader takes any
	"$GUNYAHCTL" attach --console vm </dev/null 2>"$BATS_TEST_TMPDIR/err" |
		{ sleep 2; cat >/dev/null; } &
	eventually grep -q "lost" "$BATS_TEST_TMPDIR/err"
	run grep -v '^gunyahctl: attach: vm: [0-9]* console lines lost: this client did not keep up$' "$BATS_TEST_TMPDIR/err"
	assert_output ""
	gunyahctl stop vm
	wait
}
