#!/usr/bin/env bats
# gunyahctl run: free-running guests, every exit kind in text and JSON.

setup() { load run_helpers; }

@test "run --help shows the synopsis and the exit statuses" {
	run gunyahctl run --help
	assert_success
	assert_line --index 0 "Usage: gunyahctl run [OPTION...] IMAGE"
	assert_output --partial "--uart=ADDR"
	assert_output --partial "--step[=N]"
	assert_output --partial "5   --timeout stopped it"
}

@test "hello over the UART: console, every exit, summary (text)" {
	run_split gunyahctl run --uart $UART "$HELLO"
	assert_success
	assert_equal "$stderr" ""
	# Per byte: a read of the flag register, a write of the data register.
	assert_line --index 0 "vcpu0 #1 mmio read 0x09000018 len=4 data=0x00000090 [uart]"
	assert_line --index 1 "vcpu0 #2 mmio write 0x09000000 len=4 data=0x00000048 [uart]"
	assert_line --index 3 "vcpu0 #4 mmio write 0x09000000 len=4 data=0x00000065 [uart]"
	assert_line --index 30 "$HELLO_TEXT"
	assert_line --index 31 "vcpu0 #31 status exited type=poweroff(1) reason=0x00000000"
	assert_line --index 32 --regexp '^summary: 31 exits in [0-9.]+ s \([0-9]+ exits/s\); result poweroff, exit status 0$'
	assert_line --index 33 "  vcpu0: 31 exits, mmio 30 (15 read, 15 write), status 1"
	# The host's handling time per kind (avg, p99, max), kinds seen only.
	assert_line --index 34 --regexp '^  host time mmio_read: avg [0-9.]+ us, p99 [0-9.]+ us, max [0-9.]+ us$'
	assert_line --index 35 --regexp '^  host time mmio_write: avg [0-9.]+ us, p99 [0-9.]+ us, max [0-9.]+ us$'
	assert_line --index 36 --regexp '^  host time status: avg [0-9.]+ us, p99 [0-9.]+ us, max [0-9.]+ us$'
	assert_equal "${#lines[@]}" 37
}

