#!/usr/bin/env bats
# The image loader's every refusal, through the real binary: ELF files
# crafted field by field (mkelf.pl), each one line on stderr, exit 65,
# nothing run.  The unit test tests/unit/test_loader.c checks the same
# on the loader alone, RAM untouched included.

setup() {
	load run_helpers
	F=$BATS_TEST_TMPDIR/t.elf
}

# elf FIELD=VALUE...: a crafted ELF in $F (see mkelf.pl).
elf() { "$BATS_TEST_DIRNAME/mkelf.pl" "$F" "$@"; }

# refused "message after the file name" [run options]: $F is refused.
# (A --timeout: an image wrongly accepted fails the test, not hangs it.)
refused() {
	local want=$1
	shift
	run_split gunyahctl run --timeout 10 "$@" "$F"
	assert_equal "$stderr" "gunyahctl: run: $F: $want"
	assert_equal "$status" 65
	assert_equal "$output" ""
}

@test "mkelf.pl's untouched ELF loads and runs: the refusals below are the fields'" {
	elf
	run gunyahctl run --timeout 0.2 "$F"
	assert_equal "$status" 5
	assert_line --index 0 "vcpu0 #1 status exited type=forced_stop(7)"
	# Sixteen loadable segments are allowed; it runs as well.
	elf segments=16
	run gunyahctl run --timeout 0.2 "$F"
	assert_equal "$status" 5
}

@test "a segment that starts past the end of the file is refused, not read" {
	# The file is 124 bytes; each would read host memory past its end.
	elf offset0=0x10000
	refused "truncated ELF: segment 0 (offset 0x10000, 0x4 bytes) runs past the end of the 124-byte file"
	elf offset0=125 filesz0=0
	refused "truncated ELF: segment 0 (offset 0x7d, 0 bytes) runs past the end of the 124-byte file"
	elf offset0=0xfffffffffffffff0 filesz0=0x10 memsz0=0x10
	refused "truncated ELF: segment 0 (offset 0xfffffffffffffff0, 0x10 bytes) runs past the end of the 124-byte file"
	elf offset0=0xffffffffffffffff filesz0=1
	refused "truncated ELF: segment 0 (offset 0xffffffffffffffff, 0x1 bytes) runs past the end of the 124-byte file"
	# Inside the file, but too long for it; a size near 2^64.
	elf offset0=120 filesz0=5
	refused "truncated ELF: segment 0 (offset 0x78, 0x5 bytes) runs past the end of the 124-byte file"
	elf offset0=1 filesz0=0xffffffffffffffff memsz0=0xffffffffffffffff
	refused "truncated ELF: segment 0 (offset 0x1, 0xffffffffffffffff bytes) runs past the end of the 124-byte file"
	# Ending exactly at the end is fine.
	elf offset0=120 filesz0=4
	run gunyahctl run --timeout 0.2 "$F"
	assert_equal "$status" 5
}

@test "segment sizes and addresses that cannot be loaded" {
	elf filesz0=0x10 memsz0=8
	refused "ELF segment 0: file size 0x10 is larger than its memory size 0x8"
	elf paddr0=0xfffffffffffff000 memsz0=0x2000
	refused "ELF segment 0: address 0xfffffffffffff000 + size 0x2000 wraps around"
	elf paddr0=0xffffffffffffffff filesz0=0 memsz0=1
	refused "ELF segment 0: address 0xffffffffffffffff + size 0x1 wraps around"
	elf paddr0=0x7ffffff8 memsz0=0x10
	refused "ELF segment 0 [0x7ffffff8, 0x80000008) is not inside guest RAM [0x80000000, 0x80010000)" --mem 64K
	elf memsz0=0x10001
	refused "ELF segment 0 [0x80000000, 0x80010001) is not inside guest RAM [0x80000000, 0x80010000)" --mem 64K
	elf segments=17
	refused "ELF has more than 16 loadable segments"
	elf memsz0=0 filesz0=0
	refused "ELF has no loadable (PT_LOAD) segments with memory"
	elf entry=0x7ffffffe
	refused "ELF entry point 0x7ffffffe is not in guest RAM [0x80000000, 0x88000000)"
	# In RAM, at its very end: misaligned, not outside (issue 17 item 17).
	elf entry=0x8000fffe
	refused "ELF entry point 0x8000fffe is not 4-byte aligned (AArch64 instructions are)" --mem 64K
	elf entry=0x80010000
	refused "ELF entry point 0x80010000 is not in guest RAM [0x80000000, 0x80010000)" --mem 64K
}

@test "ELF header fields: version, sizes, program headers" {
	elf version=2
	refused "ELF version 2, want 1"
	elf version=0
	refused "ELF version 0, want 1"
	elf ident_version=0
	refused "ELF identification version 0, want 1"
	elf ehsize=52
	refused "ELF header size 52, want 64"
	elf phentsize=32
	refused "ELF program header size 32, want 56"
	elf phentsize=64
	refused "ELF program header size 64, want 56"
	elf phnum=0
	refused "ELF has no program headers"
	elf class=0
	refused "ELF class is invalid, want 64-bit"
	elf data=0
	refused "ELF data encoding is invalid, want little-endian"
	elf type=3
	refused "ELF type is shared object (ET_DYN), want an executable (ET_EXEC)"
	elf type=0x1234
	refused "ELF type is unknown, want an executable (ET_EXEC)"
	elf machine=0
	refused "ELF machine is none, want AArch64"
}

@test "program headers past the end of the file, at any offset" {
	elf phoff=125
	refused "truncated ELF: 1 program headers at offset 125 run past the end of the 124-byte file"
	elf phoff=69
	refused "truncated ELF: 1 program headers at offset 69 run past the end of the 124-byte file"
	elf phoff=0xfffffffffffffff8
	refused "truncated ELF: 1 program headers at offset 18446744073709551608 run past the end of the 124-byte file"
	elf phnum=0xffff
	refused "truncated ELF: 65535 program headers at offset 64 run past the end of the 124-byte file"
	elf size=63
	refused "truncated ELF: 63 bytes, the header alone is 64"
}

# (A load address outside RAM is run's own --load-addr error before the
# loader sees it: the loader's message for it is test_loader.c's.)
@test "a raw image too large for RAM from its load address" {
	head -c 16 /dev/zero >"$F"
	refused "16-byte image does not fit in guest RAM [0x80000000, 0x88000000) from 0x87fffff8" --load-addr 0x87fffff8
	refused "16-byte image does not fit in guest RAM [0x80000000, 0x88000000) from 0x87fffff1" --load-addr 0x87fffff1
}
