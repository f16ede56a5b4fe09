# Shared by the bats files: load the assertion libraries, find the binary.
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

: "${GUNYAHCTL:=$BATS_TEST_DIRNAME/../../build/gunyahctl}"
: "${GUEST_DIR:=$BATS_TEST_DIRNAME/../../build}"

gunyahctl() { "$GUNYAHCTL" "$@"; }

# Run gunyahctl with stdout and stderr apart: $output is stdout, $stderr is
# stderr (bats 1.8 has --separate-stderr, but older bats-assert ignores it).
run_split() {
	local errf="$BATS_TEST_TMPDIR/stderr"
	[[ $1 == gunyahctl ]] && set -- "$GUNYAHCTL" "${@:2}"
	run bash -c '"$@" 2>"'"$errf"'"' _ "$@"
	stderr=$(cat "$errf")
}