@test "hello in JSON: one object per exit, bytes and order as the guest did them" {
	run_split gunyahctl run --json --uart $UART "$HELLO"
	assert_success
	assert_equal "$stderr" ""
	assert_json_lines
	# seq runs 1..31 without gaps, all on vCPU 0.
	assert_equal "$(exits_json | jq -s -c '[.[].seq]')" "[$(seq -s, 1 31)]"
	assert_equal "$(exits_json | jq -s -c '[.[].vcpu] | unique')" "[0]"
	# The data register got the message, one 4-byte store per character.
	run_text=$(exits_json | jq -r 'select(.exit == "mmio" and .mmio.is_write) |
		select(.mmio.phys_addr == "0x0000000009000000" and .mmio.len == 4) |
		.mmio.data' | while read -r d; do printf "\\x${d#0x}"; done)
	assert_equal "$run_text" "$HELLO_TEXT"
	# Reads of the flag register return "FIFOs empty" and are resumed.
	assert_equal "$(exits_json | jq -r 'select(.exit == "mmio" and (.mmio.is_write | not)) |
		[.mmio.phys_addr, .mmio.len, .mmio.data, .resume, .region] | join(" ")' | sort -u)" \
		"0x0000000009000018 4 0x90 handled uart"
	# The exact shape of one MMIO record.
	assert_equal "$(exits_json | sed -n 2p | jq -c 'del(.t_ns)')" \
		'{"seq":2,"vcpu":0,"exit":"mmio","mmio":{"phys_addr":"0x0000000009000000","len":4,"is_write":true,"data":"0x48"},"resume":"handled","region":"uart"}'
	assert_equal "$(exits_json | tail -n 1 | jq -c 'del(.t_ns)')" \
		'{"seq":31,"vcpu":0,"exit":"status","status":{"state":"exited","exit_info":{"type":"poweroff","type_code":1,"reason_size":4,"reason":"0x00000000"}}}'
	# t_ns never goes back on one vCPU.
	exits_json | jq -s -e '[.[].t_ns] | . == sort and all(. > 0)' >/dev/null
	assert_equal "$(jq -r 'select(.event == "console") | .text' <<<"$output")" "$HELLO_TEXT"
	assert_equal "$(summary_jq '[.result, .exit_code, .exits, .counts.mmio_read, .counts.mmio_write, .counts.status, .console_bytes] | join(" ")')" \
		"poweroff 0 31 15 15 1 15"
	summary_jq '.exits_per_s > 0 and .wall_ns > 0 and (.vcpus | length) == 1' | grep -qx true
}

@test "MMIO of every width: data, lengths, scripted reads, sign extension" {
	run gunyahctl run --json \
		--mmio-read 0x09000010=0xfffffffffffff0f0 \
		--mmio-read 0x09000011=0x80 --mmio-read 0x09000012=0x80 \
		--mmio-read 0x09000014=0x1ffff --mmio-read 0x09000016=0x8001 \
		--mmio-read 0x09000018=0x8001 --mmio-read 0x09000020=0xaabbccdd80000000 \
		--mmio-read 0x09000024=0x80000000 --mmio-read 0x09000028=0x0123456789abcdef \
		--mmio-read 0x09000048=0x5a5a \
		"$G/mmio_widths.elf"
	assert_success
	assert_json_lines
	mapfile -t got < <(exits_json | jq -r 'select(.exit == "mmio") |
		"\(if .mmio.is_write then "w" else "r" end) \(.mmio.phys_addr) \(.mmio.len) \(.mmio.data)"')
	want=(
		"w 0x0000000009000000 1 0x88" "w 0x0000000009000002 2 0x7788" "w 0x0000000009000004 4 0x55667788"
		"w 0x0000000009000008 8 0x1122334455667788"
		"r 0x0000000009000010 1 0xf0" "w 0x0000000009000100 8 0xf0"
		"r 0x0000000009000011 1 0x80" "w 0x0000000009000100 8 0xffffff80"
		"r 0x0000000009000012 1 0x80" "w 0x0000000009000100 8 0xffffffffffffff80"
		"r 0x0000000009000014 2 0xffff" "w 0x0000000009000100 8 0xffff"
		"r 0x0000000009000016 2 0x8001" "w 0x0000000009000100 8 0xffff8001"
		"r 0x0000000009000018 2 0x8001" "w 0x0000000009000100 8 0xffffffffffff8001"
		"r 0x0000000009000020 4 0x80000000" "w 0x0000000009000100 8 0x80000000"
		"r 0x0000000009000024 4 0x80000000" "w 0x0000000009000100 8 0xffffffff80000000"
		"r 0x0000000009000028 8 0x123456789abcdef" "w 0x0000000009000100 8 0x123456789abcdef"
		"r 0x0000000009000048 8 0x5a5a" "w 0x0000000009000100 8 0x5a5a"
	)
	assert_equal "$(printf '%s\n' "${got[@]}")" "$(printf '%s\n' "${want[@]}")"
	assert_equal "$(summary_jq '.result')" poweroff
}

@test "JSON addresses are 16 digits: a jq range on the strings picks what the numbers do" {
	run gunyahctl run --json "$G/mmio_widths.elf"
	assert_success
	assert_equal "$(exits_json | jq -r 'select(.exit == "mmio") | .mmio.phys_addr | length' | sort -u)" 18
	by_str=$(exits_json | jq -r 'select(.exit == "mmio" and .mmio.phys_addr >= "0x0000000009000010"
		and .mmio.phys_addr < "0x0000000009000100") | .seq' | tr '\n' ' ')
	by_num=$(exits_json | jq -r 'select(.exit == "mmio") | "\(.seq) \(.mmio.phys_addr)"' |
		while read -r seq a; do ((a >= 0x9000010 && a < 0x9000100)) && echo "$seq"; done | tr '\n' ' ')
	[[ -n $by_num ]]
	assert_equal "$by_str" "$by_num"
}

@test "the same exits in text: widths set the digits shown" {
	run gunyahctl run --mmio-read 0x09000011=0x80 "$G/mmio_widths.elf"
	assert_success
	assert_line --index 0 "vcpu0 #1 mmio write 0x09000000 len=1 data=0x88"
	assert_line --index 1 "vcpu0 #2 mmio write 0x09000002 len=2 data=0x7788"
	assert_line --index 3 "vcpu0 #4 mmio write 0x09000008 len=8 data=0x1122334455667788"
	assert_line --index 4 "vcpu0 #5 mmio read 0x09000010 len=1 data=0x00"
	assert_line --index 6 "vcpu0 #7 mmio read 0x09000011 len=1 data=0x80"
	assert_line --index 7 "vcpu0 #8 mmio write 0x09000100 len=8 data=0x00000000ffffff80"
}

@test "scripted reads return their values in turn, the last repeating" {
	run gunyahctl run --mmio 0x0a000000:0x2000:dev \
		--mmio-read 0x0a000000=0x47554e59 --mmio-read 0x0a000008=0,0,0,0,1 \
		"$E/mmio_probe.elf"
	assert_success
	assert_equal "$(grep -c 'mmio read 0x0a000008' <<<"$output")" 5
	assert_line "vcpu0 #7 mmio read 0x0a000008 len=4 data=0x00000001 [dev]"
	assert_line "vcpu0 #8 mmio write 0x0a00000c len=4 data=0x00000001 [dev]"
	# No --fault: the second device reads 0, and the driver says so.
	assert_line "vcpu0 #10 mmio write 0x0a001010 len=4 data=0x0000dead [dev]"
}

@test "--fault: the access is answered FAULT and the guest takes the abort" {
	run gunyahctl run --fault 0x09000040 "$G/mmio_fault.elf"
	assert_success
	assert_line --index 0 "vcpu0 #1 mmio read 0x09000040 len=4 data=0x00000000 resume=fault"
	# The guest's handler saw FAR = the address, ESR = data abort (EC 0x25).
	assert_line --index 1 "vcpu0 #2 mmio write 0x09000110 len=8 data=0x0000000009000040"
	assert_line --index 2 "vcpu0 #3 mmio write 0x09000118 len=8 data=0x0000000096000010"
	# The load was skipped: the register kept its value.
	assert_line --index 3 "vcpu0 #4 mmio write 0x09000100 len=8 data=0x0000000000000077"
	run gunyahctl run --json --fault 0x09000040 "$G/mmio_fault.elf"
	assert_equal "$(exits_json | head -n 1 | jq -r '.resume')" fault
	# Without --fault the same read is handled and returns 0.
	run gunyahctl run "$G/mmio_fault.elf"
	assert_line --index 0 "vcpu0 #1 mmio read 0x09000040 len=4 data=0x00000000"
	assert_line --index 1 "vcpu0 #2 mmio write 0x09000100 len=8 data=0x0000000000000000"
}

@test "named MMIO regions label their exits, others stay unlabelled" {
	run gunyahctl run --json --mmio 0x0a000000:0x1000:dev0 \
		--mmio 0x0a001000:4K:dev1 --mmio-read 0x0a000000=0x47554e59 \
		--mmio-read 0x0a000008=1 --fault 0x0a001000 "$E/mmio_probe.elf"
	assert_success
	assert_equal "$(exits_json | jq -r 'select(.exit == "mmio") | .region' | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" \
		"dev0=4 dev1=3 "
	run gunyahctl run --json "$G/mmio_fault.elf"
	assert_equal "$(exits_json | jq -r 'select(has("region"))' | wc -l)" 0
}

status_case() { # selector, text status line, exit status[, its index]
	run_split gunyahctl run --mmio-read 0x09000200=$1 "$G/exit_by.elf"
	assert_equal "$status" "$3"
	assert_line --index "${4:-1}" "$2"
}

@test "every way a VM ends: status exit and exit status" {
	status_case 0 "vcpu0 #2 status exited type=poweroff(1) reason=0x00000000" 0
	status_case 1 "vcpu0 #2 status exited type=restart(2) reason=0x00000001" 2
	status_case 2 "vcpu0 #2 status exited type=system_reset2(3) reason=0x00001234" 2
	status_case 3 "vcpu0 #2 status crashed type=vm_exit(0)" 3 2
	[[ $stderr == *"VM crashed"* ]]
	# what crashed it comes first: a BRK with no vector table
	assert_line --index 1 --regexp '^vcpu0 crash EC=0x3c \(BRK\) ESR=0xf2000000 FAR=0 ELR=0x[0-9a-f]+ PC=0x[0-9a-f]+ VBAR=0: a BRK with no vector table \(VBAR_EL1=0\)$'
	status_case 4 "vcpu0 #2 status exited type=watchdog_bite(4) reason=0x00000000" 3
	status_case 5 "vcpu0 #2 status exited type=vm_exit(0) reason=0x00000000 code=normal" 0
	status_case 6 "vcpu0 #2 status exited type=vm_exit(0) reason=0x00010000 code=software_error" 3
}

@test "status exits in JSON: state, type, code, reason" {
	run gunyahctl run --json --mmio-read 0x09000200=2 "$G/exit_by.elf"
	assert_equal "$status" 2
	assert_json_lines
	assert_equal "$(exits_json | tail -n 1 | jq -c '.status')" \
		'{"state":"exited","exit_info":{"type":"system_reset2","type_code":3,"reason_size":4,"reason":"0x00001234"}}'
	assert_equal "$(summary_jq '.result + " " + (.exit_code | tostring)')" "reset 2"
	run_split gunyahctl run --json --mmio-read 0x09000200=3 "$G/exit_by.elf"
	assert_equal "$status" 3
	assert_equal "$(exits_json | tail -n 1 | jq -c '.status')" \
		'{"state":"crashed","exit_info":{"type":"vm_exit","type_code":0,"reason_size":0,"reason":"0x0"}}'
}

@test "a VM that cannot start reports load_failed and exits 4" {
	run_split gunyahctl run --entry 0x1000 "$HELLO"
	assert_equal "$status" 4
	assert_line --index 0 "vcpu0 #1 status load_failed type=vm_exit(0)"
	[[ $stderr == *"cannot start the VM: Invalid argument"* ]]
	run_split gunyahctl run --json --entry 0x1000 "$HELLO"
	assert_json_lines
	assert_equal "$(summary_jq .result)" load_failed
}

@test "page faults: fail stops the VM with a clear message and exit status 7" {
	run_split gunyahctl run --pf-region 0x90000000:0x10000 "$G/pf_touch.elf"
	assert_equal "$status" 7
	assert_line --index 0 "vcpu0 #1 page_fault 0x90000000 attempt=0 resume=none"
	assert_line --index 1 "vcpu0 #2 status exited type=forced_stop(7)"
	assert_equal "$stderr" "gunyahctl: run: vcpu0: page fault at 0x90000000: no memory there (--on-page-fault=retry maps a zero page)"
}

@test "page faults: fail does not touch the guest: no abort, one message, the record agrees (issue 17 item 15)" {
	# mmio_loop has no vector table: an abort handed to it crashes the VM.
	run_split gunyahctl run --json --pf-region 0x9000000:0x10000 "$G/mmio_loop.elf"
	assert_equal "$status" 7
	assert_json_lines
	assert_equal "$stderr" "gunyahctl: run: vcpu0: page fault at 0x09000000: no memory there (--on-page-fault=retry maps a zero page)"
	assert_equal "$(exits_json | jq -s -c 'map([.exit, .resume // null, .status.exit_info.type // null])')" \
		'[["page_fault","none",null],["status",null,"forced_stop"]]'
	assert_equal "$(summary_jq '"\(.result) \(.status.state) \(.status.exit_info.type_code)"')" "vcpu_failed exited 7"
	# Four vCPUs, each faulting: none of them crashes the VM either.
	run_split gunyahctl run --vcpus 4 --pf-region 0x9000000:0x10000 "$G/mmio_loop.elf"
	assert_equal "$status" 7
	refute_output --partial crashed
	[[ $stderr != *crashed* ]] || fail "$stderr"
	assert_equal "$(grep -c 'status exited type=forced_stop(7)$' <<<"$output")" 4
}

@test "page faults: retry maps a zero page and the guest goes on" {
	run gunyahctl run --pf-region 0x90000000:0x10000 --on-page-fault=retry "$G/pf_touch.elf"
	assert_success
	assert_line --index 0 "vcpu0 #1 page_fault 0x90000000 attempt=0 resume=retry"
	assert_line --index 1 "vcpu0 #2 mmio write 0x09000100 len=8 data=0x0000000000001234"
	assert_line --index 2 "vcpu0 #3 page_fault 0x90001008 attempt=0 resume=retry"
	assert_line --index 3 "vcpu0 #4 mmio write 0x09000108 len=8 data=0x0000000000000000"
	run gunyahctl run --json --pf-region 0x90000000:0x10000 --on-page-fault=retry "$G/pf_touch.elf"
	assert_json_lines
	assert_equal "$(exits_json | head -n 1 | jq -c 'del(.t_ns)')" \
		'{"seq":1,"vcpu":0,"exit":"page_fault","page_fault":{"phys_addr":"0x0000000090000000","attempt":0},"resume":"retry"}'
	assert_equal "$(summary_jq '.counts.page_fault')" 2
}

@test "page faults: fault hands the abort to the guest" {
	run gunyahctl run --pf-region 0x90000000:0x10000 --on-page-fault=fault "$G/pf_touch.elf"
	assert_success
	assert_line --index 0 "vcpu0 #1 page_fault 0x90000000 attempt=0 resume=fault"
	assert_line --index 1 "vcpu0 #2 mmio write 0x09000110 len=8 data=0x0000000090000000"
	# ESR: a data abort on a write (WnR, bit 6).
	assert_line --index 2 "vcpu0 #3 mmio write 0x09000118 len=8 data=0x0000000096000050"
}

@test "raw images load at the RAM base, or at --load-addr and start there" {
	run gunyahctl run -q --uart $UART "$E/hello.bin"
	assert_success
	assert_output "$HELLO_TEXT"
	run gunyahctl run -q --uart $UART --load-addr 0x80100000 "$E/hello.bin"
	assert_success
	assert_output "$HELLO_TEXT"
	# An explicit entry wins: here the zeroed RAM base, an undefined insn.
	run_split gunyahctl run --load-addr 0x80100000 --entry 0x80000000 "$E/hello.bin"
	assert_equal "$status" 3
	assert_line --index 0 "vcpu0 crash EC=0 (unknown reason) ESR=0x2000000 FAR=0 ELR=0x80000000 PC=0x80000000 VBAR=0: an undefined instruction with no vector table (VBAR_EL1=0)"
	assert_line --index 1 "vcpu0 #1 status crashed type=vm_exit(0)"
}

@test "ELF images load their segments and start at their entry" {
	# The ELF is the same program as the raw image: same exits.
	run gunyahctl run --json --uart $UART "$HELLO"
	elf=$(exits_json | jq -c 'del(.t_ns)')
	run gunyahctl run --json --uart $UART "$E/hello.bin"
	assert_equal "$(exits_json | jq -c 'del(.t_ns)')" "$elf"
	# A segment may load anywhere in RAM: RAM elsewhere, same program.
	run gunyahctl run -q --uart $UART --ram-base 0x80000000 --mem 64K "$HELLO"
	assert_success
	assert_output "$HELLO_TEXT"
}

@test "two vCPUs: PSCI start, per-vCPU order, one status exit each" {
	run gunyahctl run --json --vcpus 2 "$G/smp_writes.elf"
	assert_success
	assert_json_lines
	assert_equal "$(exits_json | jq -s -c '[.[].seq]')" "[$(seq -s, 1 17)]"
	assert_equal "$(exits_json | jq -r 'select(.vcpu == 0 and .exit == "mmio") | .mmio.data' | tr '\n' ' ')" \
		"0x100 0x101 0x102 0x103 0x104 0x105 0x106 0x107 0x108 0x109 "
	assert_equal "$(exits_json | jq -r 'select(.vcpu == 1 and .exit == "mmio") | .mmio.phys_addr + "=" + .mmio.data' | tr '\n' ' ')" \
		"0x0000000009000020=0x200 0x0000000009000020=0x201 0x0000000009000020=0x202 0x0000000009000020=0x203 0x0000000009000020=0x204 "
	# Each vCPU's last exit is its one status exit.
	for v in 0 1; do
		assert_equal "$(exits_json | jq -r "select(.vcpu == $v) | .exit" | tail -n 1)" status
		assert_equal "$(exits_json | jq -r "select(.vcpu == $v and .exit == \"status\")" | jq -s length)" 1
	done
	assert_equal "$(summary_jq '[.vcpus[] | "\(.vcpu):\(.exits):\(.counts.status)"] | join(" ")')" "0:11:1 1:6:1"
}

@test "a vCPU never started still reports the VM's status exit" {
	run gunyahctl run --vcpus 3 "$G/smp_writes.elf"
	assert_success
	assert_line --regexp '^vcpu2 #[0-9]+ status exited type=poweroff\(1\) reason=0x00000000$'
	assert_equal "$(grep -c '^vcpu2 ' <<<"$output")" 1
	assert_line "  vcpu2: 1 exit, status 1"
	assert_line "  total: 18 exits, mmio 15 (0 read, 15 write), status 3"
}

@test "the smp example prints both vCPUs' console lines" {
	run gunyahctl run -q --vcpus 2 --uart $UART "$E/smp.elf"
	assert_success
	assert_output "cpu0: starting cpu1
cpu1: hello, turning myself off
cpu0: cpu1 is off, powering down"
}

@test "--quiet leaves only the console; JSON keeps console events" {
	run_split gunyahctl run --quiet --uart $UART "$HELLO"
	assert_success
	assert_output "$HELLO_TEXT"
	run gunyahctl run --quiet --json --uart $UART "$HELLO"
	assert_output '{"event":"console","text":"Hello, Gunyah!\n"}'
}

@test "--max-exits stops the VM after N exits" {
	run gunyahctl run --max-exits 3 --uart $UART "$HELLO"
	assert_equal "$status" 6
	assert_line --index 2 "vcpu0 #3 mmio read 0x09000018 len=4 data=0x00000090 [uart]"
	# The console byte written before the stop, then the stop.
	assert_line --index 3 "H"
	assert_line --index 4 "vcpu0 #4 status exited type=forced_stop(7)"
	assert_equal "$(grep -c '^vcpu0 #[0-9]* mmio ' <<<"$output")" 3
	assert_output --partial "result stopped, exit status 6"
}

@test "--timeout force-stops a spinning guest: exit type 7, status 5" {
	start=$(date +%s%N)
	run gunyahctl run --json --timeout 0.3 --mmio-read 0x09000200=7 "$G/exit_by.elf"
	elapsed=$((($(date +%s%N) - start) / 1000000))
	assert_equal "$status" 5
	assert_json_lines
	assert_equal "$(exits_json | tail -n 1 | jq -c '.status')" \
		'{"state":"exited","exit_info":{"type":"forced_stop","type_code":7,"reason_size":0,"reason":"0x0"}}'
	assert_equal "$(summary_jq .result)" timeout
	# Never early; how late is the machine's load (30 s: a hang).
	((elapsed >= 290 && elapsed < 30000)) || fail "took ${elapsed} ms"
}

@test "--timeout also ends a guest idle in WFI, and two vCPUs" {
	# 1 s: time for the first exits, even on a loaded machine.
	run gunyahctl run --timeout 1 --vcpus 2 --mmio-read 0x09000200=8 "$G/exit_by.elf"
	assert_equal "$status" 5
	assert_line --regexp '^vcpu0 #[23] status exited type=forced_stop\(7\)$'
	assert_line --regexp '^vcpu1 #[23] status exited type=forced_stop\(7\)$'
}

# signalled SIGNAL ARG...: run, send SIGNAL once run takes it as a stop
# request (and, with SPINS=1, once the guest spins); $status and $output
# (stdout and stderr) as bats' run sets them.
signalled() {
	local sig=$1 out=$BATS_TEST_TMPDIR/out pid
	shift
	"$GUNYAHCTL" run "$@" >"$out" 2>&1 &
	pid=$!
	eventually blocks $pid "$(kill -l "$sig")"
	[[ -z ${SPINS:-} ]] || eventually spun $pid 2
	kill -"$sig" $pid
	wait $pid && status=0 || status=$?
	output=$(cat "$out")
	mapfile -t lines <"$out"
}

@test "SIGINT stops the VM cleanly and prints the summary" {
	SPINS=1 signalled INT --mmio-read 0x09000200=7 "$G/exit_by.elf"
	assert_equal "$status" 6
	assert_line "vcpu0 #2 status exited type=forced_stop(7)"
	assert_line --regexp '^summary: 2 exits in .*result stopped, exit status 6$'
}

@test "SIGTERM does the same" {
	signalled TERM --json --mmio-read 0x09000200=8 "$G/exit_by.elf"
	assert_equal "$status" 6
	assert_json_lines
	assert_equal "$(summary_jq .status.exit_info.type)" forced_stop
}

@test "errors go to stderr, never into the JSON on stdout" {
	run_split gunyahctl run --json --pf-region 0x90000000:0x1000 "$G/pf_touch.elf"
	assert_equal "$status" 7
	assert_json_lines
	[[ $stderr == "gunyahctl: run: vcpu0: page fault at 0x90000000"* ]]
	assert_equal "$(summary_jq .result)" vcpu_failed
}

@test "issue 17 item 18: one exit is '1 exit'; usage errors read 'gunyahctl: run: ...'; addresses as 0x%08x in messages and records" {
	# spin never exits: the forced stop of --timeout is its one exit
	run_split gunyahctl run --timeout 0.1 "$G/spin.elf"
	assert_equal "$status" 5
	assert_line --regexp '^summary: 1 exit in [0-9.]+ s '
	run_split gunyahctl run --max-exits 1 --uart $UART "$HELLO"
	assert_line --regexp '^summary: 2 exits in [0-9.]+ s '
	run_split gunyahctl run --no-such-option "$HELLO"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: unrecognized option '--no-such-option'"
	# mmio_loop's first store is to 0x9000000; --timeout only guards a hang
	run_split gunyahctl run --timeout 60 --pf-region 0x9000000:0x10000 "$G/mmio_loop.elf"
	assert_equal "$status" 7
	assert_line --index 0 "vcpu0 #1 page_fault 0x09000000 attempt=0 resume=none"
	assert_equal "$stderr" "gunyahctl: run: vcpu0: page fault at 0x09000000: no memory there (--on-page-fault=retry maps a zero page)"
}

@test "issue 17 item 18: JSON writes / as itself, not \\/" {
	run gunyahctl info --json
	assert_success
	assert_output --partial '"path":"/dev/gunyah"'
	refute_output --partial '\/'
	run gunyahctl run --json --timeout 60 --pf-region 0x9000000:0x10000 "$G/mmio_loop.elf"
	assert_equal "$status" 7
	refute_output --partial '\/'
}
