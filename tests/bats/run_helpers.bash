# Shared by the run*.bats files: guest paths and JSON checks.
load helpers

G=$GUEST_DIR/tests/guests
E=$GUEST_DIR/examples
HELLO=$E/hello.elf
UART=0x09000000
HELLO_TEXT='Hello, Gunyah!'

# Every line of $output is a JSON object (jq exits non-zero otherwise).
assert_json_lines() {
	local n
	n=$(jq -c . <<<"$output" | wc -l) || fail "stdout is not JSON Lines: $output"
	assert_equal "$n" "$(wc -l <<<"$output")"
	jq -e 'type == "object"' <<<"$output" >/dev/null ||
		fail "a line is not a JSON object"
}

# The exit records of $output (no events), compact, one per line.
exits_json() { jq -c 'select(has("seq"))' <<<"$output"; }

# jq on the summary object of $output.
summary_jq() { jq -r "select(.event == \"summary\") | $1" <<<"$output"; }

# Bytes as hex, no spaces: the same spelling the JSON memory event uses.
hex_bytes() { od -An -v -tx1 "$@" | tr -d ' \n'; }
