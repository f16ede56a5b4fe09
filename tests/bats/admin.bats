#!/usr/bin/env bats
# Named VMs in the background: run --name --detach, list, status, the
# runtime directory, stale sockets.

setup() {
	load admin_helpers
	admin_setup
}

teardown() { admin_teardown; }

@test "run --detach needs --name; names are checked" {
	run_split gunyahctl run --detach "$SPIN"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --detach needs --name: the name is how you reach the VM"
	run_split gunyahctl run --name -x --detach "$SPIN"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --name -x: a name is 1 to 32 letters, digits, '_', '-' or '.', not starting with '-' or '.'"
	run gunyahctl run --name 'a/b' --detach "$SPIN"
	assert_equal "$status" 64
	run gunyahctl run --name "$(printf 'x%.0s' {1..33})" --detach "$SPIN"
	assert_equal "$status" 64
	run gunyahctl status .hidden
	assert_equal "$status" 64
	# Nothing was made for any of them.
	assert_not_exists "$RD"
}

@test "run --detach returns once the VM runs; list and status show it" {
	start_vm vm1 "$TICK"
	pid=$(pid_of vm1)
	alive "$pid"
	# Exits happen in the background, without a terminal.
	eventually bash -c '(( $("$GUNYAHCTL" stat --json vm1 | jq .exits) > 100 ))'
	run gunyahctl list
	assert_success
	assert_line --index 0 --regexp '^NAME +PID +BACKEND +VCPUS +STATE +UPTIME +EXITS$'
	assert_line --index 1 --regexp "^vm1 +$pid +sim +1 +running +[0-9.]+s +[0-9]+$"
	assert_equal "${#lines[@]}" 2
	run gunyahctl list --json
	assert_success
	assert_equal "$(jq -c '[.name, .state, .pid, .backend, .vcpus, .image, .exit_code]' <<<"$output")" \
		"[\"vm1\",\"running\",$pid,\"sim\",1,\"$TICK\",null]"
	jq -e '.uptime_ns > 0 and .exits > 0' <<<"$output" >/dev/null
	run gunyahctl status vm1
	assert_success
	assert_line --index 0 "name:     vm1"
	assert_line --index 1 "state:    running"
	assert_line --index 2 "pid:      $pid"
	assert_line --index 3 "backend:  sim"
	assert_line --index 4 "image:    $TICK"
	assert_line --index 5 "vcpus:    1"
	assert_line --index 8 "attached: 0"
	assert_line --index 9 "waiting:  0"
	assert_line --index 10 "socket:   $RD/vm1.sock"
	assert_line --index 11 "log:      $RD/vm1.log"
	# The socket is 0600 in a 0700 directory; the process has its own
	# session and no terminal.
	assert_equal "$(stat -c %a "$RD")" 700
	assert_equal "$(stat -c %a "$RD/vm1.sock")" 600
	assert_equal "$(ps -o sid= -p "$pid" | tr -d ' ')" "$pid"
	assert_equal "$(ps -o tty= -p "$pid" | tr -d ' ')" "?"
}

@test "two VMs at once, each with its own process and counters" {
	start_vm one "$TICK"
	start_vm two --vcpus 2 "$SPIN"
	p1=$(pid_of one) p2=$(pid_of two)
	assert [ "$p1" != "$p2" ]
	run gunyahctl list --json
	assert_equal "$(jq -s -c 'map([.name, .state, .vcpus])' <<<"$output")" \
		'[["one","running",1],["two","running",2]]'
	# tick exits all the time, spin never does.
	eventually bash -c '(( $("$GUNYAHCTL" stat --json one | jq .exits) > 1000 ))'
	assert_equal "$(stat_jq two .exits)" 0
	# Stopping one leaves the other.
	run gunyahctl stop --force one
	assert_success
	assert_equal "$(gunyahctl status --json two | jq -r .state)" running
	run gunyahctl list --json
	assert_equal "$(jq -s -c 'map([.name, .state, .exit_code])' <<<"$output")" \
		'[["one","exited",6],["two","running",null]]'
}

