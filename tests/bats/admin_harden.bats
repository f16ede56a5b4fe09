#!/usr/bin/env bats
# Named VMs under faults: full disks, closed pipes, killed processes, a
# swapped runtime directory, a flooded or stalled control socket (issue
# 17).  Each test names the item of the review it holds to.

setup() {
	load admin_helpers
	admin_setup
}

teardown() { admin_teardown; }

@test "list, status and stat exit 74 with one line when stdout is full (17.6)" {
	start_vm vm "$TICK"
	for cmd in list "list --json" "status vm" "status --json vm" \
		"stat vm" "stat --json vm" "stat --watch --count 2 --interval 0.01 vm"; do
		run bash -c '"$GUNYAHCTL" '"$cmd"' >/dev/full'
		assert_equal "$status" 74
		assert_output "gunyahctl: ${cmd%% *}: writing the output: No space left on device"
	done
}

@test "wait that cannot write its result does not collect it (17.4)" {
	# Connected while the VM runs: the reply cannot be written.
	start_vm w1 "$TICK"
	gunyahctl wait --json w1 >/dev/full 2>"$BATS_TEST_TMPDIR/err" &
	w=$!
	# (stopped before the wait is connected, the wait reads the status
	# file and says first that the VM is not running)
	eventually bash -c '[[ $("$GUNYAHCTL" status --json w1 | jq .waiting) == 1 ]]'
	gunyahctl stop --force w1
	wait $w || s=$?
	assert_equal "${s:-0}" 74
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "gunyahctl: wait: writing the output: No space left on device"
	assert_exists "$RD/w1.status"
	# From the status file: the same, and it stays.
	run bash -c '"$GUNYAHCTL" wait w1 >/dev/full'
	assert_equal "$status" 74
	assert_output "gunyahctl: wait: writing the output: No space left on device"
	assert_exists "$RD/w1.status"
	# Collected by the first wait that could say it.
	run gunyahctl wait w1
	assert_equal "$status" 6
	assert_output "w1: stopped, exit status 6"
	assert_not_exists "$RD/w1.status"
}

@test "a runtime directory swapped for a symlink under a running VM: nothing is written through it (17.1)" {
	start_vm vm "$TICK"
	pid=$(pid_of vm)
	target=$BATS_TEST_TMPDIR/target
	mkdir "$target"
	# What the owner of the parent (a user, when root runs with their
	# XDG_RUNTIME_DIR) can do while the VM runs.
	mv "$RD" "$RD.away"
	ln -s "$target" "$RD"
	kill -TERM "$pid"
	wait_gone "$pid"
	# The VM wrote its status in its own directory, wherever it went,
	# and removed its own socket there.
	run ls -A "$target"
	assert_output ""
	assert_exists "$RD.away/vm.status"
	assert_not_exists "$RD.away/vm.sock"
	# Nor is the symlink taken for the directory.
	run_split gunyahctl list
	assert_equal "$status" 71
	assert_equal "$stderr" "gunyahctl: list: $RD: not a directory"
	run ls -A "$target"
	assert_output ""
	rm "$RD"
	mv "$RD.away" "$RD"
	run gunyahctl wait vm
	assert_equal "$status" 6
}

@test "a runtime directory in a directory someone else could swap is refused (17.1)" {
	[[ $EUID == 0 ]] || skip "needs root to give a directory away"
	home=$(realpath "$BATS_TEST_TMPDIR")/home
	mkdir -p "$home/run"
	chmod 755 "$home"
	# root with a user's XDG_RUNTIME_DIR (su without -, sudo -E)
	chown 65534 "$home"
	XDG_RUNTIME_DIR=$home/run run_split gunyahctl run --name vm --detach "$SPIN"
	assert_equal "$status" 77
	assert_equal "$stderr" "gunyahctl: run: --name vm: $home: its owner (uid 65534, mode 0755) could swap the runtime directory $home/run/gunyahctl: set XDG_RUNTIME_DIR to a directory of yours, or unset it"
	assert_not_exists "$home/run/gunyahctl"
	XDG_RUNTIME_DIR=$home/run run_split gunyahctl list
	assert_equal "$status" 77
	XDG_RUNTIME_DIR=$home/run run_split gunyahctl status vm
	assert_equal "$status" 77
	# Writable by others (not sticky): as bad.
	chown 0 "$home"
	chmod 777 "$home"
	XDG_RUNTIME_DIR=$home/run run_split gunyahctl list
	assert_equal "$status" 77
	assert_equal "$stderr" "gunyahctl: list: $home: anyone who may write it (uid 0, mode 0777) could swap the runtime directory $home/run/gunyahctl: set XDG_RUNTIME_DIR to a directory of yours, or unset it"
	# Sticky, as /tmp is: only an entry's owner may move it.
	chmod 1777 "$home"
	XDG_RUNTIME_DIR=$home/run run gunyahctl list
	assert_success
	# A symlink the user chose is followed once, to a safe place.
	ln -s "$XDG_RUNTIME_DIR" "$home/link"
	XDG_RUNTIME_DIR=$home/link start_vm vm2 "$SPIN"
	assert_exists "$RD/vm2.sock"
	gunyahctl stop --force vm2
	gunyahctl wait vm2 >/dev/null || true
}

