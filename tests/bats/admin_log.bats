#!/usr/bin/env bats
# A detached VM's log is bounded, and no write to the runtime directory
# fails silently: the log's, NAME.status's, and what status and wait say
# then (issue 17 item 3).  A full file system is made two ways: a small
# tmpfs where mount works, and RLIMIT_FSIZE (ulimit -f: writes fail with
# EFBIG) everywhere, so the same paths are tested even where it does not.

setup() {
	load admin_helpers
	admin_setup
}

teardown() {
	admin_teardown
	if [[ -n ${MNT:-} ]]; then
		umount "$MNT" 2>/dev/null || true
	fi
}

# The runtime directory on a tmpfs of $1 KiB, or skip: mount is not
# there to use (not root, no CAP_SYS_ADMIN: a chroot or a container).
small_rundir() {
	MNT=$XDG_RUNTIME_DIR
	mount -t tmpfs -o size="$1"k,mode=0700 tmpfs "$MNT" 2>/dev/null ||
		{ MNT=; skip "cannot mount a tmpfs here"; }
}

log_lost() { gunyahctl status --json "$1" | jq -e '.log_lost > 0' >/dev/null; }

@test "--log-size bounds the log: past it NAME.log becomes NAME.log.1; wait removes both" {
	start_vm vm --log-size 64K --uart $UART "$TICK"
	# tick writes ~550 KB/s: rotated, never past the limit
	eventually test -f "$RD/vm.log.1"
	(($(stat -c %s "$RD/vm.log") <= 65536))
	(($(stat -c %s "$RD/vm.log.1") <= 65536))
	run tail -n 1 "$RD/vm.log.1"
	assert_output tick
	run gunyahctl status --json vm
	assert_equal "$(jq -c '[.log_lost, .log_error]' <<<"$output")" '[null,null]'
	gunyahctl stop vm
	run gunyahctl wait vm
	assert_success
	assert_output "vm: poweroff, exit status 0"
	[[ ! -e $RD/vm.log && ! -e $RD/vm.log.1 && ! -e $RD/vm.status ]]
}

@test "--log-size: a size from 64K, only with --detach" {
	run_split gunyahctl run --name vm --detach --log-size 1K "$TICK"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --log-size 1K: want 64K to 1024G"
	run_split gunyahctl run --name vm --log-size 1M "$TICK"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --log-size: only with --detach (the log is a detached VM's)"
}

@test "ulimit -f: the log's failed writes are counted and said (status, NAME.status, wait), the VM runs on" {
	# The log may not pass 16 KiB: its writes fail (EFBIG), as on a
	# full disk (long before the default 4M limit).  Without the fix
	# SIGXFSZ killed the VM silently, its socket left stale.
	(
		ulimit -f 16
		exec "$GUNYAHCTL" run --name vm --detach --uart $UART "$TICK"
	)
	pid_of vm >>"$PIDS"
	eventually log_lost vm
	run gunyahctl status vm
	assert_success
	assert_line --index 1 "state:    running"
	assert_line --regexp "^log:      $RD/vm.log \\([0-9]+ bytes lost: File too large\\)\$"
	(($(stat -c %s "$RD/vm.log") == 16384))
	run gunyahctl stop vm
	assert_success
	eventually test -f "$RD/vm.status"
	assert_equal "$(jq -r '.log_error' "$RD/vm.status")" "File too large"
	jq -e '.log_lost > 0' "$RD/vm.status" >/dev/null
	run_split gunyahctl wait vm
	assert_success
	assert_output "vm: poweroff, exit status 0"
	assert_regex "$stderr" '^gunyahctl: wait: vm: its log lost [0-9]+ bytes: File too large$'
}

@test "ulimit -f: a VM that died and whose record cannot be written reads as died, never as no such VM" {
	start_vm vm "$TICK"
	kill -9 "$(cat "$BATS_TEST_TMPDIR/pid.vm")"
	wait_gone "$(cat "$BATS_TEST_TMPDIR/pid.vm")"
	# No file may grow: NAME.status cannot say it died.  (Output to a
	# pipe: a file would not take it either.)
	run bash -c 'ulimit -f 0; "$GUNYAHCTL" wait vm 2>&1 | cat; exit ${PIPESTATUS[0]}'
	assert_equal "$status" 70
	assert_output "gunyahctl: wait: vm: the VM's process died and its exit record could not be written: $RD/vm.status: File too large"
	run bash -c 'ulimit -f 0; "$GUNYAHCTL" status vm 2>&1 | cat; exit ${PIPESTATUS[0]}'
	assert_equal "$status" 70
	assert_output "gunyahctl: status: vm: the VM's process died and its exit record could not be written: $RD/vm.status: File too large"
	run bash -c 'ulimit -f 0; "$GUNYAHCTL" list --json 2>/dev/null | cat'
	assert_equal "$(jq -r 'select(.name) | .name + " " + .state' <<<"$output")" "vm died"
	assert_equal "$(jq -r '.error // empty' <<<"$output")" "list: vm: its process died; $RD/vm.status: File too large"
	# The name was kept for the next look, which can write it.
	run_split gunyahctl wait vm
	assert_equal "$status" 70
	assert_equal "$stderr" "gunyahctl: wait: vm: the VM's process died without an exit status (its log: $RD/vm.log)"
}

@test "a full runtime directory (tmpfs): status and wait say what the log lost; the exit record is kept" {
	small_rundir 256
	# k first: vm's log soon leaves no room to start another
	start_vm k "$TICK"
	start_vm vm --uart $UART "$TICK"
	eventually log_lost vm
	(($(df -k --output=avail "$MNT" | tail -n 1) < 8))
	run gunyahctl status vm
	assert_line --regexp "^log:      $RD/vm.log \\([0-9]+ bytes lost: No space left on device\\)\$"
	# No room left for a new VM's record: it does not start.
	run_split gunyahctl run --name n --detach "$TICK"
	assert_equal "$status" 73
	assert_equal "$stderr" "gunyahctl: run: --name n: $RD/n.status.tmp: cannot take room for the VM's exit record: No space left on device"
	run gunyahctl stop vm
	assert_success
	run_split gunyahctl wait vm
	assert_success
	assert_output "vm: poweroff, exit status 0"
	assert_regex "$stderr" '^gunyahctl: wait: vm: its log lost [0-9]+ bytes: No space left on device$'
	# Killed on a full disk: its room holds that it died.
	kill -9 "$(cat "$BATS_TEST_TMPDIR/pid.k")"
	wait_gone "$(cat "$BATS_TEST_TMPDIR/pid.k")"
	run_split gunyahctl wait k
	assert_equal "$status" 70
	assert_equal "$stderr" "gunyahctl: wait: k: the VM's process died without an exit status (its log: $RD/k.log)"
}
