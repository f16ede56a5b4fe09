#!/usr/bin/env bats
# gunyahctl probe: on this machine (no Gunyah: exit 69, a clear verdict)
# and through the fake device in its flavours and broken modes.

setup() {
	load helpers
	fakedev_setup
}

@test "probe: no device here: exit 69, the verdict says why" {
	GUNYAHCTL_DEVICE=$BATS_TEST_TMPDIR/none run_split gunyahctl probe
	assert_equal "$status" 69
	assert_equal "$stderr" ""
	assert_line "device         $BATS_TEST_TMPDIR/none: missing (No such file or directory)"
	assert_line "verdict        not usable: $BATS_TEST_TMPDIR/none does not exist: no Gunyah driver is loaded (is this a Gunyah host, and its kernel built with it?)"
	GUNYAHCTL_DEVICE=$BATS_TEST_TMPDIR/none run_split gunyahctl probe --json
	assert_equal "$status" 69
	jq -e '.usable == false and .device.exists == false and .device.error == "ENOENT" and
		.abi.flavour == null and .requests == [] and
		(.verdict | startswith("not usable: "))' <<<"$output"
}

@test "probe: /sys/hypervisor facts are shown as found" {
	mkdir -p "$BATS_TEST_TMPDIR/hyp/gunyah"
	echo gunyah >"$BATS_TEST_TMPDIR/hyp/type"
	echo 1 >"$BATS_TEST_TMPDIR/hyp/gunyah/api"
	echo 0x48 >"$BATS_TEST_TMPDIR/hyp/gunyah/variant"
	GUNYAHCTL_SYS_HYPERVISOR=$BATS_TEST_TMPDIR/hyp run gunyahctl probe --json
	jq -e '.hypervisor.present and .hypervisor.files == {"type": "gunyah",
		"gunyah/api": "1", "gunyah/variant": "0x48"}' <<<"$output"
	GUNYAHCTL_SYS_HYPERVISOR=$BATS_TEST_TMPDIR/none run gunyahctl probe --json
	jq -e '.hypervisor.present == false' <<<"$output"
}

@test "probe: an upstream fake device is usable (exit 0), each request shown" {
	run_split env "${FAKE_ENV[@]}" "$GUNYAHCTL" probe
	assert_success
	assert_line "ABI flavour    upstream (v17+)"
	assert_line "  GUNYAH_CREATE_GUEST_MEM      /dev/gunyah -> EINVAL: refused a reserved flag: the upstream driver knows the request"
	assert_line --regexp "^run page size  $(getconf PAGESIZE)$"
	assert_line "verdict        usable: the upstream ABI answers (v17+)"
	run fake probe --json
	assert_success
	jq -e --argjson page "$(getconf PAGESIZE)" '.usable and .abi.flavour == "upstream" and
		.run_page_size == $page and .device.openable and
		([.requests[].request] == ["GUNYAH_CREATE_GUEST_MEM", "GUNYAH_CREATE_VM",
		  "GUNYAH_VM_ADD_FUNCTION", "GUNYAH_VM_ADD_FUNCTION", "GUNYAH_VCPU_MMAP_SIZE"]) and
		.requests[2].errno == "EINVAL"' <<<"$output"
}

@test "probe: an android fake device is usable; how the flavour was decided is said" {
	FAKEDEV_ABI=android run fake probe --json
	assert_success
	jq -e '.usable and .abi.flavour == "android" and .abi.variant == "android14-6.1" and
		(.abi.how | test("GH_VM_SET_USER_MEM_REGION")) and
		.requests[0].errno == "ENOTTY" and
		(.requests[0].meaning | test("other ABI flavour")) and
		.requests[2].request == "GH_VM_SET_USER_MEM_REGION" and
		.requests[2].errno == "EINVAL"' <<<"$output"
}

# Each broken mode: exit 69 and the verdict and errno that name it.
@test "probe: each broken mode of the fake is named, its errno in words" {
	FAKEDEV_BREAK=eacces run fake probe --json
	assert_equal "$status" 69
	jq -e '.device.error == "EACCES" and (.device.meaning | test("permission denied")) and
		(.verdict | test("cannot be opened"))' <<<"$output"

	FAKEDEV_BREAK=enoent run fake probe --json
	assert_equal "$status" 69
	jq -e '.device.exists == false and (.verdict | test("does not exist"))' <<<"$output"

	FAKEDEV_BREAK=enotty run fake probe --json
	assert_equal "$status" 69
	jq -e '.abi.flavour == null and (.verdict | test("no ABI flavour answers")) and
		all(.requests[]; .errno == "ENOTTY")' <<<"$output"

	FAKEDEV_BREAK=eperm run fake probe --json
	assert_equal "$status" 69
	jq -e '(.requests | map(select(.errno == "EPERM")) | length) == 1 and
		(.verdict | test("no VM can be created: not permitted"))' <<<"$output"

	FAKEDEV_BREAK=einval run fake probe --json
	assert_equal "$status" 69
	jq -e '.requests[2].result == 0 and (.verdict | test("accepted a wrong arg_size"))' <<<"$output"

	FAKEDEV_BREAK=mmap_size run fake probe
	assert_equal "$status" 69
	assert_line "run page size  64"
	assert_line --partial "verdict        not usable: the run page is 64 bytes"
}

@test "probe: takes no arguments" {
	run_split gunyahctl probe extra
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: probe: extra: unexpected argument"
}