@test "a stop that timed out is not done later: the gone client's request is dropped (17.10)" {
	start_vm vm "$TICK"
	pid=$(pid_of vm)
	kill -STOP "$pid"
	run_split gunyahctl stop --timeout 0.3 vm
	kill -CONT "$pid"
	assert_equal "$status" 75
	assert_equal "$stderr" "gunyahctl: stop: vm: still running after 0.3 s (stop --force forces it)"
	# Answered after the loop has seen the stop's connection (it came
	# first): by then a power-off would have been asked for.
	run gunyahctl stat --json vm
	assert_success
	gunyahctl stop --force vm
	# Forced, not powered off: the old request never ran.
	run gunyahctl wait vm
	assert_equal "$status" 6
	assert_output "vm: stopped, exit status 6"
}

@test "all connection slots taken: one accurate line, 75 (17.11)" {
	start_vm vm "$TICK"
	perl -e '
		use IO::Socket::UNIX;
		my @s = map { IO::Socket::UNIX->new(Peer => $ARGV[0])
			or die "connect: $!\n" } 1 .. 32;
		print "ready\n";
		close STDOUT;
		sleep 60;' "$RD/vm.sock" >"$BATS_TEST_TMPDIR/ready" &
	hold=$!
	eventually has_conns vm 32
	for cmd in stop status stat pause; do
		run_split gunyahctl "$cmd" vm
		assert_equal "$status" 75
		assert_equal "$stderr" "gunyahctl: $cmd: vm: too many connections (32)"
	done
	kill $hold
	wait $hold || true
}

