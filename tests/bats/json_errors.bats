#!/usr/bin/env bats
# --json: an error is also a record on standard output, {"error": ...}
# (gunyahctl-json(7)); stderr and the exit status stay as without it.

setup() {
	load run_helpers
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/rt
	mkdir -p "$XDG_RUNTIME_DIR"
}

# The one line of standard output is {"error": WANT}.
assert_error_record() {
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq -r '.error' <<<"$output")" "$1"
	assert_equal "$(jq -r 'keys | join(",")' <<<"$output")" error
}

@test "run --json: a usage error is a record too" {
	run_split gunyahctl run --json --mem 9Q "$HELLO"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --mem 9Q: not a size (a number with an optional K, M or G suffix)"
	assert_error_record "run: --mem 9Q: not a size (a number with an optional K, M or G suffix)"
}

@test "run --json: a missing image is a record; without --json stdout stays empty" {
	run_split gunyahctl run --json "$BATS_TEST_TMPDIR/none"
	assert_equal "$status" 66
	assert_error_record "run: $BATS_TEST_TMPDIR/none: No such file or directory"
	run_split gunyahctl run "$BATS_TEST_TMPDIR/none"
	assert_equal "$status" 66
	assert_equal "$output" ""
	assert_equal "$stderr" "gunyahctl: run: $BATS_TEST_TMPDIR/none: No such file or directory"
}

@test "admin commands --json: no such VM is a record" {
	for cmd in stat status step wait; do
		run_split gunyahctl "$cmd" --json novm
		assert_equal "$status" 66
		assert_equal "$stderr" "gunyahctl: $cmd: novm: no such VM"
		assert_error_record "$cmd: novm: no such VM"
	done
}

@test "replay, report, explain, info --json: their errors are records" {
	run_split gunyahctl replay --json "$BATS_TEST_TMPDIR/none.gex"
	assert_equal "$status" 66
	assert_error_record "${stderr#gunyahctl: }"
	run_split gunyahctl report --json "$BATS_TEST_TMPDIR/none.gex"
	assert_equal "$status" 66
	assert_equal "$(jq -r .error <<<"$output")" "${stderr#gunyahctl: }"
	run_split gunyahctl explain --json bogus
	assert_equal "$status" 64
	assert_error_record "explain: bogus: unknown exit type (see 'gunyahctl explain --list')"
	GUNYAHCTL_DEVICE=$BATS_TEST_TMPDIR/nodev run_split gunyahctl info --json --backend dev
	assert_equal "$status" 69
	assert_equal "$(jq -r .error <<<"$output")" "${stderr#gunyahctl: }"
}

@test "run --json: a --record file that cannot be made is a record" {
	run_split gunyahctl run --json --max-exits 2 --record /nonexistent/dir/r.gex "$HELLO"
	assert_equal "$status" 73
	assert_error_record "${stderr#gunyahctl: }"
}
