#!/usr/bin/env bats
# gunyahctl diag: the vCPU ABI battery on the sim, on the dev backend
# through the fake /dev/gunyah (tests/fakedev), and against a fake that is
# wrong in one way, which the right check must catch.

setup() {
	load helpers
	fakedev_setup
}

# The names of all checks, in table order.
all_checks() { "$GUNYAHCTL" diag --list | awk '{ print $1 }'; }

# Every check of --list has a line with this verdict in $output.
assert_all() {
	local verdict=$1 name
	for name in $(all_checks); do
		assert_line --regexp "^$verdict  $name( |$)"
	done
}

@test "diag: every check passes on the sim" {
	local n
	n=$(all_checks | wc -l)
	((n >= 20))
	run gunyahctl diag
	assert_success
	assert_all PASS
	refute_line --regexp '^(FAIL|SKIP) '
	assert_line --regexp "^$n checks: $n passed, 0 failed, 0 skipped \(backend sim, ABI upstream, 2 vCPUs, [0-9.]+ s\)$"
}

@test "diag: the required checks are all there" {
	run gunyahctl diag --list
	assert_success
	for c in mmap_size fn_einval fn_eexist run_layout mmio_write mmio_read \
		resume_handled resume_fault resume_retry resume_einval page_fault \
		wfi_wake psci_cpu_on system_off system_reset system_reset2 \
		sticky_status immediate_exit signal_eintr run_before_start \
		mmio_latency; do
		assert_line --regexp "^$c +[a-zA-Z]"
	done
}

@test "diag --backend dev: every check passes through the fake device" {
	local n
	n=$(all_checks | wc -l)
	run fake diag --backend dev
	assert_success
	assert_all PASS
	assert_line --regexp "^$n checks: $n passed, 0 failed, 0 skipped \(backend dev, ABI upstream, 2 vCPUs, "
}

@test "diag --backend dev: a device like real hardware skips the sim-only checks" {
	FAKEDEV_HW=1 run fake diag --backend dev
	assert_success
	assert_line "SKIP  page_fault        the backend cannot make a page-fault region (GH_SIM_VM_ADD_PF_REGION: ENOTTY)"
	assert_line --regexp '^SKIP  wfi_wake +the backend cannot raise the vCPU.s wake-up \(GH_SIM_VCPU_WAKE: ENOTTY\)'
	assert_line "SKIP  force_stop        the backend cannot force a stop (GH_SIM_VM_FORCE_STOP: ENOTTY)"
	for c in mmap_size run_layout mmio_read resume_fault psci_cpu_on system_reset2 \
		sticky_status immediate_exit signal_eintr mmio_latency; do
		assert_line --regexp "^PASS  $c "
	done
	assert_line --regexp '^[0-9]+ checks: [0-9]+ passed, 0 failed, 3 skipped \(backend dev'
}

@test "diag --backend dev: a wrong GUNYAH_VCPU_MMAP_SIZE fails mmap_size, and only it" {
	FAKEDEV_BREAK=mmap_size run fake diag --backend dev
	assert_failure 1
	assert_line --regexp "^FAIL  mmap_size +GUNYAH_VCPU_MMAP_SIZE is 64, want the page size $(getconf PAGESIZE)  \[size=64 page_size=$(getconf PAGESIZE)\]$"
	[[ $(grep -c '^FAIL' <<<"$output") == 1 ]]
	assert_line --regexp '^[0-9]+ checks: [0-9]+ passed, 1 failed, 0 skipped'
}

@test "diag --backend dev: ADD_FUNCTION accepting a bad arg_size fails fn_einval" {
	FAKEDEV_BREAK=einval run fake diag --backend dev --only fn_einval,fn_eexist
	assert_failure 1
	assert_line "FAIL  fn_einval         GUNYAH_VM_ADD_FUNCTION with arg_size 0 returned 0, want EINVAL  [arg_sizes=0,2,8,257]"
	assert_line --regexp '^PASS  fn_eexist '
}

@test "diag --backend dev: exit_reason at the wrong offset fails run_layout" {
	FAKEDEV_BREAK=run_layout run fake diag --backend dev --only run_layout
	assert_failure 1
	assert_line "FAIL  run_layout        exit_reason at offset 8 is 0, want 1 (mmio), which is at offset 12  [exit_reason@8=0]"
}