@test "a name that runs cannot be taken; the running VM is not disturbed" {
	start_vm vm1 "$SPIN"
	pid=$(pid_of vm1)
	run_split gunyahctl run --name vm1 --detach "$TICK"
	assert_equal "$status" 73
	assert_equal "$stderr" "gunyahctl: run: --name vm1: a VM named vm1 is running ($RD/vm1.sock)"
	# In the foreground too.
	run_split gunyahctl run --name vm1 "$TICK"
	assert_equal "$status" 73
	assert_equal "$(pid_of vm1)" "$pid"
	assert_equal "$(gunyahctl status --json vm1 | jq -r .image)" "$SPIN"
}

@test "a detached start that fails says why, with run's status, and leaves nothing" {
	run_split gunyahctl run --name bad --detach "$BATS_TEST_TMPDIR/none.elf"
	assert_equal "$status" 66
	assert_equal "$stderr" "gunyahctl: run: $BATS_TEST_TMPDIR/none.elf: No such file or directory"
	assert_equal "$output" ""
	head -c 100 /dev/urandom >"$BATS_TEST_TMPDIR/junk.elf"
	printf '\x7fELF\x01' | dd of="$BATS_TEST_TMPDIR/junk.elf" conv=notrunc 2>/dev/null
	run gunyahctl run --name bad --detach "$BATS_TEST_TMPDIR/junk.elf"
	assert_equal "$status" 65
	# The VM cannot start: entry outside RAM (load_failed, 4).
	run_split gunyahctl run --name bad --detach --entry 0x1000 "$SPIN"
	assert_equal "$status" 4
	assert_equal "$(tail -n 1 <<<"$stderr")" "gunyahctl: run: cannot start the VM: Invalid argument"
	run gunyahctl list --json
	assert_output ""
	assert_equal "$(ls -A "$RD")" ".lock"
}

@test "a detached start from a FIFO fails at once and leaves no process holding the name (issue 17 item 7)" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	# Output to files: an orphan stuck in open(2) holding a pipe of this
	# test would hang it instead of failing it.
	run bash -c 'timeout -k 3 60 "$GUNYAHCTL" run --name f --detach "$1" >"$2" 2>"$3"' \
		_ "$BATS_TEST_TMPDIR/fifo" "$out" "$err"
	assert_equal "$status" 66
	assert_equal "$(cat "$out")" ""
	assert_equal "$(cat "$err")" "gunyahctl: run: $BATS_TEST_TMPDIR/fifo: not a regular file"
	# The name is free again: no VM, no orphan (teardown checks too).
	run gunyahctl status f
	assert_equal "$status" 66
	assert_equal "$(vm_procs)" ""
	start_vm f "$SPIN"
}

@test "SIGKILL leaves a stale socket: list says died, keeps the log, cleans the socket (17.2)" {
	start_vm doomed --uart $UART "$TICK"
	start_vm other "$SPIN"
	pid=$(pid_of doomed)
	eventually test -s "$RD/doomed.log"
	kill -9 "$pid"
	wait_gone "$pid"
	assert_exists "$RD/doomed.sock"
	run gunyahctl list --json
	assert_success
	assert_equal "$(jq -s -c 'map([.name, .state, .exit_code, .result])' <<<"$output")" \
		"[[\"doomed\",\"died\",70,\"died\"],[\"other\",\"running\",null,null]]"
	assert_not_exists "$RD/doomed.sock"
	assert_file_not_empty "$RD/doomed.log"
	# Listed until collected, as an exited VM is.
	run gunyahctl list
	assert_equal "${#lines[@]}" 3
	assert_line --index 1 --regexp '^doomed +- +- +- +died +- +-$'
	run_split gunyahctl wait doomed
	assert_equal "$status" 70
	assert_equal "$stderr" "gunyahctl: wait: doomed: the VM's process died without an exit status (its log: $RD/doomed.log)"
	assert_file_not_empty "$RD/doomed.log"
	assert_not_exists "$RD/doomed.status"
	run gunyahctl list
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp '^other '
	# The name is free again.
	start_vm doomed "$SPIN"
	assert_equal "$(gunyahctl status --json doomed | jq -r .state)" running
}

