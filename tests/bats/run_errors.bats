#!/usr/bin/env bats
# gunyahctl run: every bad input is one line on stderr, nothing on stdout,
# the documented exit status, and never a crash.

setup() { load run_helpers; }

# bad STATUS "exact stderr line" ARG...
bad() {
	local want_status=$1 want_err=$2
	shift 2
	run_split gunyahctl run "$@"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
	assert_equal "$stderr" "$want_err"
}

# A copy of hello.elf with bytes at offset replaced: patched OFFSET PRINTF-BYTES
patched() {
	local f=$BATS_TEST_TMPDIR/patched.elf
	cp "$HELLO" "$f"
	printf "$2" | dd of="$f" bs=1 seek="$1" conv=notrunc status=none
	echo "$f"
}

@test "a missing image is EX_NOINPUT (66)" {
	bad 66 "gunyahctl: run: /nonexistent/x.elf: No such file or directory" /nonexistent/x.elf
	bad 66 "gunyahctl: run: $BATS_TEST_TMPDIR: Is a directory" "$BATS_TEST_TMPDIR"
	bad 66 "gunyahctl: run: /dev/null: not a regular file" /dev/null
}

@test "a FIFO as the image is refused at once, like /dev/zero (issue 17 item 7)" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	# No writer ever comes: an open(2) that waits for one hangs (the
	# timeout is only a guard; the refusal needs no time).
	run_split timeout -k 3 60 "$GUNYAHCTL" run -t 1 "$BATS_TEST_TMPDIR/fifo"
	assert_equal "$status" 66
	assert_equal "$output" ""
	assert_equal "$stderr" "gunyahctl: run: $BATS_TEST_TMPDIR/fifo: not a regular file"
	bad 66 "gunyahctl: run: /dev/zero: not a regular file" /dev/zero
}

@test "an empty image is EX_DATAERR (65)" {
	: >"$BATS_TEST_TMPDIR/empty"
	bad 65 "gunyahctl: run: $BATS_TEST_TMPDIR/empty: empty image" "$BATS_TEST_TMPDIR/empty"
}

@test "truncated ELF files are named for what is missing" {
	f=$BATS_TEST_TMPDIR/t.elf
	head -c 40 "$HELLO" >"$f"
	bad 65 "gunyahctl: run: $f: truncated ELF: 40 bytes, the header alone is 64" "$f"
	head -c 100 "$HELLO" >"$f"
	bad 65 "gunyahctl: run: $f: truncated ELF: 1 program headers at offset 64 run past the end of the 100-byte file" "$f"
	head -c 150 "$HELLO" >"$f"
	run_split gunyahctl run "$f"
	assert_equal "$status" 65
	[[ $stderr == "gunyahctl: run: $f: truncated ELF: segment 0 (offset 0x78, "*" bytes) runs past the end of the 150-byte file" ]]
}

@test "ELF files for another machine, class or byte order are refused" {
	bad 65 "gunyahctl: run: $(patched 18 '\x3e\x00'): ELF machine is x86-64, want AArch64" "$(patched 18 '\x3e\x00')"
	bad 65 "gunyahctl: run: $(patched 18 '\x28\x00'): ELF machine is ARM (32-bit), want AArch64" "$(patched 18 '\x28\x00')"
	bad 65 "gunyahctl: run: $(patched 18 '\x34\x12'): ELF machine is 4660, want AArch64 (183)" "$(patched 18 '\x34\x12')"
	bad 65 "gunyahctl: run: $(patched 4 '\x01'): ELF class is 32-bit, want 64-bit" "$(patched 4 '\x01')"
	bad 65 "gunyahctl: run: $(patched 5 '\x02'): ELF data encoding is big-endian, want little-endian" "$(patched 5 '\x02')"
	bad 65 "gunyahctl: run: $(patched 16 '\x01\x00'): ELF type is relocatable (ET_REL), want an executable (ET_EXEC)" "$(patched 16 '\x01\x00')"
	# No program headers at all.
	bad 65 "gunyahctl: run: $(patched 56 '\x00\x00'): ELF has no program headers" "$(patched 56 '\x00\x00')"
	# The one program header is not PT_LOAD (PT_NOTE).
	bad 65 "gunyahctl: run: $(patched 64 '\x04'): ELF has no loadable (PT_LOAD) segments with memory" "$(patched 64 '\x04')"
}

