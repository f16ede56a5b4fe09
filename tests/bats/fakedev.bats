#!/usr/bin/env bats
# The fake /dev/gunyah itself (tests/fakedev/fakedev.so): what any program
# sees of it, and gunyahctl info's dev backend through it.

setup() {
	load helpers
	fakedev_setup
}

@test "fakedev: the device node exists and opens as a real fd" {
	run env "${FAKE_ENV[@]}" bash -c 'test -c /dev/gunyah && exec 3<>/dev/gunyah && readlink /proc/self/fd/3'
	assert_success
	assert_output --regexp '^/memfd:fakedev:gunyah( \(deleted\))?$'
}

@test "fakedev: other files are untouched" {
	echo hello >"$BATS_TEST_TMPDIR/f"
	run env "${FAKE_ENV[@]}" bash -c 'cat "$1" && exec 3<"$1" && readlink /proc/self/fd/3' _ "$BATS_TEST_TMPDIR/f"
	assert_success
	assert_output $'hello\n'"$BATS_TEST_TMPDIR/f"
}

@test "fakedev: info --backend dev sees an accessible device and its run page" {
	run fake info --backend dev --json
	assert_success
	jq -e --argjson page "$(getconf PAGESIZE)" '.backend == "dev" and
		.device.exists and .device.accessible and
		.run_page_size == $page' <<<"$output"
}

@test "fakedev: info takes the run-page size the device gives" {
	FAKEDEV_BREAK=mmap_size run fake info --backend dev --json
	assert_success
	jq -e '.run_page_size == 64' <<<"$output"
}

@test "fakedev: a device this user may not open: info exits 69 with one line" {
	FAKEDEV_BREAK=eacces run_split env "${FAKE_ENV[@]}" "$GUNYAHCTL" info --backend dev
	assert_equal "$status" 69
	assert_equal "$output" ""
	assert_equal "$stderr" "gunyahctl: info: /dev/gunyah: Permission denied"
}

@test "fakedev: a missing device: info exits 69 with one line" {
	FAKEDEV_BREAK=enoent run_split env "${FAKE_ENV[@]}" "$GUNYAHCTL" info --backend dev
	assert_equal "$status" 69
	assert_equal "$output" ""
	assert_equal "$stderr" "gunyahctl: info: /dev/gunyah: No such file or directory"
}

@test "fakedev: the sim-only requests are ENOTTY with FAKEDEV_HW=1" {
	FAKEDEV_HW=1 run fake diag --backend dev page_fault force_stop
	assert_success
	assert_line --regexp '^SKIP  page_fault .*ENOTTY'
	assert_line --regexp '^SKIP  force_stop .*ENOTTY'
}

@test "fakedev: an unknown FAKEDEV_BREAK stops the program, saying so" {
	FAKEDEV_BREAK=everything run_split env "${FAKE_ENV[@]}" "$GUNYAHCTL" diag --backend dev
	assert_equal "$status" 70
	assert_equal "$stderr" "fakedev: FAKEDEV_BREAK=everything: unknown (want mmap_size, einval, run_layout, eacces, enoent, hang, crash, enotty, eperm, irqfd_lost or ioeventfd_lost)"
}