@test "list: a VM that dies while list asks it has died, not an error" {
	mkdir -p -m 0700 "$RD"
	# A VM's socket whose process takes one connection (list's first
	# look) and dies: list's request then meets a dead socket, or one
	# that dies under it, whichever comes first (a race of microseconds,
	# so 20 times: each way must give the same row and no error).
	for ((i = 0; i < 20; i++)); do
		rm -f "$BATS_TEST_TMPDIR/ready"
		perl -e '
			use IO::Socket::UNIX;
			my $l = IO::Socket::UNIX->new(Type => SOCK_STREAM,
				Local => $ARGV[0], Listen => 5) or die "$ARGV[0]: $!\n";
			print "ready\n";
			close STDOUT;
			$l->accept;' "$RD/dying.sock" >"$BATS_TEST_TMPDIR/ready" &
		eventually test -s "$BATS_TEST_TMPDIR/ready"
		run_split gunyahctl list --json
		assert_equal "$stderr" ""
		assert_equal "$(jq -c '[.name, .state]' <<<"$output")" '["dying","died"]'
		assert_not_exists "$RD/dying.sock"
		wait
		rm -f "$RD/dying.status"
	done
}

@test "any command finds a stale socket, says so and cleans it; status and wait say died (17.2)" {
	start_vm doomed "$SPIN"
	pid=$(pid_of doomed)
	kill -9 "$pid"
	wait_gone "$pid"
	run_split gunyahctl pause doomed
	assert_equal "$status" 66
	assert_equal "$stderr" "gunyahctl: pause: doomed: the VM's process is gone (killed?): its stale socket is removed"
	assert_not_exists "$RD/doomed.sock"
	assert_exists "$RD/doomed.log"
	run_split gunyahctl resume doomed
	assert_equal "$status" 66
	assert_equal "$stderr" "gunyahctl: resume: doomed: not running: its process died without an exit status (killed?)"
	run gunyahctl status doomed
	assert_success
	assert_line --index 0 "name:     doomed"
	assert_line --index 1 "state:    died"
	assert_line --index 2 "result:   died, exit status 70"
	assert_line "log:      $RD/doomed.log"
	run gunyahctl status --json doomed
	assert_equal "$(jq -c '[.state, .result, .exit_code, .log]' <<<"$output")" \
		"[\"died\",\"died\",70,\"$RD/doomed.log\"]"
	run_split gunyahctl wait --json doomed
	assert_equal "$status" 70
	assert_equal "$(jq -r 'select(.result) | .result' <<<"$output")" died
	assert_equal "$stderr" "gunyahctl: wait: doomed: the VM's process died without an exit status (its log: $RD/doomed.log)"
	# The error is a record too, after the result (gunyahctl-json(7)).
	assert_equal "$(jq -r 'select(.error) | .error' <<<"$output")" "${stderr#gunyahctl: }"
}

@test "status finds a killed VM itself: died, not 'no such VM' (17.2)" {
	start_vm k "$TICK"
	pid=$(pid_of k)
	eventually test -e "$RD/k.log"
	kill -9 "$pid"
	wait_gone "$pid"
	run_split gunyahctl status k
	assert_success
	assert_line --index 1 "state:    died"
	assert_exists "$RD/k.log"
	assert_not_exists "$RD/k.sock"
	run gunyahctl wait k
	assert_equal "$status" 70
}