@test "the host's own binaries are refused, not run" {
	run_split gunyahctl run /bin/true
	assert_equal "$status" 65
	assert_equal "$output" ""
	[[ $stderr == "gunyahctl: run: /bin/true: ELF "* ]]
	assert_equal "$(wc -l <<<"$stderr")" 1
}

@test "an image larger than RAM, or outside it, is EX_DATAERR" {
	f=$BATS_TEST_TMPDIR/big.bin
	head -c 70000 /dev/zero >"$f"
	bad 65 "gunyahctl: run: $f: 70000-byte image does not fit in guest RAM [0x80000000, 0x80010000) from 0x80000000" --mem 64K "$f"
	bad 65 "gunyahctl: run: $f: 70000-byte image does not fit in guest RAM [0x80000000, 0x80100000) from 0x800f0000" --mem 1M --load-addr 0x800f0000 "$f"
	bad 65 "gunyahctl: run: $HELLO: ELF segment 0 [0x80000000, 0x80000050) is not inside guest RAM [0x40000000, 0x40100000)" --ram-base 0x40000000 --mem 1M "$HELLO"
	# An entry point outside RAM is a broken ELF.
	bad 65 "gunyahctl: run: $(patched 24 '\x00\x00\x00\x90'): ELF entry point 0x90000000 is not in guest RAM [0x80000000, 0x88000000)" "$(patched 24 '\x00\x00\x00\x90')"
}

# An AArch64 executable of two PT_LOAD segments, both loading (up to) the
# same 256 file bytes, zeros, at offset 0x100:
# elf2 FILE ENTRY PADDR0 MEMSZ0 PADDR1 MEMSZ1
elf2() {
	perl -e '
		my ($f, $entry, $p0, $m0, $p1, $m1) = map { /^0x/ ? hex : $_ } @ARGV;
		my $ehdr = pack("a16 S< S< L< Q< Q< Q< L< S< S< S< S< S< S<",
			"\x7fELF\x02\x01\x01", 2, 183, 1, $entry, 64, 0, 0, 64,
			56, 2, 0, 0, 0);
		my $ph = "";
		$ph .= pack("L< L< Q< Q< Q< Q< Q< Q<", 1, 5, 0x100, $_->[0],
			$_->[0], $_->[1] < 0x100 ? $_->[1] : 0x100, $_->[1], 16)
			for [$p0, $m0], [$p1, $m1];
		open(my $o, ">", $f) or die;
		print $o $ehdr, $ph, "\0" x (0x100 - 64 - 112), "\0" x 0x100;
	' "$@"
}

@test "ELF: overlapping segments, and an entry point that is no instruction, are refused (issue 17 item 17)" {
	f=$BATS_TEST_TMPDIR/two.elf
	elf2 "$f" 0x80000000 0x80000000 0x1000 0x80000800 0x10
	bad 65 "gunyahctl: run: $f: ELF segments 0 [0x80000000, 0x80001000) and 1 [0x80000800, 0x80000810) overlap" "$f"
	elf2 "$f" 0x80000000 0x80001000 0x1000 0x80000000 0x1001
	bad 65 "gunyahctl: run: $f: ELF segments 0 [0x80001000, 0x80002000) and 1 [0x80000000, 0x80001001) overlap" "$f"
	# Side by side is fine: the guest (zeros, UDF) runs and crashes.
	elf2 "$f" 0x80000000 0x80000000 0x1000 0x80001000 0x10
	run_split gunyahctl run -q "$f"
	assert_equal "$status" 3
	# An entry in RAM, at its very end: said to be misaligned, not outside.
	bad 65 "gunyahctl: run: $(patched 24 '\xfe\xff\xff\x87'): ELF entry point 0x87fffffe is not 4-byte aligned (AArch64 instructions are)" "$(patched 24 '\xfe\xff\xff\x87')"
	bad 65 "gunyahctl: run: $(patched 24 '\x02\x00\x00\x80'): ELF entry point 0x80000002 is not 4-byte aligned (AArch64 instructions are)" "$(patched 24 '\x02\x00\x00\x80')"
	# The last instruction of RAM is a good entry point (zeros: it crashes).
	run_split gunyahctl run -q "$(patched 24 '\xfc\xff\xff\x87')"
	assert_equal "$status" 3
	[[ $stderr == *"at pc=0x87fffffc "* ]]
}

