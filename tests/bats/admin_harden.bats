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

@test "a runtime directory swapped for a symlink under a running VM: nothing is written through it (17.1)" {
	start_vm vm "$TICK"
	pid=$(pid_of vm)
	target=$BATS_TEST_TMPDIR/target
	mkdir "$target"
	# What the owner of the parent (a user, when root runs with their
	# XDG_RUNTIME_DIR) can do while the VM runs.
	mv "$RD" "$RD.away"
	ln -s "$target" "$RD"
	kill -TERM "$pid"
	wait_gone "$pid"
	# The VM wrote its status in its own directory, wherever it went,
	# and removed its own socket there.
	run ls -A "$target"
	assert_output ""
	assert_exists "$RD.away/vm.status"
	assert_not_exists "$RD.away/vm.sock"
	# Nor is the symlink taken for the directory.
	run_split gunyahctl list
	assert_equal "$status" 71
	assert_equal "$stderr" "gunyahctl: list: $RD: not a directory"
	run ls -A "$target"
	assert_output ""
	rm "$RD"
	mv "$RD.away" "$RD"
	run gunyahctl wait vm
	assert_equal "$status" 6
}

@test "a runtime directory in a directory someone else could swap is refused (17.1)" {
	[[ $EUID == 0 ]] || skip "needs root to give a directory away"
	home=$(realpath "$BATS_TEST_TMPDIR")/home
	mkdir -p "$home/run"
	chmod 755 "$home"
	# root with a user's XDG_RUNTIME_DIR (su without -, sudo -E)
	chown 65534 "$home"
	XDG_RUNTIME_DIR=$home/run run_split gunyahctl run --name vm --detach "$SPIN"
	assert_equal "$status" 77
	assert_equal "$stderr" "gunyahctl: run: --name vm: $home: its owner (uid 65534, mode 0755) could swap the runtime directory $home/run/gunyahctl: set XDG_RUNTIME_DIR to a directory of yours, or unset it"
	assert_not_exists "$home/run/gunyahctl"
	XDG_RUNTIME_DIR=$home/run run_split gunyahctl list
	assert_equal "$status" 77
	XDG_RUNTIME_DIR=$home/run run_split gunyahctl status vm
	assert_equal "$status" 77
	# Writable by others (not sticky): as bad.
	chown 0 "$home"
	chmod 777 "$home"
	XDG_RUNTIME_DIR=$home/run run_split gunyahctl list
	assert_equal "$status" 77
	assert_equal "$stderr" "gunyahctl: list: $home: anyone who may write it (uid 0, mode 0777) could swap the runtime directory $home/run/gunyahctl: set XDG_RUNTIME_DIR to a directory of yours, or unset it"
	# Sticky, as /tmp is: only an entry's owner may move it.
	chmod 1777 "$home"
	XDG_RUNTIME_DIR=$home/run run gunyahctl list
	assert_success
	# A symlink the user chose is followed once, to a safe place.
	ln -s "$XDG_RUNTIME_DIR" "$home/link"
	XDG_RUNTIME_DIR=$home/link start_vm vm2 "$SPIN"
	assert_exists "$RD/vm2.sock"
	gunyahctl stop --force vm2
	gunyahctl wait vm2 >/dev/null || true
}
