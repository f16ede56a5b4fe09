#!/usr/bin/env bats
# gunyahctl's global options and command dispatch.

setup() { load helpers; }

@test "--help lists every command" {
	run gunyahctl --help
	assert_success
	assert_output --partial "Usage: gunyahctl [OPTION...] COMMAND [ARG...]"
	for c in info run diag explain; do
		assert_output --regexp "  $c +"
	done
}

@test "--version prints the version" {
	run gunyahctl --version
	assert_success
	assert_output --regexp '^gunyahctl [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "an unknown command is a usage error on one line" {
	run_split gunyahctl bogus
	assert_equal "$status" 64
	assert_equal "$output" ""
	assert_equal "$stderr" "gunyahctl: bogus: unknown command (see 'gunyahctl --help')"
}

@test "an unknown global option is a usage error on one line" {
	run_split gunyahctl --bogus
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: unrecognized option '--bogus'"
}

@test "no command at all prints usage and exits 64" {
	run_split gunyahctl
	assert_equal "$status" 64
	assert_equal "$output" ""
	[[ $stderr == *"Usage: gunyahctl"* ]]
}

@test "options after the command name belong to the command" {
	run gunyahctl explain --help
	assert_success
	assert_line --index 0 "Usage: gunyahctl explain [OPTION...] TYPE [REASON]"
	run gunyahctl explain --json poweroff
	assert_success
	assert_equal "$(jq -r .type <<<"$output")" poweroff
}