@test "a misaligned --uart is refused (issue 17 item 17)" {
	bad 64 "gunyahctl: run: --uart 0x9000001: not aligned to its 4 KiB region (0x1000)" --uart 0x09000001 "$HELLO"
	bad 64 "gunyahctl: run: --uart 0x9000800: not aligned to its 4 KiB region (0x1000)" --uart 0x09000800 "$HELLO"
}

@test "MMIO regions may not overlap RAM or each other" {
	bad 64 "gunyahctl: run: --mmio 0x80000000:0x1000 overlaps guest RAM [0x80000000, 0x88000000)" --mmio 0x80000000:0x1000 "$HELLO"
	bad 64 "gunyahctl: run: --mmio 0x7ffff000:0x2000:low overlaps guest RAM [0x80000000, 0x88000000)" --mmio 0x7ffff000:8K:low "$HELLO"
	bad 64 "gunyahctl: run: --mmio 0x9000800:0x1000:b overlaps --mmio 0x9000000:0x1000" --mmio 0x9000000:0x1000 --mmio 0x9000800:0x1000:b "$HELLO"
	bad 64 "gunyahctl: run: --uart 0x80001000 overlaps guest RAM [0x80000000, 0x88000000)" --uart 0x80001000 "$HELLO"
	bad 64 "gunyahctl: run: --mmio 0x9000000:0x10:x overlaps --uart 0x9000000" --uart 0x9000000 --mmio 0x9000000:16:x "$HELLO"
	bad 64 "gunyahctl: run: --pf-region 0x80000000:0x1000 overlaps guest RAM [0x80000000, 0x88000000)" --pf-region 0x80000000:0x1000 "$HELLO"
	bad 64 "gunyahctl: run: --pf-region 0x9000000:0x1000 overlaps --uart 0x9000000" --uart 0x9000000 --pf-region 0x9000000:0x1000 "$HELLO"
	bad 64 "gunyahctl: run: --fault 0x80000000 is in guest RAM: only MMIO accesses can fault" --fault 0x80000000 "$HELLO"
	bad 64 "gunyahctl: run: --mmio-read 0x80000010 is in guest RAM: reads there never exit" --mmio-read 0x80000010=1 "$HELLO"
}

@test "bad sizes are usage errors (64)" {
	bad 64 "gunyahctl: run: --mem: guest RAM cannot be empty" --mem 0 "$HELLO"
	bad 64 "gunyahctl: run: --mem: 0x3e8 is not a multiple of the page size ($(getconf PAGESIZE))" --mem 1000 "$HELLO"
	bad 64 "gunyahctl: run: --mem 12Q: not a size (a number with an optional K, M or G suffix)" --mem 12Q "$HELLO"
	bad 64 "gunyahctl: run: --mem -1: not a size (a number with an optional K, M or G suffix)" --mem -1 "$HELLO"
	bad 64 "gunyahctl: run: --mem 0x10000000000000000: too large" --mem 0x10000000000000000 "$HELLO"
	bad 64 "gunyahctl: run: --mem 20000000000G: too large" --mem 20000000000G "$HELLO"
	bad 64 "gunyahctl: run: --mmio 0x9000000:0: size cannot be 0" --mmio 0x9000000:0 "$HELLO"
	bad 64 "gunyahctl: run: --mmio 0x9000000:1X: not a size (a number with an optional K, M or G suffix)" --mmio 0x9000000:1X "$HELLO"
	bad 64 "gunyahctl: run: --mmio 0xfffffffffffff000:0x2000: wraps around" --mmio 0xfffffffffffff000:0x2000 "$HELLO"
	bad 64 "gunyahctl: run: --vcpus 0: want a number from 1 to 64" --vcpus 0 "$HELLO"
	bad 64 "gunyahctl: run: --vcpus 65: want a number from 1 to 64" --vcpus 65 "$HELLO"
	bad 64 "gunyahctl: run: --vcpus x: want a number from 1 to 64" --vcpus x "$HELLO"
	bad 64 "gunyahctl: run: --step 0: want a number from 1 to 4294967295" --step=0 "$HELLO"
	bad 64 "gunyahctl: run: --max-exits 0: want a number from 1" --max-exits 0 "$HELLO"
	bad 64 "gunyahctl: run: --timeout 0: want seconds, more than 0 and at most 1000000" --timeout 0 "$HELLO"
	bad 64 "gunyahctl: run: --timeout abc: want seconds, more than 0 and at most 1000000" --timeout abc "$HELLO"
	bad 64 "gunyahctl: run: --timeout nan: want seconds, more than 0 and at most 1000000" --timeout nan "$HELLO"
	bad 64 "gunyahctl: run: --pf-region 0x90000001:0x1000: want a page-aligned, non-empty range" --pf-region 0x90000001:0x1000 "$HELLO"
}

