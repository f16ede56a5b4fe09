#!/usr/bin/env bats
# gunyahctl run --step: stepping driven through a pipe (and a terminal).

setup() { load run_helpers; }

# step "COMMANDS" ARG...: run with COMMANDS (printf format) on stdin.
step() {
	local cmds=$1
	shift
	run_split bash -c 'printf "$1" | "$GUNYAHCTL" run "${@:2}"' _ "$cmds" "$@"
}

@test "each command line runs to the next exit; end of input quits" {
	step 's\ns\n' --step --uart $UART "$HELLO"
	assert_equal "$status" 6
	assert_equal "$stderr" ""
	assert_line --index 0 "vcpu0 #1 mmio read 0x09000018 len=4 data=0x00000090 [uart]"
	assert_line --index 1 "vcpu0 #2 mmio write 0x09000000 len=4 data=0x00000048 [uart]"
	# A stop shows the console so far.
	assert_line --index 2 "H"
	assert_line --index 3 "vcpu0 #3 mmio read 0x09000018 len=4 data=0x00000090 [uart]"
	# Out of commands: the VM is force-stopped, no guest step more.
	assert_line --index 4 "vcpu0 #4 status exited type=forced_stop(7)"
	assert_line --index 5 --regexp '^summary: 4 exits .* result stopped, exit status 6$'
}

@test "an empty line steps too, and s N steps N exits" {
	step '\ns 3\n' --step --json --uart $UART "$HELLO"
	assert_equal "$status" 6
	assert_json_lines
	assert_equal "$(exits_json | jq -s -c '[.[] | .exit] ')" \
		'["mmio","mmio","mmio","mmio","mmio","status"]'
	assert_equal "$(exits_json | tail -n 1 | jq -r .status.exit_info.type)" forced_stop
}

@test "--step=N stops after every N exits" {
	step 's\n' --step=4 --uart $UART "$HELLO"
	assert_equal "$status" 6
	assert_equal "$(grep -c '^vcpu0 #[0-9]* mmio' <<<"$output")" 8
	assert_line "vcpu0 #9 status exited type=forced_stop(7)"
}

@test "c continues to the end: the same run as without --step" {
	step 's\nc\n' --step --uart $UART "$HELLO"
	assert_success
	assert_equal "$stderr" ""
	# "H" came out at the stop, the rest of the line at its newline.
	assert_line --index 2 "H"
	assert_line "ello, Gunyah!"
	assert_line "vcpu0 #31 status exited type=poweroff(1) reason=0x00000000"
	assert_output --partial "result poweroff, exit status 0"
}

@test "r shows the registers at the stop (sim), in text and JSON" {
	# Stopped at the first exit: the flag register read, ldr w4, [x1, #0x18].
	step 'r\n' --step --uart $UART "$HELLO"
	assert_line --index 1 "vcpu0 registers:"
	# x0: the device tree every run gets, in the top page of RAM
	assert_line --index 2 --regexp '^  x0  0x0000000087fff000  x1  0x0000000009000000  x2  0x000000008000002d  x3  0x0000000000000048$'
	assert_output --regexp '  pc  0x0000000080000010  pstate 0x000003c5'
	step 'r\ns\nr 0\n' --step --json --uart $UART "$HELLO"
	assert_json_lines
	assert_equal "$(jq -r 'select(.event == "regs") | "\(.vcpu) \(.pc) \(.x[1]) \(.x[3]) \(.x | length)"' <<<"$output")" \
		"0 0x0000000080000010 0x0000000009000000 0x0000000000000048 31
0 0x0000000080000018 0x0000000009000000 0x0000000000000048 31"
}

@test "m dumps guest memory, in text and JSON" {
	step 'm 0x80000000 16\nm 0x8000002c 14\n' --step --json --uart $UART "$HELLO"
	assert_json_lines
	assert_equal "$(jq -r 'select(.event == "memory") | "\(.addr) \(.len) \(.data)"' <<<"$output" | head -n 1)" \
		"0x0000000080000000 16 $(hex_bytes -N 16 "$E/hello.bin")"
	# The message, as it sits in RAM.
	assert_equal "$(jq -r 'select(.event == "memory") | .data' <<<"$output" | tail -n 1)" \
		"$(printf 'Hello, Gunyah!' | hex_bytes)"
	step 'm 0x8000002c 14\n' --step --uart $UART "$HELLO"
	assert_line --index 1 "0x8000002c: 48 65 6c 6c 6f 2c 20 47 75 6e 79 61 68 21        |Hello, Gunyah!|"
}

@test "bad commands are reported on stderr and stepping goes on" {
	step 'bogus\nr 5\nm\nm 0x1000\nm 0x80000000 99999\ns\n' --step --json --uart $UART "$HELLO"
	assert_equal "$status" 6
	assert_json_lines
	assert_equal "$stderr" "gunyahctl: run: step: bogus: unknown command (h lists them)
gunyahctl: run: step: r 5: no such vCPU (0 to 0)
gunyahctl: run: step: m: want an address: m ADDR [LEN]
gunyahctl: run: step: m 0x1000 64: not in guest RAM
gunyahctl: run: step: m: 99999: want a length of 1 to 4096"
	assert_equal "$(exits_json | jq -s length)" 3
}

