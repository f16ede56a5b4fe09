#!/usr/bin/env bats
# gunyahctl attach --dashboard: run's dashboard on a detached VM, in a
# tmux pane of 80x24 on a private server; keys sent with send-keys, the
# screen read with capture-pane, waits poll it with a deadline.

setup() {
	load admin_helpers
	admin_setup
	command -v tmux >/dev/null || fail "tmux is not installed (make deps)"
	D=$BATS_TEST_TMPDIR
	TMUX_SOCK=$D/tmux.sock
	unset TMUX
	# vCPU i reads i+1 times and writes 10(i+1) times to its device,
	# vCPU 0 says "ready" on the UART, all then idle.
	PATTERN=(--vcpus 3 --uart $UART --mmio 0x0a000000:0x100:dev0
		--mmio 0x0a000100:0x100:dev1 --mmio 0x0a000200:0x100:dev2
		"$G/dash_pattern.elf")
}

teardown() {
	[[ -S $TMUX_SOCK ]] && tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
	admin_teardown
}

tm() { tmux -S "$TMUX_SOCK" -f /dev/null "$@"; }

# A pane running gunyahctl attach --dashboard ARGS, then its exit status
# into $D/rc.
attach_start() {
	local q
	printf -v q '%q ' "$GUNYAHCTL" attach --dashboard "$@"
	cat >"$D/pane.sh" <<-EOF
		export XDG_RUNTIME_DIR=$(printf %q "$XDG_RUNTIME_DIR")
		$q 2>$(printf %q "$D/stderr")
		echo \$? >$(printf %q "$D/rc.tmp")
		mv $(printf %q "$D/rc.tmp") $(printf %q "$D/rc")
		exec sleep 600
	EOF
	tm new-session -d -x 80 -y 24 -s dash bash --norc --noprofile "$D/pane.sh"
}

read_screen() {
	screen=$(tm capture-pane -p -J -t dash | sed 's/ *$//')
	output=$screen
	mapfile -t lines <<<"$screen"
}

# Wait (up to $2 s, default 10) for a line matching the regex $1.
wait_screen() {
	local re=$1 tries=$((${2:-10} * 20))
	while :; do
		read_screen
		grep -qE -- "$re" <<<"$screen" && return 0
		((tries--)) || break
		sleep 0.05
	done
	printf '%s\n' "$screen"
	fail "no line matching /$re/ on the screen"
}

wait_exit() {
	local tries=$((${1:-10} * 20))
	until [[ -f $D/rc ]]; do
		((tries--)) || { read_screen; printf '%s\n' "$screen"; fail "attach did not end"; }
		sleep 0.05
	done
	rc=$(cat "$D/rc")
	read_screen
}

@test "attach --dashboard: the VM's counts, addresses and events from its start" {
	start_vm pat "${PATTERN[@]}"
	# The pattern is over before the view comes: the model kept it.
	eventually bash -c '(( $("$GUNYAHCTL" stat --json pat | jq .exits) == 72 ))'
	attach_start --interval 100 pat
	wait_screen '^ vcpu2 +idle'
	assert_line --index 0 --regexp '^ gunyahctl attach  pat  backend sim  vCPUs 3 +RUNNING  up [0-9:.]+$'
	assert_line --index 1 --regexp '^ exits 72  0/s  mmio r 6 w 66  pf 0  status 0  console 6 B$'
	# The VM's host times, through the snapshot (us: avg/p99/max).
	assert_line --index 2 --regexp '^ host us avg/p99/max:  r [0-9.]+/[0-9.]+/[0-9.]+  w [0-9.]+/[0-9.]+/[0-9.]+$'
	assert_line --index 5 --regexp '^ vcpu0 +idle +17 +0 +1 +16 +0 +0  w 0x09000000$'
	assert_line --index 6 --regexp '^ vcpu1 +idle +22 +0 +2 +20 +0 +0  w 0x0a000100$'
	assert_line --index 7 --regexp '^ vcpu2 +idle +33 +0 +3 +30 +0 +0  w 0x0a000200$'
	assert_line --index 8 --regexp '^ MMIO ADDRESS +COUNT +READS +WRITES +VCPU +REGION$'
	assert_line --index 9 --regexp '^   0x0a000200 +30 +0 +30  vcpu2  dev2$'
	# The console line, among the events of its kind (f: mmio,
	# page_fault, status, unknown, console).
	tm send-keys -t dash f f f f f
	wait_screen '^ EVENTS \(console\)$'
	grep -qE '^ +[0-9.]+ console ready$' <<<"$screen"
	# The help says what q does here.
	tm send-keys -t dash '?'
	wait_screen 'q +leave \(the VM runs on\)'
	tm send-keys -t dash Escape
	# q leaves; the VM runs on.
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 0
	assert_equal "$(gunyahctl status --json pat | jq -r .state)" running
}

@test "attach --dashboard: p pauses the VM, s steps it, p again resumes" {
	start_vm vm "$TICK"
	attach_start --interval 100 vm
	wait_screen 'RUNNING'
	tm send-keys -t dash p
	wait_screen 'PAUSED'
	eventually bash -c '[[ $("$GUNYAHCTL" status --json vm | jq -r .state) == paused ]]'
	a=$(stat_jq vm .exits)
	tm send-keys -t dash s
	eventually bash -c "(( \$(\"\$GUNYAHCTL\" stat --json vm | jq .exits) == $a + 1 ))"
	wait_screen "^ exits $((a + 1)) "
	tm send-keys -t dash s
	wait_screen "^ exits $((a + 2)) "
	assert_equal "$(stat_jq vm .state)" paused
	tm send-keys -t dash p
	wait_screen 'RUNNING'
	eventually bash -c "(( \$(\"\$GUNYAHCTL\" stat --json vm | jq .exits) > $a + 1000 ))"
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 0
}

@test "attach --dashboard: the VM's end is shown, a key leaves with its status" {
	start_vm vm "${PATTERN[@]}"
	attach_start --interval 100 vm
	wait_screen '^ vcpu2 +idle'
	gunyahctl stop --force vm
	wait_screen 'VM ended: stopped, exit status 6'
	assert_line --index 0 --regexp ' DONE '
	assert_line --index 1 --regexp '^ exits 75  0/s  mmio r 6 w 66  pf 0  status 3 '
	assert_line --index 5 --regexp '^ vcpu0 +stopped +18 .* forced_stop$'
	tm send-keys -t dash x
	wait_exit
	assert_equal "$rc" 6
	assert_output --regexp '^vm: stopped, exit status 6$'
	assert_equal "$(cat "$D/stderr")" ""
}

@test "attach --dashboard: a VM whose process is killed ends the view (70)" {
	start_vm vm "$TICK"
	pid=$(pid_of vm)
	attach_start --interval 100 vm
	wait_screen 'RUNNING'
	kill -9 "$pid"
	wait_screen 'VM ended: died, exit status 70'
	tm send-keys -t dash x
	wait_exit
	assert_equal "$rc" 70
}

@test "attach --dashboard: checked before the terminal is taken" {
	run_split gunyahctl attach --dashboard --json vm
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: attach: --dashboard: not with --json: the dashboard is the output"
	run_split gunyahctl attach --interval 100 vm
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: attach: --interval: only with --dashboard"
	run_split gunyahctl attach --dashboard vm </dev/null
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: attach: --dashboard: standard input and output must be a terminal"
	# No such VM: said on the terminal, plainly.
	attach_start nosuch
	wait_exit
	assert_equal "$rc" 66
	assert_equal "$(cat "$D/stderr")" "gunyahctl: attach: nosuch: no such VM"
}
