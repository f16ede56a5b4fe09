#!/usr/bin/env bats
# attach --record: what an attacher receives, as a record for report and
# replay (gunyahctl-record(5)).

setup() {
	load admin_helpers
	admin_setup
}

teardown() { admin_teardown; }

# mmio_widths, paused after its first exit; its next 20 are 3 writes below
# 0x9000100, then reads (9) and writes to 0x9000100 (8) by turns.
start_widths_paused() {
	start_vm vm --step "$G/mmio_widths.elf"
	eventually bash -c '[[ $("$GUNYAHCTL" stat --json vm | jq -r .state) == paused ]]'
}

@test "attach --record: the exits received, whatever is printed; report counts them by kind" {
	start_widths_paused
	gunyahctl attach --json --count 20 vm >"$BATS_TEST_TMPDIR/all" &
	all=$!
	gunyahctl attach --filter read --count 20 --record "$BATS_TEST_TMPDIR/r.gex" vm >/dev/null &
	rec=$!
	attached vm 2
	gunyahctl step vm 20 >/dev/null
	wait $all $rec
	run gunyahctl report --json "$BATS_TEST_TMPDIR/r.gex"
	assert_success
	assert_equal "$(jq -c '[.exits, .times, .gaps, .lost, .truncated]' <<<"$output")" '[20,false,0,0,false]'
	assert_equal "$(jq -c '[.rows[] | [.key, .samples]]' <<<"$output")" '[["mmio_write",11],["mmio_read",9]]'
	# the same exits as the JSON attacher got, address by address
	run gunyahctl report --json --by addr "$BATS_TEST_TMPDIR/r.gex"
	assert_equal "$(jq -c '[.rows[] | [.key, .samples]] | sort' <<<"$output")" \
		"$(jq -sc 'map(select(has("seq")))' "$BATS_TEST_TMPDIR/all" | jq -c 'group_by(.mmio.phys_addr) | map([.[0].mmio.phys_addr, length]) | sort')"
	run gunyahctl report "$BATS_TEST_TMPDIR/r.gex"
	assert_line --index 1 "recorded by attach: no host or guest times"
	run gunyahctl attach --console --record "$BATS_TEST_TMPDIR/x.gex" vm
	assert_failure 64
	assert_output --partial "--console: not with --record"
}

@test "attach --record from the start of the VM: the summary agrees and the record replays" {
	start_vm vm --paused "$G/mmio_widths.elf"
	gunyahctl attach --record "$BATS_TEST_TMPDIR/r.gex" vm >/dev/null &
	att=$!
	attached vm 1
	gunyahctl step vm 3 >/dev/null
	gunyahctl resume vm
	wait $att
	run gunyahctl report --json "$BATS_TEST_TMPDIR/r.gex"
	assert_success
	assert_equal "$(jq -c '[.summary_agrees, .gaps]' <<<"$output")" '[true,0]'
	run gunyahctl replay "$BATS_TEST_TMPDIR/r.gex"
	assert_success
	assert_output --regexp "^.*r\\.gex: [0-9]+ exits replayed, every one as recorded\$"
}

@test "attach --record by a client too slow to read: a gap report counts across and replay refuses" {
	start_vm vm "$TICK"
	stalled_attach vm "$BATS_TEST_TMPDIR/out" --record "$BATS_TEST_TMPDIR/r.gex"
	lost=$(jq -s '[.[] | select(.event == "lost") | .records] | add' "$BATS_TEST_TMPDIR/out")
	(( lost > 0 ))
	run gunyahctl report --json "$BATS_TEST_TMPDIR/r.gex"
	assert_success
	assert_equal "$(jq -c '[.lost, .gaps > 0, .summary_agrees]' <<<"$output")" "[$lost,true,false]"
	run gunyahctl report "$BATS_TEST_TMPDIR/r.gex"
	assert_line --regexp "^the counts cover [0-9]+ gaps?: $lost records \\(exits and events\\) were lost by the recorder\$"
	run_split gunyahctl replay "$BATS_TEST_TMPDIR/r.gex"
	assert_failure 65
	re='^gunyahctl: replay: .*r\.gex: the record has a gap after [0-9]+ exits \([0-9]+ records lost by attach --record\): it cannot be replayed$'
	[[ $stderr =~ $re ]]
	assert_equal "$(wc -l <<<"$stderr")" 1
}
