#!/usr/bin/env bats
# Controlling named VMs: pause, resume, step, stop, wait.

setup() {
	load admin_helpers
	admin_setup
}

teardown() { admin_teardown; }

@test "pause stops the exit counters; resume lets them go on" {
	start_vm vm "$TICK"
	eventually bash -c '(( $("$GUNYAHCTL" stat --json vm | jq .exits) > 100 ))'
	run gunyahctl pause vm
	assert_success
	assert_output ""
	a=$(stat_jq vm .exits)
	# The vCPU leaves RUN within a time slice (of its thread's: a loaded
	# machine may take a while): the counters stand still meanwhile.
	eventually bash -c '[[ $("$GUNYAHCTL" stat --json vm | jq -r ".vcpus[0].state") == paused ]]'
	run gunyahctl stat --json vm
	assert_equal "$(jq -r '[.state, .exits] | join(" ")' <<<"$output")" "paused $a"
	# The vCPU holds the exit it took, or waits between runs.
	assert_equal "$(jq -r '.vcpus[0].state' <<<"$output")" paused
	[[ $(jq -r '.vcpus[0].thread' <<<"$output") =~ ^(held|wait)$ ]]
	# Pausing again changes nothing.
	run gunyahctl pause vm
	assert_success
	assert_equal "$(stat_jq vm .exits)" "$a"
	run gunyahctl resume vm
	assert_success
	eventually bash -c "(( \$(\"\$GUNYAHCTL\" stat --json vm | jq .exits) > $a + 1000 ))"
	assert_equal "$(stat_jq vm .state)" running
}

@test "step N prints exactly N exits, the next ones, and leaves it paused" {
	start_vm vm "$TICK"
	gunyahctl pause vm
	a=$(stat_jq vm .exits)
	run_split gunyahctl step --json vm 7
	assert_success
	assert_equal "$stderr" ""
	assert_json_lines
	# Exactly 7 exit records, numbered on from the paused count.
	assert_equal "$(exits_json | jq -s -c '[.[].seq]')" "[$(seq -s, $((a + 1)) $((a + 7)))]"
	assert_equal "$(exits_json | jq -r '.mmio.phys_addr' | sort -u)" 0x0000000009000000
	assert_equal "$(stat_jq vm '[.state, .exits] | join(" ")')" "paused $((a + 7))"
	# Text, as run prints it; one exit by default.
	run_split gunyahctl step vm
	assert_success
	assert_equal "$stderr" ""
	assert_output --regexp "^vcpu0 #$((a + 8)) mmio write 0x09000000 len=4 data=0x000000[0-9a-f]{2}\$"
	run gunyahctl step vm 3
	assert_equal "${#lines[@]}" 3
	assert_line --index 2 --regexp "^vcpu0 #$((a + 11)) mmio write "
	assert_equal "$(stat_jq vm .exits)" $((a + 11))
}

@test "step shows the console the stepped exits wrote, as run does" {
	start_vm vm --uart $UART --step "$TICK"
	# run --step --detach starts paused, after its first exit.
	eventually bash -c '[[ $("$GUNYAHCTL" stat --json vm | jq -r .state) == paused ]]'
	assert_equal "$(stat_jq vm .exits)" 1
	run gunyahctl step vm 9
	assert_success
	# "t" was shown at the pause; then "ick\n" and "tick\n".
	assert_line --index 0 "vcpu0 #2 mmio write 0x09000000 len=4 data=0x00000069 [uart]"
	assert_line --index 3 "vcpu0 #5 mmio write 0x09000000 len=4 data=0x0000000a [uart]"
	assert_line --index 4 "ick"
	assert_line --index 9 "vcpu0 #10 mmio write 0x09000000 len=4 data=0x0000000a [uart]"
	assert_line --index 10 "tick"
	assert_equal "${#lines[@]}" 11
	# A line cut by the pause shows as far as it goes, on a line.
	run gunyahctl step vm 2
	assert_line --index 2 "ti"
	assert_equal "${#lines[@]}" 3
	run gunyahctl step --json vm 4
	assert_equal "$(jq -s -c 'map(select(.event == "console").text)' <<<"$output")" '["ck\n","t"]' 
	assert_equal "$(exits_json | wc -l)" 4
}

@test "step needs a paused VM; N is checked" {
	start_vm vm "$TICK"
	run_split gunyahctl step vm 2
	assert_equal "$status" 69
	assert_equal "$stderr" "gunyahctl: step: vm: not paused (pause it first)"
	assert_output ""
	for n in 0 x 1000000001; do
		run_split gunyahctl step vm "$n"
		assert_equal "$status" 64
		assert_equal "$stderr" "gunyahctl: step: $n: want a number of exits from 1 to 1000000000"
	done
	assert_equal "$(stat_jq vm .state)" running
}

@test "a step that does not finish in time gives up and leaves it paused" {
	# spin: no exit ever comes.
	start_vm vm --step "$SPIN"
	gunyahctl pause vm
	run_split gunyahctl step --timeout 0.2 vm
	assert_equal "$status" 75
	assert_equal "$stderr" "gunyahctl: step: vm: fewer than 1 exits in 0.2 s"
	eventually bash -c '[[ $("$GUNYAHCTL" stat --json vm | jq -r .state) == paused ]]'
}

