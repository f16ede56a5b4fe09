#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-only
#
# mkelf.pl OUT [FIELD=VALUE]...: write a small AArch64 ELF executable for
# the loader's tests, every header field settable (decimal or 0x hex, up
# to 2^64 - 1).  Untouched, it is valid: one PT_LOAD segment of code at
# 0x80000000 (the sim's RAM base) that spins ("b ."), entry there.
#
#   class data ident_version version machine type entry phoff ehsize
#   phentsize phnum       the file header (e_*; ident_* are e_ident bytes)
#   segments=N            N PT_LOAD segments, each a page apart (default 1)
#   type0 offset0 paddr0 filesz0 memsz0
#                         segment 0's program header (p_*)
#   size=N                the file cut or zero-padded to N bytes
use strict;
use warnings;
no warnings 'portable'; # hex() of 64-bit values

my $out = shift or die "usage: mkelf.pl OUT [FIELD=VALUE]...\n";
my %f;
for (@ARGV) {
	my ($k, $v) = /^(\w+)=(\S+)$/ or die "mkelf.pl: $_: want FIELD=VALUE\n";
	$f{$k} = $v =~ /^0x/i ? hex($v) : $v;
}
sub f { my ($k, $d) = @_; return exists $f{$k} ? $f{$k} : $d; }

my $base = 0x80000000;
my $code = pack('V', 0x14000000);	# b .
my $nseg = f('segments', 1);
my $phoff = 64;
my $data_off = $phoff + 56 * $nseg;

my $eh = pack('a4 C C C C x8 v v V Q< Q< Q< V v v v v v v',
	"\x7fELF", f('class', 2), f('data', 1), f('ident_version', 1), 0,
	f('type', 2), f('machine', 183), f('version', 1), f('entry', $base),
	f('phoff', $phoff), 0, 0, f('ehsize', 64), f('phentsize', 56),
	f('phnum', $nseg), 64, 0, 0);
my $ph = '';
for my $i (0 .. $nseg - 1) {
	$ph .= pack('V V Q< Q< Q< Q< Q< Q<',
		$i ? 1 : f('type0', 1), 5, $i ? $data_off : f('offset0', $data_off),
		$base + $i * 0x1000, $i ? $base + $i * 0x1000 : f('paddr0', $base),
		$i ? 4 : f('filesz0', 4), $i ? 8 : f('memsz0', 8), 0x1000);
}
my $bytes = $eh . $ph . $code;
if (exists $f{size}) {
	$bytes = substr($bytes, 0, $f{size});
	$bytes .= "\0" x ($f{size} - length $bytes);
}
open(my $fh, '>:raw', $out) or die "mkelf.pl: $out: $!\n";
print $fh $bytes;
close($fh) or die "mkelf.pl: $out: $!\n";
