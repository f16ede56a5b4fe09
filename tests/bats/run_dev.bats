#!/usr/bin/env bats
# gunyahctl run --backend dev, through the fake /dev/gunyah (fakedev.so):
# the real syscall path, and a device without the simulator's extras
# (FAKEDEV_HW=1: no forced stop, no registers, no page-fault regions).

setup() {
	load run_helpers
	fakedev_setup
}

@test "dev: the same exits as on the simulator" {
	run gunyahctl run --json --uart $UART "$HELLO"
	sim=$(exits_json | jq -c 'del(.t_ns)')
	run fake run --backend dev --json --uart $UART "$HELLO"
	assert_success
	assert_json_lines
	assert_equal "$(exits_json | jq -c 'del(.t_ns)')" "$sim"
	assert_equal "$(jq -r 'select(.event == "console") | .text' <<<"$output")" "$HELLO_TEXT"
}

@test "dev without a forced stop: --timeout gets every vCPU out of RUN" {
	# Both ways a vCPU can sit in RUN: spinning (vCPU 0), off (vCPU 1).
	# 1 s: time for the first exit, even on a loaded machine.
	FAKEDEV_HW=1 run_split env "${FAKE_ENV[@]}" "$GUNYAHCTL" run --backend dev \
		--vcpus 2 --timeout 1 --mmio-read 0x09000200=7 "$G/exit_by.elf"
	assert_equal "$status" 5
	assert_equal "$stderr" ""
	# No STATUS exit: the VM was never stopped, its vCPU threads were.
	assert_line --index 0 "vcpu0 #1 mmio read 0x09000200 len=8 data=0x0000000000000007"
	refute_line --regexp "^vcpu[01] #[0-9]+ status "
	assert_line --regexp '^summary: 1 exit in [0-9.]+ s .*result timeout, exit status 5$'
	# WFI too.
	FAKEDEV_HW=1 run env "${FAKE_ENV[@]}" "$GUNYAHCTL" run --backend dev \
		--timeout 0.2 --mmio-read 0x09000200=8 "$G/exit_by.elf"
	assert_equal "$status" 5
}

@test "dev without sim extras: r and --pf-region say so" {
	FAKEDEV_HW=1 run_split bash -c 'printf "r\nq\n" | env "$@"' _ "${FAKE_ENV[@]}" \
		"$GUNYAHCTL" run --backend dev --step "$HELLO"
	assert_equal "$status" 6
	assert_equal "$stderr" "gunyahctl: run: step: r: registers need the sim backend"
	assert_line --index 0 "vcpu0 #1 mmio read 0x09000018 len=4 data=0x00000000"
	FAKEDEV_HW=1 run_split env "${FAKE_ENV[@]}" "$GUNYAHCTL" run --backend dev \
		--pf-region 0x90000000:0x1000 "$HELLO"
	assert_equal "$status" 69
	assert_equal "$stderr" "gunyahctl: run: backend dev (/dev/gunyah): --pf-region 0x90000000: needs the sim backend"
}