@test "commands on a VM that is not there" {
	for cmd in status stat pause resume step stop attach wait; do
		run_split gunyahctl "$cmd" nosuch
		assert_equal "$status" 66
		assert_equal "$stderr" "gunyahctl: $cmd: nosuch: no such VM"
	done
	run gunyahctl list
	assert_success
	assert_output --regexp '^NAME +PID +BACKEND +VCPUS +STATE +UPTIME +EXITS$'
	run gunyahctl list --json
	assert_success
	assert_output ""
	run_split gunyahctl pause
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: pause: no NAME given (see 'gunyahctl pause --help')"
	run_split gunyahctl pause a b
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: pause: b: one argument too many"
}

@test "run --name in the foreground: reachable while it runs, collected after" {
	# --timeout: only a guard (a loaded machine may take seconds to get to the stop).
	gunyahctl run --name fg --quiet --timeout 60 "$SPIN" >"$BATS_TEST_TMPDIR/out" &
	track_pid $!
	eventually test -S "$RD/fg.sock"
	eventually bash -c '[[ $("$GUNYAHCTL" status --json fg | jq -r .state) == running ]]'
	assert_equal "$(gunyahctl status --json fg | jq -r .log)" null
	run gunyahctl stop --force fg
	assert_success
	wait
	assert_not_exists "$RD/fg.sock"
	run gunyahctl wait --json fg
	assert_equal "$status" 6
	assert_equal "$(jq -r '[.result, .exit_code] | join(" ")' <<<"$output")" "stopped 6"
}

@test "the runtime directory: XDG_RUNTIME_DIR, made 0700, and only ours" {
	mkdir -p "$RD"
	chmod 755 "$RD"
	start_vm vm1 "$SPIN"
	assert_equal "$(stat -c %a "$RD")" 700
	assert_equal "$(gunyahctl status --json vm1 | jq -r .socket)" "$RD/vm1.sock"
	run gunyahctl stop --force vm1
	assert_success
	# A relative XDG_RUNTIME_DIR is ignored (the XDG spec says so).
	XDG_RUNTIME_DIR=rel run gunyahctl status vm1
	assert_equal "$status" 66
	[[ $EUID == 0 ]] || skip "the rest needs root"
	# Someone else's directory is not used.
	chown 65534 "$RD"
	run_split gunyahctl run --name vm2 --detach "$SPIN"
	assert_equal "$status" 77
	assert_equal "$stderr" "gunyahctl: run: --name vm2: $RD: belongs to uid 65534, not to you (uid 0)"
	run gunyahctl list
	assert_equal "$status" 77
	chown 0 "$RD"
}

@test "without XDG_RUNTIME_DIR a user gets /tmp/gunyahctl-UID" {
	[[ $EUID == 0 ]] || skip "needs root to act as another user"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env -u XDG_RUNTIME_DIR "$GUNYAHCTL" "$@"; }
	name=fallback-$$-$BATS_TEST_NUMBER
	[[ -r $SPIN ]] || skip "the guest is not readable by nobody"
	fallback=/tmp/gunyahctl-65534
	had_fallback=false
	[[ -e $fallback ]] && had_fallback=true
	run as_nobody run --name "$name" --detach "$SPIN"
	assert_success
	run as_nobody status --json "$name"
	assert_success
	track_pid "$(jq -r .pid <<<"$output")"
	assert_equal "$(jq -r .socket <<<"$output")" "/tmp/gunyahctl-65534/$name.sock"
	assert_equal "$(stat -c '%a %u' /tmp/gunyahctl-65534)" "700 65534"
	# Root's runtime directory here is another one: it does not see it.
	XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR run gunyahctl status "$name"
	assert_equal "$status" 66
	run as_nobody stop --force "$name"
	assert_success
	run as_nobody wait "$name"
	assert_equal "$status" 6
	assert_not_exists "$fallback/$name.sock"
	assert_not_exists "$fallback/$name.status"
	# It made the directory: only its lock file is left, then nothing.
	if ! $had_fallback; then
		run ls -A "$fallback"
		assert_output ".lock"
		rm -r "$fallback"
	fi
}

