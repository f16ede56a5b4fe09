#!/usr/bin/env bats
# gunyahctl run --dashboard, driven the way a person drives it: in a tmux
# pane of a fixed 80x24 size on a private server, keys sent with
# send-keys, the screen read with capture-pane.  Waits poll the screen
# with a deadline; nothing sleeps a fixed time to "let it settle".

setup() {
	load run_helpers
	command -v tmux >/dev/null || fail "tmux is not installed (make deps)"
	D=$BATS_TEST_TMPDIR
	SERVERS=1
	TMUX_SOCK=$D/tmux.1.sock
	unset TMUX
	# The dev guests: vCPU i reads i+1 times and writes 10(i+1) times
	# to its device, vCPU 0 says "ready" on the UART, all then idle.
	PATTERN=(--vcpus 3 --uart $UART --mmio 0x0a000000:0x100:dev0
		--mmio 0x0a000100:0x100:dev1 --mmio 0x0a000200:0x100:dev2
		"$G/dash_pattern.elf")
	LOOP=("$G/mmio_loop.elf")
}

teardown() {
	local sock
	for sock in "$D"/tmux.*.sock; do
		[[ -S $sock ]] && tmux -S "$sock" kill-server 2>/dev/null
	done
	true
}

tm() { tmux -S "$TMUX_SOCK" -f /dev/null "$@"; }

# For a second run in one test: a server of its own (a new one on the
# old socket may meet the old one on its way out).
next_server() {
	tm kill-server 2>/dev/null
	TMUX_SOCK=$D/tmux.$((++SERVERS)).sock
	rm -f "$D/rc"
}

# Start a pane running: what was there before, gunyahctl run --dashboard
# ARGS, then its exit status and the terminal's modes, into files.
# DASH_ENV (an array) is added to the environment; DASH_ERR=tty leaves
# stderr on the terminal (else it goes to $D/stderr).
dash_start() {
	local q err='2>"$D/stderr"'
	[[ ${DASH_ERR:-} == tty ]] && err=
	printf -v q '%q ' "$GUNYAHCTL" run --dashboard "$@"
	cat >"$D/pane.sh" <<-EOF
		D=$(printf %q "$D")
		ulimit -c 0
		stty -a >"\$D/stty.before"
		echo before-run
		$q $err
		echo \$? >"\$D/rc.tmp"
		stty -a >"\$D/stty.after"
		mv "\$D/rc.tmp" "\$D/rc"
		exec sleep 600
	EOF
	tm new-session -d -x 80 -y 24 -s dash \
		env "${DASH_ENV[@]}" bash --norc --noprofile "$D/pane.sh"
}

# The screen; lines the terminal wrapped (gunyahctl's after the view) are
# joined, and trailing blanks go.
screen() { tm capture-pane -p -J -t dash | sed 's/ *$//'; }

# Read the screen into $screen, and into $output and $lines for bats-assert
# (all 24 lines, the empty ones at the end too).
read_screen() {
	screen >"$D/screen"
	screen=$(<"$D/screen")
	output=$screen
	mapfile -t lines <"$D/screen"
}

# Wait (up to $2 s, default 10) until a line of the screen matches the
# extended regex $1; the screen is then read (read_screen).
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

# Wait until the title's uptime has changed n times (n redraws).
wait_redraws() {
	local n=$1 up last i
	last=$(screen | sed -n '1s/.* up //p')
	for ((i = 0; i < n; i++)); do
		until up=$(screen | sed -n '1s/.* up //p'); [[ $up != "$last" ]]; do
			sleep 0.02
		done
		last=$up
	done
	read_screen
}

# Wait for gunyahctl to end; $rc is its exit status.
wait_exit() {
	local tries=$((${1:-10} * 20))
	until [[ -f $D/rc ]]; do
		((tries--)) || { screen; fail "gunyahctl did not end"; }
		sleep 0.05
	done
	rc=$(cat "$D/rc")
	read_screen
}

# The number after "exits" on the totals line.
total_exits() { sed -n '2s/^ exits \([0-9]*\) .*/\1/p' <<<"$screen"; }

# The terminal is as it was: same modes, normal screen, cursor on, keypad
# off, and what was on the screen before is back.
assert_terminal_restored() {
	assert_equal "$(cat "$D/stty.after")" "$(cat "$D/stty.before")"
	assert_equal "$(tm display -p -t dash '#{alternate_on} #{cursor_flag} #{keypad_flag} #{keypad_cursor_flag}')" \
		"0 1 0 0"
	assert_equal "$(head -n 1 <<<"$screen")" "before-run"
}

