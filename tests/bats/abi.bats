#!/usr/bin/env bats
# The two ABI flavours (upstream, and the GH_* one of the Android common
# kernel and the v14 series) on the sim and through the fake device; and
# the sim's strictness: what hardware cannot hand a VMM faults in the guest.

setup() {
	load helpers
	load run_helpers
	fakedev_setup
	G=$GUEST_DIR/tests/guests
	E=$GUEST_DIR/examples
}

# The exits of a --json run, without their times: what the guest did.
exits_of() { jq -c 'select(has("seq")) | del(.t_ns)' <<<"$output"; }

# Each example guest, as the examples' own comments run them (but for
# --fault: a FAULT answer needs resume_action, which android lacks).
example_args() {
	case $1 in
	hello) echo --uart 0x09000000 "$E/hello.elf" ;;
	smp) echo --vcpus 4 --uart 0x09000000 "$E/smp.elf" ;;
	mmio_probe) echo --mmio 0x0a000000:0x1000:dev0 --mmio 0x0a001000:0x1000:dev1 \
		--mmio-read 0x0a000000=0x47554e59 --mmio-read 0x0a000008=0,0,1 \
		"$E/mmio_probe.elf" ;;
	esac
}

@test "abi: the example guests make the same exits under android as under upstream (sim)" {
	for ex in hello mmio_probe; do
		run gunyahctl run --json $(example_args $ex)
		assert_success
		want=$(exits_of)
		run gunyahctl run --json --abi android $(example_args $ex)
		assert_success
		assert_equal "$(exits_of)" "$want"
	done
	# SMP: the vCPUs interleave, so compare what each one did
	run gunyahctl run --json $(example_args smp)
	assert_success
	want=$(exits_of | jq -sc 'group_by(.vcpu) | map(map(del(.seq)))')
	run gunyahctl run --json --abi android $(example_args smp)
	assert_success
	assert_equal "$(exits_of | jq -sc 'group_by(.vcpu) | map(map(del(.seq)))')" "$want"
}

@test "abi: run --backend dev --abi android through an android fake device: the same exits" {
	for ex in hello mmio_probe; do
		run gunyahctl run --json $(example_args $ex)
		assert_success
		want=$(exits_of)
		FAKEDEV_ABI=android run fake run --json --backend dev --abi android $(example_args $ex)
		assert_success
		assert_equal "$(exits_of)" "$want"
	done
}

