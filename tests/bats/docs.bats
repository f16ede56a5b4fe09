#!/usr/bin/env bats
# Man pages and shell completions: they render cleanly, they list every
# option and command the binary has, and the completions complete.

setup() {
	load helpers
	SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	BASH_COMPLETION_FILE=/usr/share/bash-completion/bash_completion
	PATH="$(cd "$(dirname "$GUNYAHCTL")" && pwd):$PATH"
}

# What bash completes after "gunyahctl WORD...": one candidate a line.
complete_bash() {
	run bash --norc --noprofile -c '
		source "$1" && source "$2" || exit 1
		compopt() { :; }
		shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_gunyahctl gunyahctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$BASH_COMPLETION_FILE" "$SRC/completions/gunyahctl.bash" gunyahctl "$@"
}

complete_fish() {
	run fish --no-config -c 'source $argv[1]; complete -C $argv[2] | cut -f1' \
		"$SRC/completions/gunyahctl.fish" "gunyahctl $*"
}

@test "every man page renders without warnings" {
	local n=0
	for page in "$SRC"/man/*.[1-8]; do
		n=$((n + 1))
		run groff -t -man -ww -z "$page"
		assert_success
		assert_output ""
		for width in 80 60; do
			run bash -c 'MANWIDTH=$1 man --warnings -l "$2" 2>&1 >/dev/null' _ "$width" "$page"
			assert_success
			assert_output ""
		done
	done
	((n >= 4))
}

@test "every command's options are in its man page and its completions" {
	run "$SRC/tests/check-doc-drift" "$GUNYAHCTL" "$SRC/man" "$SRC/completions"
	assert_success
	refute_output --partial "missing:"
}

@test "the drift check fails when a man page or a completion lacks an option" {
	local t=$BATS_TEST_TMPDIR
	cp -r "$SRC/man" "$SRC/completions" "$t/"
	# drop --json from info's page, --list from explain's bash, fish and
	# zsh completions, --backend from info's zsh completion
	sed -i '/^\.BR \\-j ", " \\-\\-json$/d' "$t/man/gunyahctl-info.1"
	sed -i 's/_parse_help "$bin" "$cmd --help"/& | grep -v -- --list/' "$t/completions/gunyahctl.bash"
	sed -i "/explain' -s l -l list/d" "$t/completions/gunyahctl.fish"
	sed -i "/{-l,--list}/d; /{-b+,--backend=}/d" "$t/completions/_gunyahctl"
	run "$SRC/tests/check-doc-drift" "$GUNYAHCTL" "$t/man" "$t/completions"
	assert_failure
	assert_line "missing: gunyahctl info: --json in the OPTIONS of $t/man/gunyahctl-info.1"
	assert_line "missing: gunyahctl info: -j in the OPTIONS of $t/man/gunyahctl-info.1"
	assert_line "missing: gunyahctl explain: --list in the bash completion"
	assert_line "missing: gunyahctl explain: --list in the fish completion"
	assert_line "missing: gunyahctl explain: --list in the zsh completion"
	assert_line "missing: gunyahctl info: --backend in the zsh completion"
	# the bash and zsh seds take diag's --list and --backend (and run's
	# --backend) with them
	assert_line "missing: gunyahctl diag: --list in the bash completion"
	assert_line "missing: gunyahctl diag: --list in the zsh completion"
	assert_line "missing: gunyahctl diag: --backend in the zsh completion"
	assert_line "missing: gunyahctl run: --backend in the zsh completion"
	assert_equal "$(grep -c '^missing:' <<<"$output")" 10
}

@test "the drift check fails for a command without a man page" {
	local t=$BATS_TEST_TMPDIR
	cp -r "$SRC/man" "$SRC/completions" "$t/"
	rm "$t/man/gunyahctl-explain.1"
	run "$SRC/tests/check-doc-drift" "$GUNYAHCTL" "$t/man" "$t/completions"
	assert_failure
	assert_line "missing: gunyahctl explain: man page $t/man/gunyahctl-explain.1"
}

@test "every key the JSON output has is documented in gunyahctl-json(7)" {
	local page text keys
	text=$(groff -t -man -Tascii -rHY=0 -rLL=300n -P-cbou "$SRC/man/gunyahctl-json.7")
	keys=$( {
		gunyahctl info --json
		gunyahctl explain --json restart 0x8001
		gunyahctl explain --json --list
		gunyahctl run --json --uart 0x09000000 "$GUEST_DIR/examples/hello.elf"
		gunyahctl run --json --pf-region 0xc0000000:0x1000 \
			--on-page-fault=retry "$GUEST_DIR/tests/guests/page_fault.bin"
		printf 'r\nm 0x80000000 16\nq\n' |
			gunyahctl run --json --step "$GUEST_DIR/tests/guests/mmio_widths.bin"
		# a check's values are its own: json(7) documents the object
		gunyahctl diag --json | jq -c 'del(.values)'
		gunyahctl diag --json --list
		gunyahctl probe --json || true
		gunyahctl run --json --entry 0x80000002 "$GUEST_DIR/tests/guests/spin.bin" 2>/dev/null || true
	} | jq -r '[paths | map(strings) | last] | .[] | select(. != null)' | sort -u)
	[[ -n $keys ]]
	for k in $keys; do
		# ioctl names are values of the flavour, documented as a group
		[[ $k == GUNYAH_* || $k == GH_* ]] && continue
		grep -qE "(^|[^a-z_])$k([^a-z_]|\$)" <<<"$text" || fail "json(7) lacks the key $k"
	done
}

@test "the examples in the man pages print what they show" {
	[[ -e /dev/gunyah ]] && skip "the examples assume no /dev/gunyah"
	local page checked=0
	for page in "$SRC"/man/*.[1-8]; do
		# code blocks of EXAMPLES: lines indented 14, split at blank lines
		while IFS= read -r -d '' block; do
			grep -q '^\$ ' <<<"$block" || continue
			grep -v '^\$ ' <<<"$block" | grep -q . || continue # shows no output
			grep -qx '\.\.\.\|  *\.\.\.' <<<"$block" && continue # elided
			local script want got
			script=$(sed -n 's/^\$ //p' <<<"$block")
			want=$(grep -v '^\$ ' <<<"$block")
			got=$(bash -c "$script" 2>&1)
			[[ $got == "$want" ]] ||
				fail "$(basename "$page"): example"$'\n'"$script"$'\n'"printed"$'\n'"$got"$'\n'"not"$'\n'"$want"
			checked=$((checked + 1))
		done < <(groff -t -man -Tascii -rHY=0 -rLL=300n -P-cbou "$page" |
			awk '/^[A-Z]/ { on = ($0 == "EXAMPLES"); next }
			     on && /^              / { sub(/^              /, ""); blk = blk $0 "\n"; next }
			     on && blk != "" { printf "%s%c", blk, 0; blk = "" }
			     END { if (blk != "") printf "%s%c", blk, 0 }')
	done
	((checked >= 5))
}

@test "bash: commands and global options" {
	complete_bash ""
	assert_success
	for c in info run diag explain; do assert_line "$c"; done
	complete_bash e
	assert_output "explain"
	complete_bash -
	assert_line "--help"
	assert_line "--version"
	assert_line "--usage"
}

@test "bash: a command's options, with = for those that take a value" {
	complete_bash info -
	assert_success
	assert_line "--json"
	assert_line "--backend="
	assert_line "--help"
	complete_bash explain --l
	assert_output "--list"
}

@test "bash: backend names, as the next word and after =" {
	complete_bash info --backend ""
	assert_output $'sim\ndev'
	complete_bash info --backend=d
	assert_output "dev"
	complete_bash info -b s
	assert_output "sim"
}

@test "bash: explain completes exit type names for TYPE only" {
	complete_bash explain ""
	assert_success
	assert_equal "${#lines[@]}" 8
	assert_line "watchdog_bite"
	assert_line "forced_stop"
	complete_bash explain --json sys
	assert_output "system_reset2"
	complete_bash explain poweroff ""
	assert_output ""
}

@test "bash: run completes files for IMAGE" {
	cd "$BATS_TEST_TMPDIR"
	touch guest-one.elf guest-two.bin other
	complete_bash run guest
	assert_line "guest-one.elf"
	assert_line "guest-two.bin"
	refute_line "other"
}

complete_zsh() {
	run timeout 30 "$SRC/tests/zsh-complete" "$SRC/completions" "gunyahctl $*"
}

@test "zsh: commands, options, backend and exit type values" {
	complete_zsh ""
	assert_success
	for c in info run diag explain; do assert_line "$c"; done
	complete_zsh info -
	assert_line "--json"
	assert_line "-b"
	assert_line "--backend"
	complete_zsh info --backend ""
	assert_output $'sim\ndev'
	complete_zsh info --backend=d
	assert_output "dev"
	complete_zsh explain ""
	assert_equal "${#lines[@]}" 8
	assert_line "async_ext_abort"
	complete_zsh explain --json hyp_error ""
	assert_output ""
	complete_zsh explain --list -
	refute_line "--list"
	assert_line "--json"
}

@test "zsh: run completes files for IMAGE" {
	cd "$BATS_TEST_TMPDIR"
	touch guest-one.elf guest-two.bin other
	complete_zsh run guest
	assert_output $'guest-one.elf\nguest-two.bin'
}

@test "zsh and fish completions parse" {
	run zsh -n "$SRC/completions/_gunyahctl"
	assert_success
	run fish --no-config -n "$SRC/completions/gunyahctl.fish"
	assert_success
	# fish -n checks syntax only; sourcing runs it
	run fish --no-config -c 'source $argv[1]' "$SRC/completions/gunyahctl.fish"
	assert_success
	assert_output ""
}

@test "fish: commands, options, backend and exit type values" {
	complete_fish ""
	for c in info run diag explain; do assert_line "$c"; done
	complete_fish info --
	assert_line "--json"
	assert_line "--backend"
	complete_fish info --backend ""
	assert_output $'dev\nsim'
	complete_fish explain ""
	assert_line "hyp_error"
	assert_equal "${#lines[@]}" 8
	complete_fish explain hyp_error ""
	assert_output ""
}

@test "diag completes check names: arguments, --only, after a comma" {
	complete_bash diag mmio_
	assert_output $'mmio_write\nmmio_read\nmmio_latency'
	complete_bash diag --only resume_f
	assert_output "resume_fault"
	complete_bash diag --only=mmap_size,fn_e
	assert_line "mmap_size,fn_einval"
	assert_line "mmap_size,fn_eexist"
	complete_bash diag --backend ""
	assert_output $'sim\ndev'
	complete_zsh diag system_
	assert_output $'system_off\nsystem_reset\nsystem_reset2'
	complete_zsh diag --only wfi
	assert_output "wfi_wake"
	complete_fish diag sticky
	assert_output "sticky_status"
	complete_fish diag --only psci
	assert_output "psci_cpu_on"
}

# The statuses of a command's --help ("Exit status: 0 paused, 66 ...")
# and of its man page's EXIT STATUS section (".B 66"), one a line.
help_statuses() {
	"$GUNYAHCTL" "$1" --help | tr '\n' ' ' | sed -n 's/.*Exit status://p' |
		grep -oE '(^|[ ,;(])[0-9]{1,3}\b' | tr -dc '0-9\n' | sort -un
}
man_statuses() {
	sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$SRC/man/gunyahctl-$1.1" |
		sed -n 's/^\.B \([0-9]\+\).*/\1/p' | sort -un
}

@test "every exit status a command's --help names is in its man page" {
	local cmd n=0 missing
	for page in "$SRC"/man/gunyahctl-*.1; do
		cmd=${page##*/gunyahctl-}; cmd=${cmd%.1}
		missing=$(comm -23 <(help_statuses "$cmd") <(man_statuses "$cmd"))
		[[ -z $missing ]] || { echo "$cmd: --help has $missing, man lacks it"; false; }
		n=$((n + 1))
	done
	((n >= 10))
}
