#!/usr/bin/env bats
# The control protocol on a named VM's socket, spoken raw (perl): what
# bad requests get, who may talk, and that the VM runs on through it all.

setup() {
	load admin_helpers
	admin_setup
	start_vm vm "$TICK"
	S=$RD/vm.sock
}

teardown() { admin_teardown; }

# The VM still answers and still runs.
still_running() {
	local a b
	a=$(stat_jq vm .exits)
	eventually bash -c "(( \$(\"\$GUNYAHCTL\" stat --json vm | jq .exits) > $a ))"
	b=$(gunyahctl status --json vm | jq -r .state)
	assert_equal "$b" running
}

@test "requests and replies: one JSON object per line, id echoed, version 1" {
	run sock_send "$S" '{"v":1,"id":7,"cmd":"status"}\n'
	assert_success
	assert_equal "$(jq -c '[.v, .id, .ok, .name, .state, .vcpus]' <<<"$output")" '[1,7,true,"vm","running",1]'
	# Any JSON value is an id; several requests on one connection, in order.
	run sock_send "$S" '{"v":1,"id":"a","cmd":"pause"}\n{"v":1,"id":[2],"cmd":"resume"}\n{"cmd":"stat","v":1}\n' 3
	assert_equal "$(jq -c '[.id, .ok, .state]' <<<"$output")" \
		$'["a",true,"paused"]\n[[2],true,"running"]\n[null,true,"running"]'
	still_running
}

@test "a malformed request gets an error reply; the connection and the VM go on" {
	run sock_send "$S" 'hello\n{"v":1,"id":1,"cmd":"status"}\n' 2
	assert_line --index 0 '{"v":1,"ok":false,"error":"not a JSON object on one line","code":"request"}'
	assert_equal "$(sed -n 2p <<<"$output" | jq -c '[.id, .ok]')" '[1,true]'
	for bad in '[1,2]' '{"v":1,"cmd":"status"} trailing' '{"v":1,' '"str"' '{}x'; do
		run sock_send "$S" "$bad\\n"
		assert_equal "$(jq -c '[.ok, .code, .error]' <<<"$output")" '[false,"request","not a JSON object on one line"]'
	done
	run sock_send "$S" '{"v":1,"id":3}\n'
	assert_equal "$(jq -c '[.id, .ok, .code, .error]' <<<"$output")" '[3,false,"request","no \"cmd\""]'
	run sock_send "$S" '{"v":1,"id":4,"cmd":"reboot"}\n'
	assert_equal "$(jq -r .error <<<"$output")" 'unknown command "reboot"'
	# The VM checks n itself, whatever the client did.
	for n in '"x"' 0 -1 1000000001; do
		run sock_send "$S" "{\"v\":1,\"cmd\":\"step\",\"n\":$n}\\n"
		assert_equal "$(jq -r .error <<<"$output")" '"n": want a number from 1 to 1000000000'
	done
	run sock_send "$S" '{"v":1,"cmd":"stop","force":1}\n'
	assert_equal "$(jq -r .error <<<"$output")" '"force": want true or false'
	still_running
}

@test "a request of another protocol version is refused, saying which it speaks" {
	run sock_send "$S" '{"v":2,"id":1,"cmd":"stop","force":true}\n'
	assert_equal "$(jq -c '[.v, .id, .ok, .code, .error]' <<<"$output")" \
		'[1,1,false,"version","protocol version 2 not supported: this VM speaks version 1"]'
	run sock_send "$S" '{"cmd":"stop","force":true}\n'
	assert_equal "$(jq -r .error <<<"$output")" 'no protocol version ("v":1)'
	still_running
}

@test "an oversized request gets an error reply and the connection is closed" {
	big=$(head -c 5000 /dev/zero | tr '\0' x)
	run sock_send "$S" "{\"v\":1,\"cmd\":\"status\",\"pad\":\"$big\"}\\n{\"v\":1,\"cmd\":\"status\"}\\n" 2
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq -c '[.ok, .code, .error]' <<<"$output")" \
		'[false,"request","request too long (more than 4096 bytes with its newline)"]'
	# Just under the limit is fine.
	pad=$(head -c 4000 /dev/zero | tr '\0' x)
	run sock_send "$S" "{\"v\":1,\"cmd\":\"status\",\"pad\":\"$pad\"}\\n"
	assert_equal "$(jq -c .ok <<<"$output")" true
	still_running
}