@test "abi: page-fault options under android are refused in one line (exit 64)" {
	run_split gunyahctl run --abi android --pf-region 0xc0000000:0x1000 "$G/page_fault.bin"
	assert_equal "$status" 64
	assert_equal "$output" ""
	assert_equal "$stderr" "gunyahctl: run: --pf-region: the android ABI flavour has no page-fault exit"
	run_split gunyahctl run --abi android --on-page-fault=retry "$G/page_fault.bin"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --on-page-fault: the android ABI flavour has no page-fault exit"
	# the device's own flavour, found by asking it, is held to the same
	FAKEDEV_ABI=android run_split env "${FAKE_ENV[@]}" "$GUNYAHCTL" run --backend dev \
		--pf-region 0xc0000000:0x1000 "$G/page_fault.bin"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --pf-region: the android ABI flavour (the device's) has no page-fault exit"
}

@test "abi: --fault under android is refused: no resume_action to answer FAULT with" {
	run_split gunyahctl run --abi android --fault 0x0a001000 "$E/mmio_probe.elf"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --fault: the android ABI flavour has no resume_action to answer FAULT with"
}

@test "abi: an unknown --abi is a usage error" {
	run_split gunyahctl run --abi v99 "$E/hello.elf"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --abi v99: unknown ABI flavour (want upstream or android)"
}

@test "abi: diag --abi android passes on the sim and skips what the flavour lacks, saying why" {
	run gunyahctl diag --abi android --json
	assert_success
	jq -se 'map(select(.event == "summary"))[0] | .abi == "android" and .failed == 0' <<<"$output"
	for c in resume_fault resume_retry resume_einval; do
		jq -se --arg c "$c" 'map(select(.name == $c))[0] |
			.status == "skip" and (.reason | test("no resume_action"))' <<<"$output"
	done
	jq -se 'map(select(.name == "page_fault"))[0] |
		.status == "skip" and (.reason | test("no PAGE_FAULT exit"))' <<<"$output"
	jq -se 'map(select(.name == "mmio_read"))[0].status == "pass"' <<<"$output"
}

@test "abi: diag through an android fake device: the same verdicts as on the sim" {
	run gunyahctl diag --abi android --json
	want=$(jq -c 'select(.name) | [.name, .status]' <<<"$output")
	FAKEDEV_ABI=android run fake diag --backend dev --json
	assert_success
	assert_equal "$(jq -c 'select(.name) | [.name, .status]' <<<"$output")" "$want"
}

@test "abi: a fake device speaking only android is picked by itself; info names the flavour" {
	FAKEDEV_ABI=android run fake info --backend dev
	assert_success
	assert_line "ABI flavour            android (detected)"
	assert_line --partial "GH_VM_SET_USER_MEM_REGION"
	FAKEDEV_ABI=android run fake info --backend dev --json
	jq -e '.abi.flavour == "android" and .abi.source == "detected" and
		(.abi.ioctls | has("GH_VM_SET_USER_MEM_REGION")) and
		(.abi.ioctls | has("GUNYAH_VM_MAP_MEM") | not) and
		.abi.page_fault == false' <<<"$output"
	# and it runs a guest without being told
	FAKEDEV_ABI=android run fake run --backend dev -q --uart 0x09000000 "$E/hello.elf"
	assert_success
	assert_output "Hello, Gunyah!"
}

@test "abi: a fake device speaking only upstream is picked by itself" {
	FAKEDEV_ABI=upstream run fake info --backend dev --json
	assert_success
	jq -e '.abi.flavour == "upstream" and .abi.source == "detected"' <<<"$output"
	# told the wrong flavour, the device does not know its requests
	FAKEDEV_ABI=upstream run_split env "${FAKE_ENV[@]}" "$GUNYAHCTL" run \
		--backend dev --abi android "$E/hello.elf"
	assert_equal "$status" 69
	assert_output --partial ""
	[[ $stderr == *"Inappropriate ioctl for device"* ]]
}

@test "abi: info on the sim: the flavour chosen and the IPA size" {
	run gunyahctl info --json
	assert_success
	jq -e '.abi.flavour == "upstream" and .abi.source == "sim default" and
		.limits.ipa_bits == 40' <<<"$output"
	run gunyahctl info --abi android
	assert_success
	assert_line "ABI flavour            android (--abi)"
	assert_line "  IPA size             40 bits"
}

# ---- strict by default -------------------------------------------------------

# FAR and ESR the guests' handlers report (report_and_skip: +0x10, +0x18).
abort_reports() { jq -r 'select(.exit == "mmio" and (.mmio.phys_addr == "0x0000000009000110" or .mmio.phys_addr == "0x0000000009000118")) | .mmio.data' <<<"$output"; }

@test "strict: stp, str x0,[x1],#8 and ldxr to MMIO take a data abort, saying why" {
	run_split gunyahctl run --json "$G/mmio_stp.bin"
	assert_success
	output=$output assert_equal "$(abort_reports | head -2 | tr '\n' ' ')" "0x9000020 0x96000050 "
	[[ $stderr == *"by load/store pair"*"no instruction syndrome (ISV=0), data abort"* ]]
	run_split gunyahctl run --json "$G/mmio_post_index.bin"
	assert_success
	assert_equal "$(abort_reports | tr '\n' ' ')" "0x9000000 0x96000050 "
	[[ $stderr == *"by pre/post-index writeback"* ]]
	run_split gunyahctl run --json "$G/mmio_ldxr.bin"
	assert_success
	assert_equal "$(abort_reports | tr '\n' ' ')" "0x9000000 0x96000010 "
	[[ $stderr == *"by exclusive load/store"* ]]
}

@test "strict: --lenient runs them: pairs split, writeback done, ldxr a load" {
	run gunyahctl run --json --lenient "$G/mmio_stp.bin"
	assert_success
	assert_equal "$(abort_reports)" ""
	assert_equal "$(exits_json | jq -r 'select(.exit == "mmio") | "\(.mmio.phys_addr) \(.mmio.len) \(.mmio.is_write)"' | head -4 | tr '\n' ' ')" \
		"0x0000000009000020 8 true 0x0000000009000028 8 true 0x0000000009000030 8 false 0x0000000009000038 8 false "
	run gunyahctl run --json --lenient "$G/mmio_post_index.bin"
	assert_success
	assert_equal "$(exits_json | jq -r 'select(.exit == "mmio") | .mmio.data' | tr '\n' ' ')" "0x42 0x9000008 "
	run gunyahctl run --json --lenient --mmio-read 0x09000000=0x77 "$G/mmio_ldxr.bin"
	assert_success
	assert_equal "$(exits_json | jq -r 'select(.exit == "mmio") | "\(.mmio.phys_addr)=\(.mmio.data)"' | head -2 | tr '\n' ' ')" \
		"0x0000000009000000=0x77 0x0000000009000100=0x77 "
}

@test "strict: --lenient is the sim's: refused on dev" {
	run_split gunyahctl run --backend dev --lenient "$E/hello.elf"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --lenient: only the sim emulates; a device faults what its hardware faults"
}

@test "strict: an access beyond the IPA size faults in the guest; the crash event says so" {
	run_split gunyahctl run --json "$G/ipa_beyond.bin"
	assert_equal "$status" 3
	assert_json_lines
	# in order: the exit below the IPA size, the sim's messages (events
	# in the stream since issue 18: they were stderr lines alone), the
	# crash, the status exit
	assert_equal "$(jq -r 'if .event then .event else .exit end' <<<"$output" | tr '\n' ' ')" \
		"mmio message message crash status summary "
	jq -se 'map(select(.exit == "mmio"))[0] | .mmio.phys_addr == "0x000000fffffffff8"' <<<"$output"
	jq -se 'map(select(.event == "crash"))[0] | .ec == "0x25" and .ec_name == "data abort" and
		.esr == "0x96000040" and .far == "0x0000010000000000" and .elr == "0x0000000080000010" and .vbar == "0x0000000000000000" and
		(.why | test("IPA"))' <<<"$output"
}

@test "strict: a misaligned --entry raises EC 0x22; the crash event comes before the status exit" {
	run_split gunyahctl run --json --entry 0x80000002 "$G/spin.bin"
	assert_equal "$status" 3
	assert_equal "$(jq -r 'if .event then .event else .exit end' <<<"$output" | tr '\n' ' ')" \
		"message crash status summary "
	jq -se 'map(select(.event == "crash"))[0] | .ec == "0x22" and .ec_name == "PC alignment fault" and
		.esr == "0x8a000000" and .far == "0x0000000080000002" and .elr == "0x0000000080000002" and
		.pc == "0x0000000080000002"' <<<"$output"
	run_split gunyahctl run --entry 0x80000002 "$G/spin.bin"
	assert_equal "$status" 3
	assert_line --index 0 "vcpu0 crash EC=0x22 (PC alignment fault) ESR=0x8a000000 FAR=0x80000002 ELR=0x80000002 PC=0x80000002 VBAR=0: a misaligned PC with no vector table (VBAR_EL1=0)"
	assert_line --index 1 "vcpu0 #1 status crashed type=vm_exit(0)"
}

# ---- the VM's device tree ------------------------------------------------------

# Guest memory at $1 ($2 bytes) as a run --step m sees it, into file $3;
# run's options follow (default --abi android) before the guest.
guest_bytes() {
	local addr=$1 len=$2 out=$3
	shift 3
	(($#)) || set -- --abi android
	printf 'm %s %s\nq\n' "$addr" "$len" |
		gunyahctl run --json "$@" --step "$G/mmio_widths.bin" 2>/dev/null |
		jq -r 'select(.event == "memory") | .data' |
		perl -ne 'chomp; print pack("H*", $_)' >"$out"
}

# x0 at entry as boot_regs REPORTs it (its first exit's data), run's
# options in "$@".
x0_of() {
	gunyahctl run --json "$@" "$G/boot_regs.bin" |
		jq -r 'select(.seq == 1) | .mmio.data'
}

@test "dtb: an android run's device tree is in guest memory, where the RM is pointed, and dtc parses it" {
	# run's copy at the top of RAM, and the boot stub's copy (above RAM,
	# after its code page) that GH_VM_SET_DTB_CONFIG names
	guest_bytes 0x87fff000 4096 "$BATS_TEST_TMPDIR/top.dtb"
	guest_bytes 0x88001000 4096 "$BATS_TEST_TMPDIR/stub.dtb"
	for f in top stub; do
		run dtc -q -I dtb -O dts "$BATS_TEST_TMPDIR/$f.dtb"
		assert_success
		assert_line --regexp '^	gunyah-vm-config \{$'
		assert_line --regexp '^			affinity = "proxy";$'
		assert_line --regexp '^			base-address = <0x00 0x80000000>;$'
		assert_line --regexp '^			size-max = <0x00 0x8000000>;$'
		assert_line --regexp '^			config = <0x01>;$'
		assert_line --regexp '^			generate = "/hypervisor";$'
		# config names the GIC's phandle
		assert_line --regexp '^		phandle = <0x01>;$'
	done
	cmp "$BATS_TEST_TMPDIR/top.dtb" "$BATS_TEST_TMPDIR/stub.dtb"
}

@test "dtb: a plain upstream run gives the image a device tree too, in the top page of RAM, x0 pointing at it" {
	assert_equal "$(x0_of)" 0x87fff000
	assert_equal "$(x0_of -c 2 --mem 64M --ram-base 0x40000000)" 0x43fff000
	guest_bytes 0x87fff000 4096 "$BATS_TEST_TMPDIR/up.dtb" -c 2 --uart 0x09000000
	run dtc -q -I dtb -O dts "$BATS_TEST_TMPDIR/up.dtb"
	assert_success
	assert_line --regexp '^	memory@80000000 \{$'
	assert_line --regexp '^		reg = <0x00 0x80000000 0x00 0x8000000>;$'
	assert_line --regexp '^		cpu@1 \{$'
	assert_line --regexp '^	pl011@9000000 \{$'
	assert_line --regexp '^			affinity = "proxy";$'
	# the fake device's driver gets the same request
	run fake run --backend dev --json "$G/boot_regs.bin"
	assert_success
	assert_equal "$(jq -r 'select(.seq == 1) | .mmio.data' <<<"$output")" 0x87fff000
}

@test "dtb: an image in the top page pushes the device tree below it; --no-dtb gives x0 = 0" {
	# boot_regs (88 bytes) loaded in the last page of RAM
	assert_equal "$(x0_of --load-addr 0x87fff800)" 0x87ffe000
	assert_equal "$(x0_of --no-dtb)" 0x0
	run gunyahctl run --no-dtb --kernel "$G/boot_regs.bin"
	assert_failure 64
	assert_output "gunyahctl: run: --no-dtb: not with --kernel, which boots with a device tree"
	run gunyahctl run --no-dtb --abi android "$G/boot_regs.bin"
	assert_failure 64
	assert_output "gunyahctl: run: --no-dtb: the android flavour's resource manager starts no VM without one"
	# an image filling RAM leaves no page for it: refused, naming --no-dtb
	head -c 65536 /dev/zero >"$BATS_TEST_TMPDIR/full.bin"
	run gunyahctl run --mem 64K "$BATS_TEST_TMPDIR/full.bin"
	assert_failure 64
	assert_output --partial "left free by the image for its device tree (--no-dtb runs without one)"
	run gunyahctl run --mem 64K --no-dtb --max-exits 1 -t 5 "$BATS_TEST_TMPDIR/full.bin"
	refute_output --partial "device tree"
}

@test "dtb: the example and test guests keep their exits with a device tree (all but those that read x0)" {
	local g args
	for g in $E/hello.elf $E/mmio_probe.elf $E/smp.elf $G/compute.bin $G/exc.bin \
		$G/mmio_widths.bin $G/midblock.bin $G/scribble.bin $G/undef.bin \
		$G/page_fault.bin $G/psci_exit.bin $G/mmio_resume.bin $G/gic.bin; do
		# compute, psci_exit and gic end idle (WFI or a spin with no
		# exit): their exits all come in the first few milliseconds, and
		# -t ends them (a second: a hundredfold margin on a loaded machine)
		args=(--json --max-exits 300 -t 1 --uart 0x09000000)
		run_split gunyahctl run "${args[@]}" "$g"
		local with; with=$(jq -c 'select(has("seq")) | del(.t_ns)' <<<"$output")
		run_split gunyahctl run "${args[@]}" --no-dtb "$g"
		assert_equal "$with" "$(jq -c 'select(has("seq")) | del(.t_ns)' <<<"$output")"
		[[ -n $with ]]
	done
}

@test "dtb: replay puts the recorded device tree back: x0 and RAM as in the run" {
	run gunyahctl run --json --record "$BATS_TEST_TMPDIR/b.gex" "$G/kimage.bin"
	assert_success
	# kimage REPORTs x0 and the DTB's magic word (read through x0)
	assert_equal "$(jq -r 'select(has("seq") and .seq <= 2) | .mmio.data' <<<"$output" | tr '\n' ' ')" "0x87fff000 0xedfe0dd0 "
	run gunyahctl replay "$BATS_TEST_TMPDIR/b.gex"
	assert_success
	assert_output --partial "every one as recorded"
}
