# Shared by the admin*.bats files: named VMs in a private runtime
# directory per test, and a teardown that checks nothing is left behind.
load run_helpers

# Absolute and without "..": the image a VM reports is its real path.
TICK=$(realpath "$G/tick.elf")
SPIN=$(realpath "$G/spin.elf")

admin_setup() {
	export GUNYAHCTL
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/rt
	mkdir -p "$XDG_RUNTIME_DIR"
	RD=$XDG_RUNTIME_DIR/gunyahctl
	PIDS=$BATS_TEST_TMPDIR/pids
	: >"$PIDS"
	# ASan and LeakSanitizer reports (make asan) go to files, also those
	# of detached VMs, whose stderr is a log nobody reads: teardown looks
	# at them.  (UBSan, linked with ASan, writes to stderr whatever
	# log_path says; its errors abort the process, which the tests see.)
	SAN_DIR=$BATS_TEST_TMPDIR/san
	mkdir -p "$SAN_DIR"
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$SAN_DIR/asan"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$SAN_DIR/ubsan:print_stacktrace=1"
	export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}log_path=$SAN_DIR/tsan"
}

# Is the process there?  A zombie is not (nobody may reap it here), but
# one whose main thread is a zombie while its other threads still exit
# is: they hold its files, its socket too, until the last one has gone.
# (The state follows the last ')': a thread's name may hold spaces.)
alive() {
	local f st
	for f in /proc/"$1"/task/*/stat; do
		read -r st 2>/dev/null <"$f" || continue
		st=${st##*) }
		[[ ${st%% *} == [ZX] ]] || return 0
	done
	return 1
}

# Wait for a process to go (within eventually's bound).
gone() { ! alive "$1"; }
wait_gone() { eventually gone "$1"; }

# Wait until NAME has N attached clients.
attached() {
	eventually bash -c "[[ \$(\"\$GUNYAHCTL\" status --json $1 | jq .attached) == $2 ]]"
}

# attach --json [ARGS] to NAME by a client that reads nothing until the
# VM has gone 50,000 exits past it (the pipe, the socket and the VM's
# queue for it fill up: it loses records), into OUT; then the VM is
# force-stopped and the client has ended.
stalled_attach() {
	local name=$1 out=$2 a
	shift 2
	mkfifo "$BATS_TEST_TMPDIR/go"
	gunyahctl attach --json --count 2000000 "$@" "$name" |
		{ read -r _ <"$BATS_TEST_TMPDIR/go"; cat; } >"$out" &
	attached "$name" 1
	a=$(stat_jq "$name" .exits)
	# The VM does not wait for the client: it goes far past that.
	eventually bash -c "(( \$(\"\$GUNYAHCTL\" stat --json $name | jq .exits) > $a + 50000 ))"
	echo go >"$BATS_TEST_TMPDIR/go"
	gunyahctl stop --force "$name"
	wait
	rm "$BATS_TEST_TMPDIR/go"
}

pid_of() { gunyahctl status --json "$1" | jq -r .pid; }

# Has NAME's VM N connections?  Its accepted ends are the connected (03)
# UNIX sockets among its process's fds, as /proc/net/unix lists them
# (by inode: the VM binds its socket by a /proc/self/fd path, never by
# the one others see).  NAME must have been started by start_vm.
has_conns() {
	local pid n
	pid=$(cat "$BATS_TEST_TMPDIR/pid.$1") || return 1
	n=$(readlink /proc/"$pid"/fd/* 2>/dev/null |
		sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' |
		awk 'NR == FNR { want[$1]; next } ($7 in want) && $6 == "03"' \
			- /proc/net/unix | wc -l)
	((n == $2))
}

# start_vm NAME [run options] IMAGE: run --detach, remember its pid.
start_vm() {
	local name=$1
	shift
	run gunyahctl run --name "$name" --detach "$@"
	assert_success
	assert_output ""
	pid_of "$name" >"$BATS_TEST_TMPDIR/pid.$name"
	cat "$BATS_TEST_TMPDIR/pid.$name" >>"$PIDS"
}

# Remember a process started some other way (a foreground run).
track_pid() { echo "$1" >>"$PIDS"; }

# jq on a VM's stat --json.
stat_jq() { gunyahctl stat --json "$1" | jq -r "$2"; }

# Is pid a live gunyahctl of this test's runtime directory?  A pid that
# was one may be anything now: pid_max is 32768 and a test's VMs and their
# threads can use the numbers up, so nothing is killed on its number alone.
ours() {
	[[ $(readlink "/proc/$1/exe" 2>/dev/null) == */gunyahctl ]] || return 1
	alive "$1" || return 1
	tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null |
		grep -qxF "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"
}

# The gunyahctl processes with this test's runtime directory.
vm_procs() {
	local p
	for p in /proc/[0-9]*; do
		ours "${p#/proc/}" && echo "${p#/proc/}"
	done
}

# Whatever a test left running is stopped the ordinary way; then every
# process it started must have gone and taken its socket with it.
admin_teardown() {
	local name pid left=() socks
	for name in $(gunyahctl list --json 2>/dev/null |
		jq -r 'select(.state == "running" or .state == "paused") | .name'); do
		gunyahctl stop --force --timeout 5 "$name" >/dev/null 2>&1
	done
	for pid in $(cat "$PIDS" 2>/dev/null); do
		if ! wait_gone "$pid" && ours "$pid"; then
			kill -9 "$pid" 2>/dev/null
			left+=("$pid")
		fi
	done
	# A VM this test started but did not see (its own commands broke):
	# any gunyahctl with this test's runtime directory.
	for pid in $(vm_procs); do
		kill -9 "$pid" 2>/dev/null
		left+=("$pid")
	done
	socks=$(compgen -G "$RD/*.sock" || true)
	((${#left[@]} == 0)) || fail "VM processes left running: ${left[*]}"
	[[ -z $socks ]] || fail "sockets left: $socks"
	if compgen -G "$SAN_DIR/*" >/dev/null; then
		cat "$SAN_DIR"/*
		fail "sanitizer reports: $(ls "$SAN_DIR")"
	fi
}

# sock_send PATH DATA [LINES]: raw bytes to a VM's socket ("\n" is a
# newline), then up to LINES lines (default 1) of what comes back.  A
# VM that refuses a connection replies and closes at once: the request
# may meet a closed socket (EPIPE), the reply is read all the same.
sock_send() {
	perl -e '
		use strict; use IO::Socket::UNIX; use IO::Select;
		$SIG{PIPE} = "IGNORE";
		my ($path, $data, $want) = @ARGV;
		my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path)
			or die "connect $path: $!\n";
		$data =~ s/\\n/\n/g;
		print $s $data;
		my ($buf, $n, $sel) = ("", 0, IO::Select->new($s));
		while ($n < $want && $sel->can_read(5)) {
			my $r = sysread($s, $buf, 65536, length $buf);
			last if !$r;
			$n = () = $buf =~ /\n/g;
		}
		print $buf;
	' "$1" "$2" "${3:-1}"
}