@test "stop powers the VM off: exit type poweroff, run's status 0" {
	start_vm vm --vcpus 2 "$TICK"
	run_split gunyahctl stop vm
	assert_success
	assert_equal "$stderr" ""
	assert_not_exists "$RD/vm.sock"
	run gunyahctl wait --json vm
	assert_success
	assert_equal "$(jq -c '[.result, .exit_code, .status]' <<<"$output")" \
		'["poweroff",0,{"state":"exited","exit_info":{"type":"poweroff","type_code":1,"reason_size":4,"reason":"0x00000000"}}]'
}

@test "stop --force: exit type 7 (forced_stop), run's status 6" {
	start_vm vm "$TICK"
	run gunyahctl stop --force vm
	assert_success
	run gunyahctl wait --json vm
	assert_equal "$status" 6
	assert_equal "$(jq -c '[.result, .exit_code, .status.exit_info.type, .status.exit_info.type_code]' <<<"$output")" \
		'["stopped",6,"forced_stop",7]'
}

@test "stop works on a paused VM, and with every vCPU held" {
	start_vm vm --vcpus 4 "$G/smp_writes.elf"
	start_vm vm2 "$TICK"
	gunyahctl pause vm2
	run gunyahctl stop vm2
	assert_success
	run gunyahctl wait vm2
	assert_success
	assert_output "vm2: poweroff, exit status 0"
}

@test "wait blocks until the end and exits with run's status" {
	start_vm vm --timeout 0.4 "$SPIN"
	SECONDS=0
	run gunyahctl wait vm
	assert_equal "$status" 5
	assert_output "vm: timeout, exit status 5"
	# It has been collected: no second time.
	run_split gunyahctl wait vm
	assert_equal "$status" 66
	assert_equal "$stderr" "gunyahctl: wait: vm: no such VM"
	run gunyahctl list --json
	assert_output ""
}

@test "wait --timeout gives up without touching the VM; two waiters both get it" {
	start_vm vm "$TICK"
	run_split gunyahctl wait --timeout 0.2 vm
	assert_equal "$status" 75
	assert_equal "$stderr" "gunyahctl: wait: vm: still running after 0.2 s"
	assert_equal "$(stat_jq vm .state)" running
	gunyahctl wait --json vm >"$BATS_TEST_TMPDIR/w1" &
	w1=$!
	gunyahctl wait --json vm >"$BATS_TEST_TMPDIR/w2" &
	w2=$!
	# Both are connected before the stop.
	eventually has_conns vm 2
	gunyahctl stop --force vm
	wait $w1 || s1=$?
	wait $w2 || s2=$?
	assert_equal "${s1:-0} ${s2:-0}" "6 6"
	assert_equal "$(jq -r .result "$BATS_TEST_TMPDIR/w1")" stopped
	assert_equal "$(jq -r .result "$BATS_TEST_TMPDIR/w2")" stopped
}

@test "a VM that ends on its own is listed as exited until waited for" {
	start_vm hello --uart $UART "$HELLO"
	eventually test -f "$RD/hello.status"
	run gunyahctl list
	assert_line --index 1 --regexp '^hello +[0-9]+ +sim +1 +exited\(0\) +[0-9.]+s +31$'
	run gunyahctl status hello
	assert_success
	assert_line --index 1 "state:    exited"
	assert_line --index 2 "result:   poweroff, exit status 0"
	run_split gunyahctl pause hello
	assert_equal "$status" 66
	assert_equal "$stderr" "gunyahctl: pause: hello: not running: it ended (poweroff, exit status 0)"
	run gunyahctl wait hello
	assert_success
	run gunyahctl list --json
	assert_output ""
	# A new run of the name starts afresh.
	start_vm hello "$SPIN"
	assert_equal "$(gunyahctl status --json hello | jq -r .state)" running
}

@test "wait on a VM whose process was killed: no exit status" {
	start_vm vm "$TICK"
	pid=$(pid_of vm)
	gunyahctl wait vm 2>"$BATS_TEST_TMPDIR/err" &
	w=$!
	eventually has_conns vm 1
	kill -9 "$pid"
	wait $w || s=$?
	assert_equal "${s:-0}" 70
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "gunyahctl: wait: vm: the VM's process died without an exit status (its log: $RD/vm.log)"
	assert_not_exists "$RD/vm.sock"
	# Collected: the status goes, the log stays (17.2).
	assert_not_exists "$RD/vm.status"
	assert_exists "$RD/vm.log"
}

@test "dev backend: stop cannot power off (use --force), --force can" {
	fakedev_setup
	FAKEDEV_HW=1 run env "${FAKE_ENV[@]}" "$GUNYAHCTL" run --backend dev \
		--name dev --detach "$TICK"
	assert_success
	track_pid "$(pid_of dev)"
	assert_equal "$(gunyahctl status --json dev | jq -r .backend)" dev
	run_split gunyahctl stop dev
	assert_equal "$status" 69
	assert_equal "$stderr" "gunyahctl: stop: dev: power-off request: not supported by this backend, use --force"
	assert_equal "$(stat_jq dev .state)" running
	run gunyahctl stop --force dev
	assert_success
	# No forced stop on this device either: the vCPU threads are ended
	# and the VM goes with the process, without a status exit.
	run gunyahctl wait --json dev
	assert_equal "$status" 6
	assert_equal "$(jq -c '[.result, has("status")]' <<<"$output")" '["stopped",false]' 
}