@test "a client that connects and says nothing holds up nobody" {
	# Held until killed (a fixed while could end before a loaded
	# machine gets to the checks); no fd of bats' kept if it is not.
	perl -e 'use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die; sleep 120' "$S" >/dev/null 2>&1 &
	idle=$!
	eventually has_conns vm 1
	run gunyahctl status vm
	assert_success
	still_running
	kill $idle
	wait $idle || true
}

@test "a client that shuts its side after the request still gets the reply" {
	perl -e '
		use IO::Socket::UNIX;
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die;
		print $s qq({"v":1,"id":9,"cmd":"wait"}\n);
		shutdown($s, 1);
		print scalar <$s>;' "$S" >"$BATS_TEST_TMPDIR/reply" &
	eventually has_conns vm 1
	gunyahctl stop --force vm
	wait
	assert_equal "$(jq -c '[.id, .ok, .result]' "$BATS_TEST_TMPDIR/reply")" '[9,true,"stopped"]'
	run gunyahctl list --json
	assert_equal "$(jq -r .state <<<"$output")" exited
}

@test "more clients than the VM serves at once: the extra one is told" {
	perl -e '
		use IO::Socket::UNIX;
		my @s = map { IO::Socket::UNIX->new(Peer => $ARGV[0]) or die } 1 .. 32;
		sleep 120' "$S" >/dev/null 2>&1 &
	hold=$!
	eventually has_conns vm 32
	run sock_send "$S" '{"v":1,"cmd":"status"}\n'
	assert_equal "$(jq -c '[.ok, .code, .error]' <<<"$output")" '[false,"busy","too many connections (32)"]'
	run_split gunyahctl status vm
	assert_equal "$status $stderr" "75 gunyahctl: status: vm: too many connections (32)"
	kill $hold
	wait $hold || true
	eventually gunyahctl status vm >/dev/null
	still_running
}

@test "requests from another user are refused (SO_PEERCRED)" {
	[[ $EUID == 0 ]] || skip "needs root to act as another user"
	# Open the way so that only the VM's own check is left.
	chmod 711 "$XDG_RUNTIME_DIR" "$RD"
	chmod 666 "$S"
	chmod 711 "$BATS_TEST_TMPDIR" "$(dirname "$BATS_TEST_TMPDIR")" \
		"$(dirname "$(dirname "$BATS_TEST_TMPDIR")")" 2>/dev/null || true
	run setpriv --reuid=65534 --regid=65534 --clear-groups perl -e '
		use IO::Socket::UNIX;
		$SIG{PIPE} = "IGNORE";
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!\n";
		print $s qq({"v":1,"cmd":"stop","force":true}\n);
		print scalar <$s>;' "$S"
	assert_success
	assert_equal "$(jq -c '[.ok, .code, .error]' <<<"$output")" \
		'[false,"denied","permission denied: uid 65534 may not control this VM (uid 0'"'"'s)"]'
	still_running
	# And gunyahctl of that user does not talk to root's VM at all.
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		env XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" "$GUNYAHCTL" status vm
	assert_equal "$status" 77
}

@test "attach with \"exits\": false streams all but the exit records" {
	start_vm con --uart $UART "$TICK"
	# With them: every console line comes after the 5 exits that wrote it.
	run sock_send "$RD/con.sock" '{"v":1,"id":1,"cmd":"attach"}\n' 4
	assert_equal "$(head -4 <<<"$output" | jq -sc 'map(has("exit")) | any')" true
	# Without: the console lines only (attach --console's echo must not
	# queue behind a flood of exits nobody shows).
	run sock_send "$RD/con.sock" '{"v":1,"id":1,"cmd":"attach","exits":false}\n' 4
	assert_equal "$(head -4 <<<"$output" | jq -c '[.id, .ok, .event, .text]')" \
		$'[1,true,null,null]\n[null,null,"console","tick\\n"]\n[null,null,"console","tick\\n"]\n[null,null,"console","tick\\n"]'
	assert_equal "$(grep -c '"exit"' <<<"$output")" 0
	run sock_send "$S" '{"v":1,"cmd":"attach","exits":1}\n'
	assert_equal "$(jq -c '[.ok, .code, .error]' <<<"$output")" '[false,"request","\"exits\": want true or false"]'
	still_running
}