@test "numbers with a leading zero are decimal (issue 17 item 14)" {
	# 010M is ten MiB: the message shows where RAM ends.
	bad 64 "gunyahctl: run: --load-addr 0x90000000 is not in guest RAM [0x80000000, 0x80a00000)" --mem 010M --load-addr 0x90000000 "$E/hello.bin"
	bad 64 "gunyahctl: run: --load-addr 0x90000000 is not in guest RAM [0x80000000, 0x80a00000)" --mem 010485760 --load-addr 0x90000000 "$E/hello.bin"
	# 09 was a bad octal number; now it is nine.
	bad 64 "gunyahctl: run: --vcpus 065: want a number from 1 to 64" --vcpus 065 "$HELLO"
	bad 64 "gunyahctl: run: --mmio 0x9000000:0x: not a size (a number with an optional K, M or G suffix)" --mmio 0x9000000:0x "$HELLO"
	run gunyahctl run --vcpus 09 --max-exits 1 "$HELLO"
	assert_equal "$status" 6
}

@test "bad addresses are usage errors (64)" {
	bad 64 "gunyahctl: run: --uart zz: not an address" --uart zz "$HELLO"
	bad 64 "gunyahctl: run: --entry 0x: not an address" --entry 0x "$HELLO"
	bad 64 "gunyahctl: run: --mmio zz:0x10: zz: not an address" --mmio zz:0x10 "$HELLO"
	bad 64 "gunyahctl: run: --mmio 0x9000000: want ADDR:SIZE[:NAME]" --mmio 0x9000000 "$HELLO"
	bad 64 "gunyahctl: run: --mmio 0x9000000:0x10:bad/name: a name is 1 to 31 letters, digits, '_', '-' or '.'" --mmio 0x9000000:0x10:bad/name "$HELLO"
	bad 64 "gunyahctl: run: --pf-region 0x90000000:0x1000:x: want ADDR:SIZE" --pf-region 0x90000000:0x1000:x "$HELLO"
	bad 64 "gunyahctl: run: --mmio-read 0x9000000: want ADDR=VALUE[,VALUE...]" --mmio-read 0x9000000 "$HELLO"
	bad 64 "gunyahctl: run: --mmio-read 0x9000000=1,zz: zz: not a number" --mmio-read 0x9000000=1,zz "$HELLO"
	bad 64 "gunyahctl: run: --mmio-read 0x9000000=: no value" --mmio-read 0x9000000= "$HELLO"
	bad 64 "gunyahctl: run: --fault -1: not an address" --fault -1 "$HELLO"
	bad 64 "gunyahctl: run: --ram-base: 0x80000800 is not page-aligned ($(getconf PAGESIZE))" --ram-base 0x80000800 "$HELLO"
	bad 64 "gunyahctl: run: --ram-base 0xffffffffffff0000 + --mem 0x8000000 wraps around" --ram-base 0xffffffffffff0000 "$HELLO"
	bad 64 "gunyahctl: run: --load-addr 0x1000 is not in guest RAM [0x80000000, 0x88000000)" --load-addr 0x1000 "$E/hello.bin"
	bad 64 "gunyahctl: run: --load-addr: $HELLO is an ELF: its segments say where it goes" --load-addr 0x80000000 "$HELLO"
	bad 64 "gunyahctl: run: --on-page-fault maybe: want fail, retry or fault" --on-page-fault=maybe "$HELLO"
	bad 64 "gunyahctl: run: --uart: only one UART" --uart 0x9000000 --uart 0xa000000 "$HELLO"
}