@test "m past the end of RAM says which part is outside (issue 17 item 17)" {
	step 'm 0x87fffff0 64\nm 0x87fffff0 16\nm 0x88000000 4\n' --step --json --uart $UART "$HELLO"
	assert_equal "$status" 6
	assert_equal "$stderr" "gunyahctl: run: step: m 0x87fffff0 64: [0x88000000, 0x88000030) is not in guest RAM (only the first 16 bytes are)
gunyahctl: run: step: m 0x88000000 4: not in guest RAM"
	# The 16 bytes that are in RAM can be read.
	assert_equal "$(jq -r 'select(.event == "memory") | "\(.addr) \(.len)"' <<<"$output")" "0x0000000087fffff0 16"
}

@test "q force-stops the VM: every vCPU reports one status exit" {
	step 'q\n' --step --vcpus 2 "$G/smp_writes.elf"
	assert_equal "$status" 6
	assert_line --index 0 "vcpu0 #1 mmio write 0x09000010 len=4 data=0x00000100"
	assert_equal "$(grep -c '^vcpu0 #[0-9]* status exited type=forced_stop(7)$' <<<"$output")" 1
	assert_equal "$(grep -c '^vcpu1 #[0-9]* status exited type=forced_stop(7)$' <<<"$output")" 1
	assert_equal "$(grep -c '^vcpu[01] #' <<<"$output")" 3
}

@test "stepping two vCPUs: one exit per step, in order per vCPU" {
	step 's\ns\ns\ns\ns\ns\ns\ns\nc\n' --step --json --vcpus 2 "$G/smp_writes.elf"
	assert_success
	assert_json_lines
	assert_equal "$(exits_json | jq -s -c '[.[].seq]')" "[$(seq -s, 1 17)]"
	assert_equal "$(exits_json | jq -r 'select(.vcpu == 0 and .exit == "mmio") | .mmio.data' | tr '\n' ' ')" \
		"0x100 0x101 0x102 0x103 0x104 0x105 0x106 0x107 0x108 0x109 "
	assert_equal "$(exits_json | jq -r 'select(.vcpu == 1 and .exit == "mmio") | .mmio.data' | tr '\n' ' ')" \
		"0x200 0x201 0x202 0x203 0x204 "
}

@test "a paused VM still honours --timeout" {
	# stdin stays open and silent (a FIFO we also hold open for writing):
	# the run waits at the first stop.
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	# 1 s: time for the first exit, even on a loaded machine.
	run_split bash -c '"$GUNYAHCTL" run --step --timeout 1 "$@" <>"$BATS_TEST_TMPDIR/fifo"' _ --uart $UART "$HELLO"
	assert_equal "$status" 5
	assert_line --index 1 "vcpu0 #2 status exited type=forced_stop(7)"
}

@test "a terminal gets a prompt on stderr" {
	command -v script >/dev/null || skip "no script(1)"
	run bash -c '{ printf "s\n"; sleep 0.3; printf "q\n"; } | script -qec "$1" /dev/null' _ \
		"$GUNYAHCTL run --step --uart $UART $HELLO"
	assert_output --partial "step> "
	assert_output --partial "vcpu0 #2 mmio write 0x09000000 len=4 data=0x00000048 [uart]"
	assert_output --partial "status exited type=forced_stop(7)"
}

@test "at a terminal, q ends a step that never comes" {
	command -v script >/dev/null || skip "no script(1)"
	# After the selector read the guest spins: the step never ends.
	start=$(date +%s%N)
	run bash -c '{ printf "s\n"; sleep 0.3; printf "q\n"; sleep 1; } | script -qec "$1" /dev/null' _ \
		"$GUNYAHCTL run --step --mmio-read 0x09000200=7 $G/exit_by.elf"
	assert_output --partial "vcpu0 #2 status exited type=forced_stop(7)"
	assert_output --partial "result stopped, exit status 6"
}

@test "p pauses a free-running guest, then r shows where it is" {
	mkfifo "$BATS_TEST_TMPDIR/cmds"
	"$GUNYAHCTL" run --step --json --mmio-read 0x09000200=7 "$G/exit_by.elf" \
		<"$BATS_TEST_TMPDIR/cmds" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	# p once the guest spins (its vCPU thread has used CPU time there).
	exec {cmds}>"$BATS_TEST_TMPDIR/cmds"
	printf 'c\n' >&$cmds
	eventually spun $pid 2
	printf 'p\nr\nq\n' >&$cmds
	exec {cmds}>&-
	wait $pid && rc=0 || rc=$?
	assert_equal "$rc" 6
	run cat "$BATS_TEST_TMPDIR/out"
	assert_json_lines
	# Paused in the spin loop (two instructions), x11 counting.
	spin=$((0x$(aarch64-linux-gnu-nm "$G/exit_by.elf" | awk '$3 == "spin" { print $1 }')))
	pc=$(jq -r 'select(.event == "regs") | .pc' <<<"$output")
	((pc == spin || pc == spin + 4)) || fail "pc $pc, spin loop at $spin"
	assert_equal "$(jq -r 'select(.event == "regs") | .x[11] != "0x0000000000000000"' <<<"$output")" true
}
