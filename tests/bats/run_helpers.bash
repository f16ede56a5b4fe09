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

# Does process $1 block signal number $2 (run's stop signals are blocked
# and read from a signalfd: from then on a signal is a stop request)?
blocks() {
	local m
	m=$(awk '/^SigBlk:/ { print $2 }' "/proc/$1/status" 2>/dev/null) &&
		[[ -n $m ]] && (((0x$m >> ($2 - 1)) & 1))
}

# Has a thread of process $1 other than its main one used $2 clock ticks
# of CPU (a vCPU spinning in its guest, well past what came before)?
spun() {
	local t s
	for t in /proc/"$1"/task/*; do
		[[ ${t##*/} == "$1" ]] && continue
		read -r s <"$t/stat" 2>/dev/null || continue
		s=(${s##*) })
		((s[11] + s[12] >= $2)) && return 0
	done
	return 1
}