@test "diag --backend dev: a RUN that never returns fails after --timeout, saying where" {
	local start=$SECONDS
	FAKEDEV_BREAK=hang run fake diag --backend dev --timeout 1 mmio_write psci_cpu_on
	assert_failure 1
	assert_line "FAIL  mmio_write        timed out after 1 s (GUNYAH_VCPU_RUN on vCPU 0)"
	assert_line --regexp '^FAIL  psci_cpu_on       timed out after 1 s \((GUNYAH_VCPU_RUN on vCPU [01], on a thread|waiting for every vCPU.s STATUS exit)\)$'
	assert_line --regexp '^2 checks: 0 passed, 2 failed'
	((SECONDS - start < 60)) # a hang guard: two 1 s timeouts, a loaded machine
	# Fractions, as every --timeout takes them.
	FAKEDEV_BREAK=hang run fake diag --backend dev --timeout 0.5 mmio_write
	assert_failure 1
	assert_line "FAIL  mmio_write        timed out after 0.5 s (GUNYAH_VCPU_RUN on vCPU 0)"
}

@test "diag --backend dev: a crash in RUN fails that check only" {
	FAKEDEV_BREAK=crash run fake diag --backend dev mmap_size mmio_write
	assert_failure 1
	assert_line --regexp '^PASS  mmap_size '
	assert_line "FAIL  mmio_write        crashed: Aborted (GUNYAH_VCPU_RUN on vCPU 0)"
}

@test "diag --backend dev: a device we may not open ends with 69 and one line" {
	FAKEDEV_BREAK=eacces run_split env "${FAKE_ENV[@]}" "$GUNYAHCTL" diag --backend dev
	assert_equal "$status" 69
	assert_equal "$output" ""
	assert_equal "$stderr" "gunyahctl: diag: /dev/gunyah: Permission denied"
}

@test "diag --backend dev: a missing device ends with 69 and says so" {
	GUNYAHCTL_DEVICE=$BATS_TEST_TMPDIR/gunyah run_split gunyahctl diag --backend dev
	assert_equal "$status" 69
	assert_equal "$output" ""
	assert_equal "$stderr" "gunyahctl: diag: $BATS_TEST_TMPDIR/gunyah: No such file or directory (no Gunyah driver here? --backend sim checks the simulator)"
}

@test "diag --backend dev: a device that is not Gunyah stops at the first check, 69 (issue 17 item 19)" {
	GUNYAHCTL_DEVICE=/dev/null run_split gunyahctl diag --backend dev
	assert_equal "$status" 69
	assert_equal "$output" "FAIL  mmap_size         setup: GUNYAH_CREATE_VM: ENOTTY (Inappropriate ioctl for device)"
	assert_equal "$stderr" "gunyahctl: diag: /dev/null: not a Gunyah device (GUNYAH_CREATE_VM: Inappropriate ioctl for device); no other check was run"
	# The same with --json and checks picked by name: the first one tells.
	GUNYAHCTL_DEVICE=/dev/null run_split gunyahctl diag --backend dev --json mmio_read system_off
	assert_equal "$status" 69
	assert_equal "$(jq -r 'select(.name) | "\(.name) \(.status)"' <<<"$output")" "mmio_read fail"
	# The error is a record too, after the check's (gunyahctl-json(7)).
	assert_equal "$(jq -r 'select(.error) | .error' <<<"$output")" "${stderr#gunyahctl: }"
	# info says the same of it.
	GUNYAHCTL_DEVICE=/dev/null run gunyahctl info --backend dev
	assert_equal "$status" 69
}

@test "diag --json: one object per check and a summary" {
	local n
	n=$(all_checks | wc -l)
	run_split gunyahctl diag --json
	assert_success
	assert_equal "$stderr" ""
	# Every line is one JSON object.
	jq -e . >/dev/null <<<"$output"
	assert_equal "$(jq -s 'length' <<<"$output")" "$((n + 1))"
	assert_equal "$(jq -r 'select(.event == "check") | .name' <<<"$output")" "$(all_checks)"
	jq -se 'map(select(.event == "check")) | all(
		.status == "pass" and .reason == null and .log == null and
		(.values | type) == "object" and (.description | type) == "string" and
		(.t_ms | type) == "number")' <<<"$output"
	jq -se --argjson n "$n" 'last | .event == "summary" and .backend == "sim" and
		.vcpus == 2 and .checks == $n and .passed == $n and .failed == 0 and
		.skipped == 0 and .result == "pass" and (.t_ms | type) == "number"' <<<"$output"
	# Measured values: numbers as numbers, addresses as "0x..." strings.
	jq -se 'map(select(.name == "mmap_size"))[0].values.size > 0' <<<"$output"
	jq -se 'map(select(.name == "resume_fault"))[0].values.far_read == "0x90000080"' <<<"$output"
	jq -se 'map(select(.name == "mmio_latency"))[0].values |
		(.median_us | type) == "number" and .exits == 2000' <<<"$output"
}

