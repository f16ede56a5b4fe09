#!/usr/bin/env bats
# make install / uninstall into a staging directory, and a program built
# against the installed libgunyah with pkg-config.

setup_file() {
	SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export SRC
	export DEST=$BATS_FILE_TMPDIR/dest
	# The same build as the one under test (B, SAN), so nothing rebuilds.
	make -s -C "$SRC" B="${B:-build}" SAN="${SAN:-}" install \
		DESTDIR="$DEST" PREFIX=/usr/local >"$BATS_FILE_TMPDIR/install.log" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/install.log" >&3; return 1; }
}

setup() {
	load helpers
	P=$DEST/usr/local
	export PKG_CONFIG_PATH=$P/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$DEST
	SANFLAGS=${SAN:+-fsanitize=$SAN}
}

@test "install puts every file in its standard place" {
	assert_file_executable "$P/bin/gunyahctl"
	assert_file_exists "$P/lib/libgunyah.a"
	assert_file_executable "$P/lib/libgunyah.so.0"
	assert_link_exists "$P/lib/libgunyah.so"
	assert_equal "$(readlink "$P/lib/libgunyah.so")" "libgunyah.so.0"
	for h in gunyah.h gunyah_abi.h gunyah_sim.h; do
		assert_file_exists "$P/include/gunyah/$h"
	done
	assert_file_exists "$P/lib/pkgconfig/libgunyah.pc"
	for p in "$SRC"/man/*.1; do assert_file_exists "$P/share/man/man1/${p##*/}"; done
	for p in "$SRC"/man/*.7; do assert_file_exists "$P/share/man/man7/${p##*/}"; done
	assert_file_exists "$P/share/bash-completion/completions/gunyahctl"
	assert_file_exists "$P/share/zsh/site-functions/_gunyahctl"
	assert_file_exists "$P/share/fish/vendor_completions.d/gunyahctl.fish"
	run readelf -d "$P/lib/libgunyah.so.0"
	assert_output --regexp 'SONAME.*\[libgunyah\.so\.0\]'
}

@test "the installed gunyahctl runs and its man pages are found" {
	run "$P/bin/gunyahctl" explain --json poweroff
	assert_success
	assert_equal "$(jq -r .type_code <<<"$output")" 1
	run man -M "$P/share/man" -w gunyahctl-json
	assert_success
	assert_output "$P/share/man/man7/gunyahctl-json.7"
	run man -M "$P/share/man" -w gunyahctl-info
	assert_output "$P/share/man/man1/gunyahctl-info.1"
}

@test "pkg-config describes the installed library" {
	run pkg-config --modversion libgunyah
	assert_success
	assert_output "$(sed -n 's/^VERSION := //p' "$SRC/Makefile")"
	run pkg-config --cflags --libs libgunyah
	assert_success
	assert_output --regexp "^-I$P/include -L$P/lib -lgunyah *\$"
	run pkg-config --static --libs libgunyah
	assert_output --partial "-lunicorn"
	assert_output --partial "-lm"
}

# Build examples/libgunyah against the staged install, as a user would.
build_example() {
	cp "$SRC/examples/libgunyah/exits.c" "$SRC/examples/libgunyah/Makefile" \
		"$BATS_TEST_TMPDIR/"
	run make -s -C "$BATS_TEST_TMPDIR" CFLAGS="-O2 -Wall -Wextra -Werror $SANFLAGS" "$@"
	assert_success
	assert_file_executable "$BATS_TEST_TMPDIR/exits"
}

@test "the example, built with pkg-config against the install, runs a guest" {
	build_example
	# it is linked to the installed shared library, not the build tree's
	LD_LIBRARY_PATH=$P/lib run ldd "$BATS_TEST_TMPDIR/exits"
	assert_output --regexp "libgunyah\.so\.0 => $P/lib/libgunyah\.so\.0"
	LD_LIBRARY_PATH=$P/lib run "$BATS_TEST_TMPDIR/exits" \
		"$GUEST_DIR/tests/guests/mmio_widths.bin"
	assert_success
	assert_line --index 0 "1 mmio write 0x9000000 len 1 data 0x88"
	assert_line --index 3 "4 mmio write 0x9000008 len 8 data 0x1122334455667788"
	assert_line --index 4 "5 mmio read 0x9000010 len 1"
	assert_equal "${#lines[@]}" 25
	assert_line --index 24 "25 status exited type poweroff reason 0x00000000 code normal"
}

@test "the example links statically against libgunyah.a" {
	cp "$SRC/examples/libgunyah/exits.c" "$BATS_TEST_TMPDIR/"
	local libs
	libs=$(pkg-config --static --libs libgunyah)
	run cc -O2 $SANFLAGS -o "$BATS_TEST_TMPDIR/exits-static" "$BATS_TEST_TMPDIR/exits.c" \
		$(pkg-config --cflags libgunyah) ${libs/-lgunyah/$P/lib/libgunyah.a}
	assert_success
	run ldd "$BATS_TEST_TMPDIR/exits-static"
	refute_output --partial libgunyah
	run "$BATS_TEST_TMPDIR/exits-static" "$GUEST_DIR/tests/guests/mmio_widths.bin"
	assert_success
	assert_line --index 24 "25 status exited type poweroff reason 0x00000000 code normal"
}

@test "the example reports a missing image and a missing device" {
	build_example
	LD_LIBRARY_PATH=$P/lib run "$BATS_TEST_TMPDIR/exits" /nonexistent.bin
	assert_failure 1
	assert_output "exits: /nonexistent.bin: No such file or directory"
	[[ -e /dev/gunyah ]] && return
	LD_LIBRARY_PATH=$P/lib run "$BATS_TEST_TMPDIR/exits" /dev/null dev
	assert_failure 1
	assert_output "exits: creating the VM: No such file or directory"
}

@test "uninstall removes exactly what install put there" {
	local d=$BATS_TEST_TMPDIR/again
	make -s -C "$SRC" B="${B:-build}" SAN="${SAN:-}" install DESTDIR="$d" PREFIX=/usr/local
	# things that are not ours, in the same directories
	touch "$d/usr/local/bin/other" "$d/usr/local/share/man/man1/other.1" \
		"$d/usr/local/lib/pkgconfig/other.pc"
	run make -s -C "$SRC" uninstall DESTDIR="$d" PREFIX=/usr/local
	assert_success
	run bash -c 'cd "$1" && find . ! -type d | sort' _ "$d"
	assert_output $'./usr/local/bin/other\n./usr/local/lib/pkgconfig/other.pc\n./usr/local/share/man/man1/other.1'
	assert_not_exists "$d/usr/local/include/gunyah"
}

@test "install honours PREFIX, and uninstall leaves no file behind" {
	local d=$BATS_TEST_TMPDIR/opt
	make -s -C "$SRC" B="${B:-build}" SAN="${SAN:-}" install DESTDIR="$d" PREFIX=/opt/gh
	assert_file_executable "$d/opt/gh/bin/gunyahctl"
	run grep -x 'prefix=/opt/gh' "$d/opt/gh/lib/pkgconfig/libgunyah.pc"
	assert_success
	make -s -C "$SRC" uninstall DESTDIR="$d" PREFIX=/opt/gh
	run find "$d" ! -type d
	assert_output ""
}