@test "--mmio-read: an empty value or an address given twice is refused (issue 17 item 16)" {
	bad 64 "gunyahctl: run: --mmio-read 0x9000000=1,,2: value 2 is empty" --mmio-read 0x9000000=1,,2 "$HELLO"
	bad 64 "gunyahctl: run: --mmio-read 0x9000000=1,: value 2 is empty" --mmio-read 0x9000000=1, "$HELLO"
	bad 64 "gunyahctl: run: --mmio-read 0x9000000=,1: value 1 is empty" --mmio-read 0x9000000=,1 "$HELLO"
	bad 64 "gunyahctl: run: --mmio-read 0x09000000=2: 0x9000000 already has values (one --mmio-read per address)" --mmio-read 0x9000000=1 --mmio-read 0x09000000=2 "$HELLO"
	# Different addresses are still fine.
	run gunyahctl run -q --mmio-read 0x9000000=1 --mmio-read 0x9000008=2 "$HELLO"
	assert_success
}

@test "unknown options and wrong arguments are usage errors (64)" {
	bad 64 "gunyahctl: run: unrecognized option '--bogus'" --bogus "$HELLO"
	bad 64 "gunyahctl: run: invalid option -- 'Z'" -Z "$HELLO"
	bad 64 "gunyahctl: run: option '--mem' requires an argument" "$HELLO" --mem
	bad 64 "gunyahctl: run: no IMAGE given (see 'gunyahctl run --help')"
	bad 64 "gunyahctl: run: $HELLO: only one IMAGE" "$HELLO" "$HELLO"
	bad 64 "gunyahctl: run: bogus: unknown backend (want sim or dev)" --backend bogus "$HELLO"
}

@test "a missing /dev/gunyah is EX_UNAVAILABLE (69)" {
	GUNYAHCTL_DEVICE=/nonexistent/gunyah \
		bad 69 "gunyahctl: run: backend dev (/nonexistent/gunyah): cannot create a VM: No such file or directory" --backend dev "$HELLO"
	# A file that is not a Gunyah device does not take the VM ioctls.
	GUNYAHCTL_DEVICE=/dev/null \
		bad 69 "gunyahctl: run: backend dev (/dev/null): cannot create a VM: Inappropriate ioctl for device" --backend dev "$HELLO"
}

@test "a random image never crashes gunyahctl" {
	# Raw bytes run as code: whatever the guest does, gunyahctl ends it.
	f=$BATS_TEST_TMPDIR/random.bin
	for i in 1 2 3 4 5; do
		head -c 4096 /dev/urandom >"$f"
		run_split gunyahctl run --timeout 0.2 "$f"
		((status < 64)) || fail "status $status: $stderr"
		# ELF magic in front of random bytes: a bad image, never a crash.
		{ printf '\x7fELF\x02\x01\x01'; head -c 200 /dev/urandom; } >"$f"
		run_split gunyahctl run "$f"
		assert_equal "$status" 65
		assert_equal "$(wc -l <<<"$stderr")" 1
	done
}

@test "a guest whose output is gone is stopped at once with EX_IOERR (issue 17 item 8)" {
	# mmio_loop exits for ever: only the failed write can end the run
	# (the timeout is a guard against the old behaviour, never reached).
	run_split bash -c 'timeout -k 3 60 "$GUNYAHCTL" run --json "$1" >/dev/full' _ "$G/mmio_loop.elf"
	assert_equal "$status" 74
	assert_equal "$stderr" "gunyahctl: run: writing the output: No space left on device"
	run_split bash -c 'timeout -k 3 60 "$GUNYAHCTL" run "$1" >/dev/full' _ "$G/mmio_loop.elf"
	assert_equal "$status" 74
	assert_equal "$stderr" "gunyahctl: run: writing the output: No space left on device"
	# A reader that leaves after one line: the VM stops, run says why.
	run_split bash -c 'timeout -k 3 60 "$GUNYAHCTL" run --json "$1" | head -n 1; exit "${PIPESTATUS[0]}"' _ "$G/mmio_loop.elf"
	assert_equal "$status" 74
	assert_equal "$stderr" "gunyahctl: run: writing the output: Broken pipe"
	assert_equal "$(jq -r .exit <<<"$output")" mmio
}

@test "output that cannot be written is EX_IOERR (74)" {
	run_split bash -c '"$GUNYAHCTL" run --uart 0x09000000 "$1" >/dev/full' _ "$HELLO"
	assert_equal "$status" 74
	assert_equal "$stderr" "gunyahctl: run: writing the output: No space left on device"
	# A closed stdout: nothing else may take its place.
	run_split bash -c '"$GUNYAHCTL" run --uart 0x09000000 "$1" >&-' _ "$HELLO"
	assert_equal "$status" 74
	assert_equal "$stderr" "gunyahctl: standard output: Bad file descriptor"
}