@test "diag --json: a failing check has its reason, the summary says fail" {
	FAKEDEV_BREAK=mmap_size run fake diag --backend dev --json --only mmap_size,mmio_write
	assert_failure 1
	jq -se 'length == 3' <<<"$output"
	jq -se '.[0] | .name == "mmap_size" and .status == "fail" and
		(.reason | startswith("GUNYAH_VCPU_MMAP_SIZE is 64")) and .values.size == 64' <<<"$output"
	jq -se '.[1] | .name == "mmio_write" and .status == "pass"' <<<"$output"
	jq -se '.[2] | .result == "fail" and .failed == 1 and .passed == 1 and .backend == "dev"' <<<"$output"
}

@test "diag --list: name and description per check; --json too" {
	run gunyahctl diag --list
	assert_success
	assert_line --regexp '^mmap_size +GUNYAH_VCPU_MMAP_SIZE is the page size'
	run gunyahctl diag --list --json
	assert_success
	jq -se 'length >= 20 and all(has("name") and has("description"))' <<<"$output"
	run gunyahctl diag --list --only wfi_wake
	assert_success
	assert_output --regexp '^wfi_wake +WFI idles'
}

@test "diag --only: runs just those, in table order; names work as arguments" {
	run gunyahctl diag --only mmio_read,mmap_size --only fn_eexist
	assert_success
	assert_equal "$(grep -oE '^(PASS|FAIL|SKIP)  [a-z_0-9]+' <<<"$output" | awk '{ print $2 }' | tr '\n' ' ')" "mmap_size fn_eexist mmio_read "
	assert_line --regexp '^3 checks: 3 passed, 0 failed, 0 skipped'
	run gunyahctl diag sticky_status wfi_wake
	assert_success
	assert_line --regexp '^2 checks: 2 passed'
}

@test "diag --only: an unknown check is a usage error" {
	run_split gunyahctl diag --only mmap_size,nosuch
	assert_equal "$status" 64
	assert_equal "$output" ""
	assert_equal "$stderr" "gunyahctl: diag: nosuch: no such check (see 'gunyahctl diag --list')"
}

@test "diag: bad options are usage errors on one line" {
	run_split gunyahctl diag --bogus
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: diag: unrecognized option '--bogus'"
	run_split gunyahctl diag --backend kvm
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: diag: kvm: unknown backend (want sim or dev)"
	for n in 0 17 two -1; do
		run_split gunyahctl diag --vcpus "$n"
		assert_equal "$status" 64
		assert_equal "$stderr" "gunyahctl: diag: --vcpus: $n: want 1 to 16"
	done
	for t in 0 3601 1s; do
		run_split gunyahctl diag --timeout "$t"
		assert_equal "$status" 64
		assert_equal "$stderr" "gunyahctl: diag: --timeout $t: want seconds, more than 0 and at most 3600"
	done
}

@test "diag --vcpus: one vCPU skips the SMP checks; four pass them" {
	run gunyahctl diag --vcpus 1
	assert_success
	assert_line "SKIP  psci_cpu_on       needs two vCPUs or more (--vcpus)"
	assert_line "SKIP  status_unstarted  needs two vCPUs or more (--vcpus)"
	assert_line --regexp '^PASS  system_off +vcpus=1 '
	run gunyahctl diag --vcpus 4 --only psci_cpu_on,system_reset,force_stop
	assert_success
	assert_line --regexp '^PASS  psci_cpu_on +vcpus=4 again=-4$'
	assert_line --regexp '^PASS  system_reset +vcpus=4 type=restart reason_size=4 reason=0x1$'
	assert_line --regexp '\(backend sim, ABI upstream, 4 vCPUs, '
}

@test "diag --help describes the options and exit status" {
	run gunyahctl diag --help
	assert_success
	assert_output --partial "Usage: gunyahctl diag [OPTION...] [NAME...]"
	for o in --backend --json --list --only --vcpus --timeout; do
		assert_output --partial -- "$o"
	done
	assert_output --partial "Exit status: 0 when no check failed"
}

@test "diag: every check is described in gunyahctl-diag(1)" {
	local text name
	text=$(groff -t -man -Tascii -rHY=0 -rLL=300n -P-cbou \
		"$BATS_TEST_DIRNAME/../../man/gunyahctl-diag.1" |
		awk '/^[A-Z]/ { on = ($0 == "CHECKS"); next } on')
	[[ -n $text ]]
	for name in $(all_checks); do
		grep -qE "(^|[ ,])$name([ ,]|$)" <<<"$text" || fail "gunyahctl-diag(1) CHECKS lacks $name"
	done
}

@test "diag: output that cannot be written is status 74" {
	run bash -c '"$1" diag mmap_size >/dev/full' _ "$GUNYAHCTL"
	assert_equal "$status" 74
	assert_output "gunyahctl: diag: writing the output: No space left on device"
}
