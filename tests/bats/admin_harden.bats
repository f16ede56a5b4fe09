#!/usr/bin/env bats
# Named VMs under faults: full disks, closed pipes, killed processes, a
# swapped runtime directory, a flooded or stalled control socket (issue
# 17).  Each test names the item of the review it holds to.

setup() {
	load admin_helpers
	admin_setup
}

teardown() { admin_teardown; }

@test "list, status and stat exit 74 with one line when stdout is full (17.6)" {
	start_vm vm "$TICK"
	for cmd in list "list --json" "status vm" "status --json vm" \
		"stat vm" "stat --json vm" "stat --watch --count 2 --interval 0.01 vm"; do
		run bash -c '"$GUNYAHCTL" '"$cmd"' >/dev/full'
		assert_equal "$status" 74
		assert_output "gunyahctl: ${cmd%% *}: writing the output: No space left on device"
	done
}

@test "wait that cannot write its result does not collect it (17.4)" {
	# Connected while the VM runs: the reply cannot be written.
	start_vm w1 "$TICK"
	gunyahctl wait --json w1 >/dev/full 2>"$BATS_TEST_TMPDIR/err" &
	w=$!
	gunyahctl stop --force w1
	wait $w || s=$?
	assert_equal "${s:-0}" 74
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "gunyahctl: wait: writing the output: No space left on device"
	assert_exists "$RD/w1.status"
	# From the status file: the same, and it stays.
	run bash -c '"$GUNYAHCTL" wait w1 >/dev/full'
	assert_equal "$status" 74
	assert_output "gunyahctl: wait: writing the output: No space left on device"
	assert_exists "$RD/w1.status"
	# Collected by the first wait that could say it.
	run gunyahctl wait w1
	assert_equal "$status" 6
	assert_output "w1: stopped, exit status 6"
	assert_not_exists "$RD/w1.status"
}
