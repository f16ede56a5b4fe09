# Shared by the bats files: load the assertion libraries, find the binary.
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

: "${GUNYAHCTL:=$BATS_TEST_DIRNAME/../../build/gunyahctl}"
: "${GUEST_DIR:=$BATS_TEST_DIRNAME/../../build}"

gunyahctl() { "$GUNYAHCTL" "$@"; }

# Poll until a command succeeds, for up to EVENTUALLY_S seconds of wall
# time (default 30).  A deadline, not a count of tries: with the load of
# two test suites side by side, 300 tries of a bash -c took over 3 s and
# an attach that was only slow failed as if broken.  Passing tests end at
# their first success, so the bound matters only when a test fails.
eventually() {
	local end=$((SECONDS + ${EVENTUALLY_S:-30}))
	while ((SECONDS < end)); do
		"$@" && return 0
		sleep 0.01
	done
	"$@"
}

# Run gunyahctl with stdout and stderr apart: $output is stdout, $stderr is
# stderr (bats 1.8 has --separate-stderr, but older bats-assert ignores it).
run_split() {
	local errf="$BATS_TEST_TMPDIR/stderr"
	[[ $1 == gunyahctl ]] && set -- "$GUNYAHCTL" "${@:2}"
	run bash -c '"$@" 2>"'"$errf"'"' _ "$@"
	stderr=$(cat "$errf")
}

# The fake /dev/gunyah (tests/fakedev): FAKE_ENV is what env(1) needs to
# preload it; fake runs gunyahctl with it.  FAKEDEV_* pass through.
fakedev_setup() {
	: "${FAKEDEV:=${BUILD_DIR:-$BATS_TEST_DIRNAME/../../build}/tests/fakedev/fakedev.so}"
	[[ -f $FAKEDEV ]] || fail "no fake device at $FAKEDEV (make builds it)"
	# An ASan build wants its runtime first; the shim only interposes.
	FAKE_ENV=(LD_PRELOAD="$FAKEDEV"
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
}
fake() { env "${FAKE_ENV[@]}" "$GUNYAHCTL" "$@"; }