@test "idle and half-sent connections are let go after GUNYAHCTL_IDLE_TIMEOUT (17.11)" {
	export GUNYAHCTL_IDLE_TIMEOUT=0.2
	start_vm vm "$TICK"
	unset GUNYAHCTL_IDLE_TIMEOUT
	# One says nothing, one half a request: both are told, and closed.
	run timeout 20 perl -e '
		use IO::Socket::UNIX;
		my $a = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!\n";
		my $b = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!\n";
		print $b q({"v":1,"cmd":"sta);
		for my $s ($a, $b) {
			my $all = "";
			while (sysread($s, my $buf, 4096)) { $all .= $buf }
			print $all;
		}' "$RD/vm.sock"
	assert_success
	assert_equal "$(jq -c '[.ok, .code, .error]' <<<"$output" | sort -u)" \
		'[false,"idle","no request in 0 s: connection closed"]'
	assert_equal "${#lines[@]}" 2
	eventually has_conns vm 0
	# A client that keeps asking, or waits for something, stays.
	gunyahctl wait vm >"$BATS_TEST_TMPDIR/w" &
	w=$!
	eventually has_conns vm 1
	run gunyahctl stat --json vm
	assert_success
	has_conns vm 1
	gunyahctl stop --force vm
	wait $w || s=$?
	assert_equal "${s:-0}" 6
}

@test "2000 pipelined requests: every reply comes, in order; no reset (17.12)" {
	start_vm vm --vcpus 4 "$TICK"
	run timeout 120 perl -e '
		use strict; use IO::Socket::UNIX; use IO::Select;
		$SIG{PIPE} = "IGNORE";
		my ($path, $n) = @ARGV;
		my $s = IO::Socket::UNIX->new(Peer => $path) or die "connect: $!\n";
		$s->blocking(0);
		my $out = join "", map { qq({"v":1,"id":$_,"cmd":"snapshot"}\n) } 1 .. $n;
		my ($in, $got, $next, $bad) = ("", 0, 1, 0);
		my $sel = IO::Select->new($s);
		while ($got < $n) {
			my ($r, $w) = IO::Select->select($sel, length $out ? $sel : undef, undef, 30);
			die "stalled after $got replies\n" unless $r || $w;
			if ($w && @$w) {
				my $k = syswrite($s, $out);
				die "write: $!\n" if !defined $k && !$!{EAGAIN};
				substr($out, 0, $k, "") if $k;
			}
			if ($r && @$r) {
				my $k = sysread($s, $in, 1 << 20, length $in);
				die "read: $! after $got replies\n" unless defined $k || $!{EAGAIN};
				die "closed after $got replies\n" if defined $k && !$k;
				while ((my $i = index($in, "\n")) >= 0) {
					my $line = substr($in, 0, $i + 1, "");
					$bad++ unless $line =~ /^\{"v":1,"id":(\d+),"ok":true/ && $1 == $next;
					$next++;
					$got++;
				}
			}
		}
		print "$got replies, $bad wrong\n";' "$RD/vm.sock" 2000
	assert_success
	assert_output "2000 replies, 0 wrong"
	run gunyahctl status --json vm
	assert_equal "$(jq -r .state <<<"$output")" running
}

@test "step NAME 20000: exactly 20000 exits, no gap, the client's pace (17.5)" {
	start_vm vm --vcpus 2 "$TICK"
	gunyahctl pause vm
	run gunyahctl step --json vm 20000
	assert_success
	# Every exit, numbered without a gap, and no "lost" event.
	assert_equal "$(jq -s 'map(select(has("seq"))) | length' <<<"$output")" 20000
	assert_equal "$(jq -s 'map(select(has("seq")) | .seq) | (.[-1] - .[0] + 1 == length) and (. == (sort))' <<<"$output")" true
	assert_equal "$(jq -s 'map(select(.event == "lost")) | length' <<<"$output")" 0
	# A slow reader gets them all too (the VM waits for it).
	gunyahctl step vm 20000 | { sleep 0.5; cat; } >"$BATS_TEST_TMPDIR/slow"
	assert_equal "$(grep -c '^vcpu' "$BATS_TEST_TMPDIR/slow")" 20000
	assert_equal "$(stat_jq vm .state)" paused
}

@test "step --timeout bounds the whole step; without it a stopped VM is given up on (17.9)" {
	start_vm vm "$TICK"
	gunyahctl pause vm
	# Far more exits than fit in the time: it ends at the timeout, not
	# after a billion exits (the outer timeout would say 124).
	run_split timeout 120 "$GUNYAHCTL" step vm 1000000000 -t 0.5
	assert_equal "$status" 75
	assert_equal "$stderr" "gunyahctl: step: vm: fewer than 1000000000 exits in 0.5 s"
	eventually bash -c '[[ $("$GUNYAHCTL" stat --json vm | jq -r .state) == paused ]]'
	# A reader slower than the VM: a line is always ready, and the
	# deadline still ends it (a sanitizer build is that reader; before
	# the fix it went on for a minute or more).
	run timeout 20 bash -c '"$GUNYAHCTL" step vm 1000000000 -t 0.5 |
		perl -ne "select(undef, undef, undef, 0.002)"; exit ${PIPESTATUS[0]}'
	assert_equal "$status" 75
	eventually bash -c '[[ $("$GUNYAHCTL" stat --json vm | jq -r .state) == paused ]]'
	# A VM whose process is stopped: the default reply timeout.
	pid=$(pid_of vm)
	kill -STOP "$pid"
	run_split timeout 120 "$GUNYAHCTL" step vm
	kill -CONT "$pid"
	assert_equal "$status" 75
	assert_equal "$stderr" "gunyahctl: step: vm: nothing from the VM in 5 s (stopped?): giving up"
}

@test "run --paused: nothing runs until step, which gets the very first exit (17.21)" {
	start_vm vm --paused --uart $UART "$HELLO"
	assert_equal "$(stat_jq vm '[.state, .exits] | join(" ")')" "paused 0"
	assert_equal "$(stat_jq vm '.vcpus[0].thread')" wait
	run gunyahctl step --json vm 3
	assert_success
	assert_equal "$(jq -s -c 'map(select(has("seq")) | .seq)' <<<"$output")" "[1,2,3]"
	assert_equal "$(stat_jq vm '[.state, .exits] | join(" ")')" "paused 3"
	run gunyahctl resume vm
	assert_success
	run gunyahctl wait vm
	assert_success
	assert_output "vm: poweroff, exit status 0"
	# Only where something can let it go on.
	run_split gunyahctl run --paused "$HELLO"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --paused needs --name: 'gunyahctl step' or 'resume' lets the VM go on"
	run_split gunyahctl run --name x --paused --step "$HELLO"
	assert_equal "$status" 64
}
