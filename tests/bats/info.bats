#!/usr/bin/env bats
# gunyahctl info: backend, device, sizes, ABI constants, limits.

setup() { load helpers; }

SRC=$BATS_TEST_DIRNAME/../..

# The value of a #define in one of our headers, so the test follows them.
define() { sed -n "s/^#define $1 \([0-9]*\).*/\1/p" "$SRC/$2"; }

@test "info --help lists its options" {
	run gunyahctl info --help
	assert_success
	assert_output --partial "Usage: gunyahctl info [OPTION...]"
	assert_output --partial "--json"
	assert_output --partial "--backend=NAME"
}

@test "info on the sim shows the real page and run-page sizes" {
	run_split gunyahctl info
	assert_success
	assert_equal "$stderr" ""
	local ps; ps=$(getconf PAGESIZE)
	assert_line --index 0 --regexp '^backend +sim$'
	assert_line --regexp "^page size +$ps\$"
	assert_line --regexp "^run page size +$ps\$"
	assert_line --regexp '^ABI flavour +upstream \(sim default\)$'
	assert_line --regexp '^  GUNYAH_VCPU_RUN +0x00004705$'
	assert_line --regexp '^  max vCPUs +64$'
	assert_line --regexp '^default RAM +0x80000000, 134217728 bytes \(128 MiB\)$'
}

@test "info --json is one object with the documented keys and types" {
	run_split gunyahctl info --json
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 1
	run jq -c '[keys_unsorted, (.device | keys_unsorted), (.abi | keys_unsorted), (.limits | keys_unsorted), (.ram | keys_unsorted)]' <<<"$output"
	assert_output '[["version","backend","device","page_size","run_page_size","abi","limits","ram"],["path","exists","accessible","error"],["flavour","source","how","page_fault","boot_context","fn_max_arg_size","vm_max_exit_reason_size","vcpu_run_size","ioctls"],["max_vcpus","max_mem_regions","max_pf_regions","slice_us","ipa_bits"],["base","size"]]'
}

@test "info --json values come from the ABI header and the sim" {
	run gunyahctl info --json
	assert_success
	local j=$output
	q() { jq -c "$1" <<<"$j"; }
	assert_equal "$(q .backend)" '"sim"'
	assert_equal "$(q .page_size)" "$(getconf PAGESIZE)"
	assert_equal "$(q .run_page_size)" "$(getconf PAGESIZE)"
	assert_equal "$(q .abi.fn_max_arg_size)" "$(define GUNYAH_FN_MAX_ARG_SIZE lib/gunyah_abi.h)"
	assert_equal "$(q .abi.vm_max_exit_reason_size)" 8
	assert_equal "$(q .abi.vcpu_run_size)" 40
	assert_equal "$(q .limits.max_vcpus)" "$(define SIM_MAX_VCPUS lib/sim/sim.h)"
	assert_equal "$(q .limits.max_pf_regions)" "$(define SIM_MAX_PF_REGIONS lib/sim/sim.h)"
	assert_equal "$(q .limits.slice_us)" "$(define SIM_DEFAULT_SLICE_US lib/sim/sim.h)"
	assert_equal "$(q .limits.max_mem_regions)" "$(define GH_VM_MAX_REGIONS lib/gunyah.h)"
	assert_equal "$(q .ram)" '{"base":"0x0000000080000000","size":134217728}'
	# every upstream request, by name, as a number
	assert_equal "$(q '.abi.ioctls | length')" 10
	assert_equal "$(q '.abi.ioctls.GUNYAH_CREATE_VM')" $((0x4700))
	assert_equal "$(q '.abi.ioctls.GUNYAH_VM_ADD_FUNCTION')" $((0x40104704))
	assert_equal "$(q '.abi.ioctls.GUNYAH_VCPU_MMAP_SIZE')" $((0x4706))
	assert_equal "$(q '[.abi.ioctls[] | type] | unique')" '["number"]'
}

@test "text and JSON agree" {
	run gunyahctl info --json
	local rps; rps=$(jq .run_page_size <<<"$output")
	run gunyahctl info
	assert_line --regexp "^run page size +$rps\$"
}

@test "info reports the device node on the sim backend without failing" {
	GUNYAHCTL_DEVICE=$BATS_TEST_TMPDIR/nope run gunyahctl info --json
	assert_success
	assert_equal "$(jq -c .device <<<"$output")" \
		"{\"path\":\"$BATS_TEST_TMPDIR/nope\",\"exists\":false,\"accessible\":false,\"error\":\"No such file or directory\"}"
	GUNYAHCTL_DEVICE=/dev/null run gunyahctl info --json
	assert_success
	assert_equal "$(jq -c .device <<<"$output")" \
		'{"path":"/dev/null","exists":true,"accessible":true,"error":null}'
}

@test "--backend dev without /dev/gunyah exits 69 with one line" {
	[[ -e /dev/gunyah ]] && skip "this machine has /dev/gunyah"
	run_split gunyahctl info --backend dev
	assert_equal "$status" 69
	assert_equal "$output" ""
	assert_equal "$stderr" "gunyahctl: info: /dev/gunyah: No such file or directory"
}

@test "--backend dev on a device that is not Gunyah exits 69" {
	GUNYAHCTL_DEVICE=/dev/null run_split gunyahctl info --backend dev --json
	assert_equal "$status" 69
	# --json: the error's record alone (gunyahctl-json(7)), no info object
	assert_equal "$output" '{"error":"info: /dev/null: creating a VM: Inappropriate ioctl for device"}'
	assert_equal "$stderr" "gunyahctl: info: /dev/null: creating a VM: Inappropriate ioctl for device"
}

@test "--backend dev on a device this user may not open exits 69" {
	((EUID == 0)) || skip "needs root to drop to another user"
	command -v setpriv >/dev/null || skip "no setpriv"
	local dev=$BATS_TEST_TMPDIR/gunyah
	: >"$dev"
	chmod 600 "$dev"
	chmod 755 "$BATS_TEST_TMPDIR"
	setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$GUNYAHCTL" ||
		skip "nobody cannot run $GUNYAHCTL"
	run bash -c 'GUNYAHCTL_DEVICE="$1" setpriv --reuid=nobody --regid=nogroup --clear-groups "$2" info --backend dev 2>&1' _ "$dev" "$GUNYAHCTL"
	assert_equal "$status" 69
	assert_output "gunyahctl: info: $dev: Permission denied"
}

@test "bad options and arguments are usage errors on one line" {
	run_split gunyahctl info --backend foo
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: info: foo: unknown backend (want sim or dev)"
	run_split gunyahctl info extra
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: info: extra: unexpected argument"
	run_split gunyahctl info --backend
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: info: option '--backend' requires an argument"
}
