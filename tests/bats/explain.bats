#!/usr/bin/env bats
# gunyahctl explain: exit types and reason words, in text and JSON.

setup() { load helpers; }

@test "explain --help shows the synopsis and the type names" {
	run gunyahctl explain --help
	assert_success
	assert_output --partial "Usage: gunyahctl explain [OPTION...] TYPE [REASON]"
	assert_output --partial "--json"
	assert_output --partial "watchdog_bite"
}

@test "a type name alone explains the type" {
	run_split gunyahctl explain poweroff
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 "exit type 1: poweroff"
	assert_line --index 1 "  the guest called PSCI SYSTEM_OFF"
	assert_equal "${#lines[@]}" 2
}

@test "a type number, decimal or hex, names the type" {
	run gunyahctl explain 4
	assert_success
	assert_line --index 0 "exit type 4: watchdog_bite"
	run gunyahctl explain 0x7
	assert_success
	assert_line --index 0 "exit type 7: forced_stop"
}

@test "a leading zero is decimal, never octal (issue 17 item 14)" {
	run gunyahctl explain --json 1 010
	assert_success
	assert_equal "$(jq -r .reason <<<"$output")" 0x0000000a
	run gunyahctl explain 010
	assert_success
	assert_line --index 0 "exit type 10: unknown"
	# Not octal, so 8 and 9 are digits like any other.
	run gunyahctl explain 08 09
	assert_success
	assert_line --index 0 "exit type 8: unknown"
	assert_line --index 2 "reason word 0x00000009"
	run gunyahctl explain 1 0X1F
	assert_success
	assert_line --index 2 "reason word 0x0000001f"
}

@test "every type name in the table is accepted and maps to its number" {
	local i=0
	for name in vm_exit poweroff restart system_reset2 watchdog_bite \
		hyp_error async_ext_abort forced_stop; do
		run gunyahctl explain --json "$name"
		assert_success
		assert_equal "$(jq -r '"\(.type) \(.type_code)"' <<<"$output")" "$name $i"
		i=$((i + 1))
	done
}

@test "a reason word is taken apart bit by bit" {
	run gunyahctl explain restart 0x00018001
	assert_success
	assert_output - <<'OUT'
exit type 2: restart
  the guest called PSCI SYSTEM_RESET
reason word 0x00018001
  bit 0       restart requested: yes
  bit 15      64-bit reason: yes
  bits 23:16  exit code 1: software_error (the guest software failed)
  other bits  none set
OUT
}

@test "a decimal reason word is the same word" {
	run gunyahctl explain --json 2 98305
	assert_success
	assert_equal "$(jq -r .reason <<<"$output")" "0x00018001"
}

@test "unknown types, codes and bits are shown, not rejected" {
	run gunyahctl explain 9 0xff814002
	assert_success
	assert_line --index 0 "exit type 9: unknown"
	assert_line --index 1 "  not a type the ABI defines"
	assert_line "  bit 0       restart requested: no"
	assert_line "  bits 23:16  exit code 129: unknown (not a code the ABI defines)"
	assert_line "  other bits  0xff004002: not defined by the ABI"
}

@test "--json prints one object with the documented keys" {
	run_split gunyahctl explain --json system_reset2 0x00048001
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 1
	run jq -c . <<<"$output"
	assert_output '{"type":"system_reset2","type_code":3,"description":"the guest called PSCI SYSTEM_RESET2 (architectural or vendor reset)","reason":"0x00048001","restart":true,"reason_64bit":true,"code":4,"code_name":"device_error","code_description":"a device failed","unknown_bits":"0x00000000"}'
}

@test "--json for an unknown type and code uses unknown and null" {
	run gunyahctl explain 0xffff 0x00070004 --json
	assert_success
	assert_equal "$(jq -c '[.type, .type_code, .description, .code, .code_name, .code_description, .unknown_bits, .restart]' <<<"$output")" \
		'["unknown",65535,null,7,"unknown",null,"0x00000004",false]'
}

@test "--json without a reason has no reason keys" {
	run gunyahctl explain --json hyp_error
	assert_success
	assert_equal "$(jq -c 'keys' <<<"$output")" '["description","type","type_code"]'
}

@test "--list shows every type and code" {
	run gunyahctl explain --list
	assert_success
	assert_line --index 0 "exit types (exit_info.type):"
	assert_line --regexp '^  7  forced_stop +the VM.s owner stopped it by force$'
	assert_line --regexp '^  3  bus_error +a bus error$'
	run gunyahctl explain --list --json
	assert_success
	assert_equal "$(jq -c '[(.types | length), (.codes | length), .types[5].name, .codes[2].name]' <<<"$output")" \
		'[8,5,"hyp_error","unknown_error"]'
}

usage_error() {
	run_split gunyahctl explain "$@"
	assert_equal "$status" 64
	assert_equal "$output" ""
	assert_equal "$(wc -l <<<"$stderr")" 1
}

@test "an unknown type name is a usage error on one line" {
	usage_error bogus
	assert_equal "$stderr" "gunyahctl: explain: bogus: unknown exit type (see 'gunyahctl explain --list')"
}

@test "a junk or too wide type number is a usage error" {
	usage_error 12x
	assert_equal "$stderr" "gunyahctl: explain: 12x: not an exit type (want a name or a number up to 0xffff)"
	usage_error 0x10000
	assert_equal "$stderr" "gunyahctl: explain: 0x10000: not an exit type (want a name or a number up to 0xffff)"
}

@test "a reason wider than 32 bits is a usage error" {
	usage_error 1 0x100000000
	assert_equal "$stderr" "gunyahctl: explain: 0x100000000: reason wider than 32 bits"
	usage_error 1 99999999999999999999999
	assert_equal "$stderr" "gunyahctl: explain: 99999999999999999999999: reason wider than 32 bits"
}

@test "a junk reason is a usage error" {
	usage_error 1 0xzz
	assert_equal "$stderr" "gunyahctl: explain: 0xzz: not a reason word (want a number up to 0xffffffff)"
}

@test "extra arguments, a missing TYPE and --list with a TYPE are usage errors" {
	usage_error 1 2 3
	assert_equal "$stderr" "gunyahctl: explain: 3: unexpected argument"
	usage_error
	assert_equal "$stderr" "gunyahctl: explain: missing TYPE (see 'gunyahctl explain --help')"
	usage_error --list poweroff
	assert_equal "$stderr" "gunyahctl: explain: --list takes no TYPE"
	usage_error --bogus 1
	assert_equal "$stderr" "gunyahctl: explain: unrecognized option '--bogus'"
}

@test "a failed write is reported, not ignored" {
	[[ -w /dev/full ]] || skip "no /dev/full"
	run bash -c '"$1" explain --list >/dev/full' _ "$GUNYAHCTL"
	assert_equal "$status" 74
	assert_output "gunyahctl: explain: writing the output: No space left on device"
}