@test "dashboard: counts, addresses and events match the guest's exit pattern" {
	dash_start --interval 100 "${PATTERN[@]}"
	wait_screen '^ exits 72 '
	# All three idle in WFI now: the hypervisor's view, through the sim.
	wait_screen '^ vcpu2 +idle'
	# Rates are over the last interval: the exits were two or more ago.
	wait_redraws 2
	assert_line --index 0 --regexp '^ gunyahctl run  dash_pattern.elf  backend sim  vCPUs 3 +RUNNING  up [0-9:.]+$'
	assert_line --index 1 --regexp '^ exits 72  0/s  mmio r 6 w 66  pf 0  status 0  console 6 B$'
	# The host's handling time of the kinds seen (us: avg/p99/max).
	t='[0-9]+\.?[0-9]*'
	assert_line --index 2 --regexp "^ host us avg/p99/max:  r $t/$t/$t  w $t/$t/$t\$"
	assert_line --index 4 --regexp '^ VCPU +STATE +EXITS +EXITS/S +MMIO-R +MMIO-W +PF +ST +LAST EXIT$'
	assert_line --index 5 --regexp '^ vcpu0 +idle +17 +0 +1 +16 +0 +0  w 0x09000000$'
	assert_line --index 6 --regexp '^ vcpu1 +idle +22 +0 +2 +20 +0 +0  w 0x0a000100$'
	assert_line --index 7 --regexp '^ vcpu2 +idle +33 +0 +3 +30 +0 +0  w 0x0a000200$'
	# Top addresses, busiest first, with their read/write split.
	assert_line --index 8 --regexp '^ MMIO ADDRESS +COUNT +READS +WRITES +VCPU +REGION$'
	assert_line --index 9 --regexp '^ +0x0a000200 +30 +0 +30 +vcpu2 +dev2$'
	assert_line --index 10 --regexp '^ +0x0a000100 +20 +0 +20 +vcpu1 +dev1$'
	assert_line --index 11 --regexp '^ +0x0a000000 +10 +0 +10 +vcpu0 +dev0$'
	assert_line --index 12 --regexp '^ +0x09000000 +6 +0 +6 +vcpu0 +uart$'
	assert_line --index 13 --regexp '^ +0x0a000208 +3 +3 +0 +vcpu2 +dev2$'
	assert_line --index 14 "   (2 more)"
	# The newest events last: #72 is the last write of whichever vCPU was
	# last (vCPU 0's newline, then its console line; vCPU 1's 0x100 + 19;
	# vCPU 2's 0x200 + 29).
	last=$(sed -n '23p' <<<"$screen")
	[[ $last == *"console ready" ]] && last=$(sed -n '22p' <<<"$screen")
	[[ $last =~ ^\ +[0-9.]+\ \#72\ vcpu[0-2]\ mmio\ write\ 0x(09000000\ len=4\ data=0x0000000a\ \[uart\]|0a000100\ len=4\ data=0x00000113\ \[dev1\]|0a000200\ len=4\ data=0x0000021d\ \[dev2\])$ ]] ||
		fail "last event: $last"
	assert_line --index 23 --regexp '^ q quit  p pause  s step'
	assert_equal "${#lines[@]}" 24

	# f: mmio, page_fault, status, unknown, console.
	tm send-keys -t dash f f f f f
	wait_screen '^ EVENTS \(console\)$'
	assert_line --index 16 --regexp '^ +[0-9.]+ console ready$'
	assert_line --index 17 ""

	# q: a forced stop; every vCPU reports it; the summary is left behind.
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
	assert_terminal_restored
	assert_line --index 1 --regexp '^summary: 75 exits in [0-9.]+ s \([0-9]+ exits/s\); result stopped, exit status 6$'
	assert_line --index 2 "  vcpu0: 18 exits, mmio 17 (1 read, 16 write), status 1"
	assert_line --index 4 "  vcpu2: 34 exits, mmio 33 (3 read, 30 write), status 1"
	assert_equal "$(cat "$D/stderr")" ""
}

@test "dashboard: p pauses every vCPU and the counts stand still; p runs again" {
	dash_start --interval 50 --vcpus 2 "${LOOP[@]}"
	wait_screen '^ vcpu1 +running +[1-9]'
	tm send-keys -t dash p
	wait_screen ' PAUSED  up '
	wait_redraws 1
	n=$(total_exits)
	((n > 0))
	assert_line --index 5 --regexp '^ vcpu0 +paused '
	assert_line --index 6 --regexp '^ vcpu1 +paused '
	assert_line --index 23 --regexp '^ q quit  p resume  s step'
	# Several redraws later: not one exit more, and no rate.
	wait_redraws 4
	assert_equal "$(total_exits)" "$n"
	assert_line --index 1 --regexp "^ exits $n  0/s "

	tm send-keys -t dash p
	wait_screen ' RUNNING  up '
	wait_redraws 2
	(($(total_exits) > n))
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
	assert_terminal_restored
}

@test "dashboard: s lets exactly one exit through while paused" {
	dash_start --interval 50 "${LOOP[@]}"
	wait_screen '^ vcpu0 +running +[1-9]'
	tm send-keys -t dash p
	wait_screen ' PAUSED  up '
	wait_redraws 2
	n=$(total_exits)
	for i in 1 2 3; do
		tm send-keys -t dash s
		wait_screen "^ exits $((n + i)) "
		wait_redraws 3
		assert_equal "$(total_exits)" $((n + i))
		assert_line --index 0 --regexp ' PAUSED  up '
		# The exit let through is the newest event: the counter the
		# guest stores goes up by one each time.
		assert_line --index 22 --regexp "^ +[0-9.]+ #$((n + i)) vcpu0 mmio write 0x09000000 len=8 data=0x[0-9a-f]{16}"
	done
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
}

@test "dashboard: --step=N starts paused after N exits, s lets N more through" {
	dash_start --interval 50 --step=2 "${LOOP[@]}"
	wait_screen ' PAUSED  up '
	wait_redraws 2
	assert_line --index 1 --regexp '^ exits 2  '
	tm send-keys -t dash s
	wait_screen '^ exits 4 '
	wait_redraws 2
	assert_line --index 1 --regexp '^ exits 4  '
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
}

@test "dashboard: a digit focuses that vCPU: its row, its addresses, its events" {
	dash_start --interval 100 "${PATTERN[@]}"
	wait_screen '^ exits 72 '
	wait_redraws 2
	tm send-keys -t dash 1
	wait_screen '^ focus vcpu1  filter all'
	assert_line --index 5 --regexp '^ vcpu0 +idle +17 '
	assert_line --index 6 --regexp '^>vcpu1 +idle +22 +0 +2 +20 '
	assert_line --index 7 --regexp '^ vcpu2 +idle +33 '
	# Its last exit in full, and the hypervisor's counts (sim).
	assert_line --index 8 --regexp '^   last #[0-9]+: mmio write 0x0a000100 len=4 data=0x00000113 \[dev1\]$'
	assert_line --index 9 --regexp '^   hypervisor: slices [0-9]+  wfi [1-9][0-9]*  wakeups [0-9]+  psci 0  off [0-9]+$'
	assert_line --index 10 --regexp '^ MMIO ADDRESS \(vcpu1\) +COUNT +READS +WRITES +VCPU +REGION$'
	assert_line --index 11 --regexp '^ +0x0a000100 +20 +0 +20 +vcpu1 +dev1$'
	assert_line --index 12 --regexp '^ +0x0a000108 +2 +2 +0 +vcpu1 +dev1$'
	assert_line --index 13 --regexp '^ EVENTS \(all, focused vCPU\)$'
	# Only vCPU 1's exits (and the console line, which is no vCPU's).
	events=$(sed -n '15,23p' <<<"$screen")
	run grep -vE '^ +[0-9.]+ (#[0-9]+ vcpu1 |console )' <<<"$events"
	assert_failure
	run grep -cE ' vcpu1 mmio ' <<<"$events"
	((output >= 8)) || fail "$output of vCPU 1's exits: $events"
	assert_equal "$(grep ' vcpu1 ' <<<"$events" | tail -n 1 | sed 's/.*#[0-9]* //')" \
		"vcpu1 mmio write 0x0a000100 len=4 data=0x00000113 [dev1]"

	# Another digit moves the focus; the same one again ends it.
	tm send-keys -t dash 2
	wait_screen '^>vcpu2 +idle +33 '
	tm send-keys -t dash 2
	wait_screen '^ focus all  filter all'
	run grep -c '^>' <<<"$screen"
	assert_output 0
	# There is no vCPU 7.
	tm send-keys -t dash 7
	wait_screen '^ no vcpu7 \(vCPUs 0-2\)$'
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
}

@test "dashboard: more vCPUs than rows: a window of them, Tab moves it" {
	dash_start --interval 100 --vcpus 12 --uart $UART "$G/dash_pattern.elf"
	# vCPU i: i + 1 reads, 10 (i + 1) writes; vCPU 0 six bytes more.
	wait_screen '^ exits 864 '
	assert_line --index 3 --regexp '^ focus all  filter all  every 100 ms  vCPUs 0-6 of 12 \(Tab\)$'
	assert_line --index 5 --regexp '^ vcpu0 +idle +17 '
	assert_line --index 11 --regexp '^ vcpu6 +idle +77 +[0-9]+ +7 +70 '
	# Shift-Tab from "all" is the last vCPU: the window follows it (and
	# the list of its addresses is short, which leaves more room).
	tm send-keys -t dash BTab
	wait_screen '^ focus vcpu11 '
	assert_line --index 3 --regexp '  vCPUs 3-11 of 12 \(Tab\)$'
	assert_line --index 5 --regexp '^ vcpu3 +idle +44 '
	assert_line --index 13 --regexp '^>vcpu11 +idle +132 +[0-9]+ +12 +120 +0 +0  w 0x0a000b00$'
	assert_line --index 14 --regexp '^   last #[0-9]+: mmio write 0x0a000b00 len=4 data=0x00000b77$'
	tm send-keys -t dash Tab
	wait_screen '^ focus all '
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
}

@test "dashboard: r resets the view's counts, the summary keeps them all" {
	dash_start --interval 100 "${PATTERN[@]}"
	wait_screen '^ exits 72 '
	wait_redraws 2
	tm send-keys -t dash r
	wait_screen '^ exits 0 '
	assert_line --index 3 --regexp '^ focus all  filter all  every 100 ms  since reset [0-9:.]+$'
	assert_line --index 23 " counts reset"
	assert_line --index 5 --regexp '^ vcpu0 +idle +0 +0 +0 +0 +0 +0  w 0x09000000$'
	assert_line --index 9 "   (no MMIO exits yet)"
	assert_line --index 11 "   (none yet)"
	# What comes after the reset counts.  Ends with the final screen's
	# counts: one forced-stop status exit per vCPU.
	tm send-keys -t dash 0
	wait_screen '^ focus vcpu0'
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
	assert_line --index 1 --regexp '^summary: 75 exits '
}

@test "dashboard: a guest that powers off leaves its final state up until a key" {
	dash_start --interval 100 --uart $UART "$HELLO"
	wait_screen '^ VM ended: poweroff, exit status 0\.'
	assert_line --index 0 --regexp ' DONE  up [0-9:.]+$'
	assert_line --index 1 --regexp '^ exits 31  0/s  mmio r 15 w 15  pf 0  status 1  console 15 B$'
	assert_line --index 5 --regexp '^ vcpu0 +stopped +31 +0 +15 +15 +0 +1  poweroff$'
	assert_line --index 22 --regexp '^ +[0-9.]+ #31 vcpu0 status exited type=poweroff\(1\) reason=0x00000000$'
	assert_line --index 21 --regexp '^ +[0-9.]+ console Hello, Gunyah!$'
	# Still up: the view can be looked around (focus, filter) ...
	tm send-keys -t dash f f f
	wait_screen '^ EVENTS \(status\)$'
	assert_line --index 10 --regexp '#31 vcpu0 status exited type=poweroff'
	[[ ! -f $D/rc ]] || fail "ended before a key"
	# ... until another key.
	tm send-keys -t dash Enter
	wait_exit
	assert_equal "$rc" 0
	assert_terminal_restored
	assert_line --index 1 --regexp '^summary: 31 exits in [0-9.]+ s \([0-9]+ exits/s\); result poweroff, exit status 0$'
}

@test "dashboard: --exit-on-stop leaves at once; --timeout stops a paused VM too" {
	dash_start --exit-on-stop --mmio-read 0x09000200=1 "$G/exit_by.elf"
	wait_exit
	assert_equal "$rc" 2
	assert_terminal_restored
	assert_line --index 1 --regexp '^summary: 2 exits in [0-9.]+ s \([0-9]+ exits/s\); result reset, exit status 2$'

	# --timeout stops it even while paused: the final screen says so.
	next_server
	dash_start --interval 50 --timeout 1 "${LOOP[@]}"
	wait_screen '^ vcpu0 +running +[1-9]'
	tm send-keys -t dash p
	wait_screen ' PAUSED  up '
	wait_screen '^ VM ended: timeout, exit status 5\.'
	assert_line --index 5 --regexp '^ vcpu0 +stopped .*  forced_stop$'
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 5
	assert_terminal_restored
}

@test "dashboard: status exits are decoded, messages shown, then written to stderr" {
	# vm_exit with exit code 1 (software error).
	DASH_ERR=tty dash_start --mmio-read 0x09000200=6 "$G/exit_by.elf"
	wait_screen '^ VM ended: crashed, exit status 3\.'
	assert_line --index 5 --regexp '^ vcpu0 +stopped +2 .* vm_exit$'
	assert_output --regexp '#2 vcpu0 status exited type=vm_exit\(0\) reason=0x00010000 code=software'
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 3

	# A page fault nobody handles: the engine's message shows as an
	# event in its place (an event of the engine's now, not a line caught
	# on stderr: no "gunyahctl: run: "), and once the terminal is back,
	# on it (stderr is the tty).
	next_server
	DASH_ERR=tty dash_start --pf-region 0x90000000:0x1000 "$G/pf_touch.elf"
	wait_screen '^ VM ended: vcpu_failed, exit status 7\.'
	assert_output --regexp '#1 vcpu0 page_fault 0x90000000 .*
.* message vcpu0: page fault at 0x90000000: no memory.*
.* #2 vcpu0 status exited type=forced_stop'

	assert_line --index 5 --regexp '^ vcpu0 +failed +2 '
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 7
	assert_terminal_restored
	assert_line --index 1 --regexp '^gunyahctl: run: vcpu0: page fault at 0x90000000: no memory there'
	assert_output --regexp 'summary: 2 exits .* result vcpu_failed, exit status 7'
}

@test "dashboard: SIGTERM and Ctrl-C stop the VM and give the terminal back" {
	dash_start --interval 100 "${LOOP[@]}"
	wait_screen '^ vcpu0 +running +[1-9]'
	pane_pid=$(tm display -p -t dash '#{pane_pid}')
	pid=$(pgrep -P "$pane_pid" -x gunyahctl)
	[[ -n $pid ]] || fail "no gunyahctl under the pane's shell $pane_pid"
	kill -TERM "$pid"
	wait_exit
	assert_equal "$rc" 6
	assert_terminal_restored
	assert_line --index 1 --regexp '^summary: [0-9]+ exits .* result stopped, exit status 6$'

	next_server
	dash_start --interval 100 "${LOOP[@]}"
	wait_screen '^ vcpu0 +running +[1-9]'
	tm send-keys -t dash C-c
	wait_exit
	assert_equal "$rc" 6
	assert_terminal_restored
}

@test "dashboard: a fatal signal still gives the terminal back" {
	dash_start --interval 100 "${LOOP[@]}"
	wait_screen '^ vcpu0 +running +[1-9]'
	pane_pid=$(tm display -p -t dash '#{pane_pid}')
	pid=$(pgrep -P "$pane_pid" -x gunyahctl)
	[[ -n $pid ]] || fail "no gunyahctl under the pane's shell $pane_pid"
	# SIGQUIT: no handler of run's, it ends the process (128 + 3) after
	# the terminal guard has put the terminal back.
	kill -QUIT "$pid"
	wait_exit
	assert_equal "$rc" 131
	assert_terminal_restored
}

@test "dashboard: follows the terminal's size, and says when it is too small" {
	dash_start --interval 100 "${PATTERN[@]}"
	wait_screen '^ exits 72 '
	tm resize-window -t dash -x 100 -y 40
	wait_screen '^ q quit  p pause'
	assert_equal "${#lines[@]}" 40
	# 100 columns, the last a space capture-pane leaves out.
	assert_equal "${#lines[0]}" 99
	assert_line --index 0 --regexp ' RUNNING  up [0-9:.]+$'
	# Room for all seven addresses now.
	assert_line --index 15 --regexp '^ +0x0a000008 +1 +1 +0 +vcpu0 +dev0$'
	tm resize-window -t dash -x 50 -y 10
	wait_screen '^terminal too small: 50x10, want 60x13$'
	tm resize-window -t dash -x 80 -y 24
	wait_screen '^ exits 72 '
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
}

@test "dashboard: colours where the terminal has them, none under NO_COLOR" {
	# capture-pane -e keeps the attributes: 4x is a background colour.
	DASH_ENV=(TERM=screen)
	dash_start --interval 100 "${PATTERN[@]}"
	wait_screen '^ exits 72 '
	tm capture-pane -e -p -t dash >"$D/colour"
	grep -q $'\e\\[[0-9;]*4[0-7]m' "$D/colour" || fail "no colour: $(cat -v "$D/colour")"
	tm send-keys -t dash q
	wait_exit

	next_server
	DASH_ENV=(TERM=screen NO_COLOR=1)
	dash_start --interval 100 "${PATTERN[@]}"
	wait_screen '^ exits 72 '
	tm capture-pane -e -p -t dash >"$D/mono"
	run grep -E $'\e\\[[0-9;]*[34][0-7]m' "$D/mono"
	assert_failure
	# Still legible: the title in reverse video, the focus marked.
	grep -q $'\e\\[7m gunyahctl run' "$D/mono" || fail "no reverse title: $(cat -v "$D/mono")"
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
}

@test "dashboard: ? shows the keys, any key hides them" {
	dash_start --interval 100 "${PATTERN[@]}"
	wait_screen '^ exits 72 '
	tm send-keys -t dash '?'
	wait_screen '\| +q +stop the VM and quit'
	assert_output --regexp '\| +f +events of one kind'
	tm send-keys -t dash Escape
	wait_screen '^ +0x0a000200 +30 '
	run grep -c 'stop the VM and quit' <<<"$screen"
	assert_output 0
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
}

@test "dashboard: the dev backend, with and without the hypervisor's view" {
	fakedev_setup
	# Through the fake /dev/gunyah: the sim behind it still answers the
	# sim's own requests, so idle vCPUs show as idle.
	DASH_ENV=("${FAKE_ENV[@]}")
	dash_start --interval 100 --backend dev "${PATTERN[@]}"
	wait_screen '^ vcpu2 +idle +33 '
	assert_line --index 0 --regexp '^ gunyahctl run  dash_pattern.elf  backend dev  vCPUs 3 '
	assert_line --index 1 --regexp '^ exits 72  '
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
	assert_terminal_restored

	# Like real hardware (FAKEDEV_HW=1): no hypervisor view, so a vCPU
	# inside RUN is just running; no forced stop, so q ends the vCPU
	# threads instead, and there are no status exits.
	next_server
	DASH_ENV=("${FAKE_ENV[@]}" FAKEDEV_HW=1)
	dash_start --interval 100 --backend dev "${PATTERN[@]}"
	wait_screen '^ exits 72 '
	wait_screen '^ vcpu2 +running +33 '
	tm send-keys -t dash 2
	wait_screen '^>vcpu2'
	refute_output --partial 'hypervisor:'
	tm send-keys -t dash q
	wait_exit
	assert_equal "$rc" 6
	assert_terminal_restored
	assert_line --index 1 --regexp '^summary: 72 exits in [0-9.]+ s \([0-9]+ exits/s\); result stopped, exit status 6$'
}

@test "dashboard: needs a terminal, and a TERM curses knows" {
	run_split gunyahctl run --dashboard "${LOOP[@]}" </dev/null
	assert_failure 64
	assert_equal "$stderr" "gunyahctl: run: --dashboard: standard input and output must be a terminal"
	assert_output ""

	DASH_ENV=(TERM=no-such-terminal)
	dash_start "${LOOP[@]}"
	wait_exit
	assert_equal "$rc" 64
	assert_equal "$(cat "$D/stderr")" "gunyahctl: run: --dashboard: TERM=no-such-terminal: not a terminal ncurses can drive"
	assert_equal "$(cat "$D/stty.after")" "$(cat "$D/stty.before")"
}

@test "dashboard: options that do not go with it" {
	run_split gunyahctl run --dashboard --json "${LOOP[@]}"
	assert_failure 64
	assert_equal "$stderr" "gunyahctl: run: --dashboard: not with --json: the dashboard is the output"
	run_split gunyahctl run --dashboard --quiet "${LOOP[@]}"
	assert_failure 64
	run_split gunyahctl run --interval 100 "${LOOP[@]}"
	assert_failure 64
	assert_equal "$stderr" "gunyahctl: run: --interval: only with --dashboard"
	run_split gunyahctl run --exit-on-stop "${LOOP[@]}"
	assert_failure 64
	assert_equal "$stderr" "gunyahctl: run: --exit-on-stop: only with --dashboard"
	run_split gunyahctl run --dashboard --interval 5 "${LOOP[@]}"
	assert_failure 64
	assert_equal "$stderr" "gunyahctl: run: --interval 5: want 10 to 60000 ms"
	run_split gunyahctl run --dashboard --interval 60001 "${LOOP[@]}"
	assert_failure 64
}
