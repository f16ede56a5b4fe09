#!/usr/bin/env bats
# Engine messages (a fault with no answer, a stuck vCPU, the sim's "VM
# crashed") travel with the exits: after the exits before them on every
# writer, even with stdout and stderr on one file (issue 17 item 18,
# issue 18).

setup() {
	load admin_helpers
	admin_setup
}

teardown() { admin_teardown; }

# run with stdout and stderr on one file, as a terminal shows them.
run_both() {
	local out=$BATS_TEST_TMPDIR/both
	"$GUNYAHCTL" run "$@" >"$out" 2>&1 && status=0 || status=$?
	output=$(cat "$out")
	mapfile -t lines <"$out"
}

@test "2>&1: a crash's message comes after the exits before it, not first" {
	run_both --mmio-read 0x09000200=3 "$G/exit_by.elf"
	assert_equal "$status" 3
	assert_line --index 0 "vcpu0 #1 mmio read 0x09000200 len=8 data=0x0000000000000003"
	assert_line --index 1 --regexp '^gunyahctl: run: sim: vcpu0: unhandled exception EC=0x3c .*: VM crashed$'
	assert_line --index 2 --regexp '^vcpu0 crash EC=0x3c \(BRK\) '
	assert_line --index 3 "vcpu0 #2 status crashed type=vm_exit(0)"
}

@test "2>&1: a page fault nobody answers is told between its exit and the stop" {
	run_both --pf-region 0x90000000:0x10000 "$G/pf_touch.elf"
	assert_equal "$status" 7
	assert_line --index 0 "vcpu0 #1 page_fault 0x90000000 attempt=0 resume=none"
	assert_line --index 1 "gunyahctl: run: vcpu0: page fault at 0x90000000: no memory there (--on-page-fault=retry maps a zero page)"
	assert_line --index 2 "vcpu0 #2 status exited type=forced_stop(7)"
}

@test "2>&1: a stuck vCPU is told right after the exit that made it stuck, not before the exits" {
	run_both --stuck 50 --max-exits 60 "$G/scribble.elf"
	assert_equal "$status" 6
	assert_line --index 49 --regexp '^vcpu0 #50 mmio write '
	assert_line --index 50 --regexp '^gunyahctl: run: vcpu0: stuck: 50 times in a row: mmio write '
	assert_line --index 51 --regexp '^vcpu0 #51 mmio write '
	# once, and on stderr alone
	run_split gunyahctl run --stuck 50 --max-exits 60 "$G/scribble.elf"
	assert_equal "$(grep -c stuck <<<"$stderr")" 1
	refute_output --partial stuck:
}

@test "--json: the message is an event in its place, and still on stderr" {
	run_split gunyahctl run --json --pf-region 0x90000000:0x10000 "$G/pf_touch.elf"
	assert_equal "$status" 7
	assert_json_lines
	assert_equal "$(jq -c '[.seq // .event]' <<<"$output" | tr -d '\n')" '[1]["message"][2]["summary"]'
	assert_equal "$(jq -c 'select(.event == "message")' <<<"$output")" \
		'{"event":"message","vcpu":0,"text":"vcpu0: page fault at 0x90000000: no memory there (--on-page-fault=retry maps a zero page)"}'
	assert_equal "$stderr" "gunyahctl: run: vcpu0: page fault at 0x90000000: no memory there (--on-page-fault=retry maps a zero page)"
	# 2>&1: the event, then the line on stderr, before the status exit
	run_both --json --mmio-read 0x09000200=3 "$G/exit_by.elf"
	assert_equal "$status" 3
	assert_line --index 0 --regexp '^\{"seq":1,'
	assert_line --index 1 --regexp '^\{"event":"message","vcpu":0,"text":"sim: vcpu0: unhandled exception .*VM crashed"\}$'
	assert_line --index 2 --regexp '^gunyahctl: run: sim: vcpu0: unhandled exception '
	assert_line --index 3 --regexp '^\{"event":"crash",'
	assert_line --index 4 --regexp '^\{"seq":2,'
}

@test "attach sees a VM's messages in order with its exits (text and JSON)" {
	start_vm vm --paused --pf-region 0x90000000:0x10000 "$G/pf_touch.elf"
	gunyahctl attach --json vm >"$BATS_TEST_TMPDIR/json" 2>&1 &
	a1=$!
	gunyahctl attach vm >"$BATS_TEST_TMPDIR/text" 2>&1 &
	a2=$!
	eventually bash -c "[[ \$(\"\$GUNYAHCTL\" status --json vm | jq .attached) == 2 ]]"
	gunyahctl resume vm
	wait $a1 || true
	wait $a2 || true
	run jq -c '[.seq // .event]' "$BATS_TEST_TMPDIR/json"
	assert_equal "$(tr -d '\n' <<<"$output")" '[1]["message"][2]["summary"]'
	run cat "$BATS_TEST_TMPDIR/text"
	assert_line --index 0 "vcpu0 #1 page_fault 0x90000000 attempt=0 resume=none"
	assert_line --index 1 "gunyahctl: run: vcpu0: page fault at 0x90000000: no memory there (--on-page-fault=retry maps a zero page)"
	assert_line --index 2 "vcpu0 #2 status exited type=forced_stop(7)"
}

# The message events of a named VM's model (the dashboard's), as JSON.
snap_messages() {
	sock_send "$RD/$1.sock" '{"v":1,"cmd":"snapshot"}\n' |
		jq -c '.snapshot.events.message // empty | map({order, text})'
}

has_messages() { [[ -n $(snap_messages "$1") ]]; }

@test "a named VM's messages are dashboard events in their place, not only lines in its log" {
	start_vm vm --stuck 50 "$G/scribble.elf"
	eventually has_messages vm
	# the 51st event: right after the 50th exit, the one that was stuck
	run snap_messages vm
	assert_output --regexp '^\[\{"order":51,"text":"vcpu0: stuck: 50 times in a row: mmio write .*\}\]$'
}