@test "the detached VM's log has its console and errors, not its exits" {
	start_vm talk --uart $UART "$HELLO"
	run gunyahctl wait talk
	assert_success
	assert_output "talk: poweroff, exit status 0"
	# wait collected it: status and log are gone.
	assert_not_exists "$RD/talk.status"
	assert_not_exists "$RD/talk.log"
	start_vm talk2 --pf-region 0x90000000:0x10000 "$G/pf_touch.elf"
	eventually test -f "$RD/talk2.status"
	run cat "$RD/talk2.log"
	assert_line --regexp '^gunyahctl: run: vcpu0: page fault at 0x[0-9a-f]+: no memory there'
	refute_line --regexp '^vcpu0 #'
	run gunyahctl wait talk2
	assert_equal "$status" 7
}

@test "completions offer the named VMs for NAME (bash, zsh, fish)" {
	start_vm alpha "$SPIN"
	start_vm beta "$SPIN"
	SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	PATH="$(cd "$(dirname "$GUNYAHCTL")" && pwd):$PATH"
	run bash --norc --noprofile -c '
		source /usr/share/bash-completion/bash_completion && source "$1" || exit 1
		compopt() { :; }
		shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_gunyahctl gunyahctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$SRC/completions/gunyahctl.bash" gunyahctl stop --force ""
	assert_output $'alpha\nbeta'
	run timeout 30 "$SRC/tests/zsh-complete" "$SRC/completions" "gunyahctl attach b"
	assert_output "beta"
	run fish --no-config -c 'source $argv[1]; complete -C $argv[2] | cut -f1' \
		"$SRC/completions/gunyahctl.fish" "gunyahctl wait a"
	assert_output "alpha"
}

@test "every key of the admin commands' JSON is in gunyahctl-json(7)" {
	SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	text=$(groff -t -man -Tascii -rHY=0 -rLL=300n -P-cbou "$SRC/man/gunyahctl-json.7")
	start_vm vm --vcpus 2 --uart $UART "$TICK"
	start_vm hello --uart $UART "$HELLO"
	eventually test -f "$RD/hello.status"
	keys=$( {
		gunyahctl list --json
		gunyahctl status --json vm
		gunyahctl status --json hello
		gunyahctl stat --json vm
		sock_send "$RD/vm.sock" '{"v":1,"id":1,"cmd":"pause"}\n{"v":1,"cmd":"step","n":2}\n{"v":1,"cmd":"nope"}\n' 5
		sock_send "$RD/vm.sock" '{"v":1,"cmd":"snapshot"}\n'
		gunyahctl wait --json hello
	} | jq -r '[paths | map(strings) | last] | .[] | select(. != null)' | sort -u)
	# Every kind of object came: snapshot, stat, exit, error reply.
	for k in expects_wakeup run_state mmio_top thread wall_ns code attached; do
		grep -qx "$k" <<<"$keys" || fail "no $k in the output"
	done
	for k in $keys; do
		# the run records a step streams are documented by run's section
		grep -qE "(^|[^a-z_])$k([^a-z_]|\$)" <<<"$text" || fail "json(7) lacks the key $k"
	done
}

@test "stat --json: one snapshot's counts and mmio_top add up (17.20)" {
	# tick.elf touches few MMIO addresses: all are in mmio_top, so its
	# reads and writes must sum to counts' in every snapshot taken while
	# the guest runs flat out.
	start_vm vm1 "$TICK"
	eventually bash -c '(( $("$GUNYAHCTL" stat --json vm1 | jq .exits) > 100 ))'
	for i in $(seq 20); do
		run gunyahctl stat --json vm1
		assert_success
		jq -e '(.mmio_top | length) < 8' <<<"$output" >/dev/null
		assert_equal \
			"$(jq -c '[([.mmio_top[].reads] | add), ([.mmio_top[].writes] | add)]' <<<"$output")" \
			"$(jq -c '[.counts.mmio_read, .counts.mmio_write]' <<<"$output")"
		assert_equal "$(jq -c '[.vcpus[].exits] | add' <<<"$output")" \
			"$(jq .exits <<<"$output")"
	done
}
