#!/usr/bin/env bats
# Exit analysis: run --record, report, replay, filters.

setup() {
	load run_helpers
	T=$BATS_TEST_TMPDIR
}

# The summary's totals of a run --json output file, as report counts them.
summary_counts() {
	jq -c 'select(.event == "summary") | [.exits, .counts.mmio_read,
		.counts.mmio_write, .counts.page_fault, .counts.status]' "$1"
}

# report --json's rows, as [key, samples] pairs, compact.
report_rows() { jq -c '[.rows[] | [.key, .samples]]' <<<"$output"; }

@test "run --record: a record whose counts are the run's summary's" {
	gunyahctl run --json --record "$T/r.gex" --uart $UART "$HELLO" >"$T/run.json"
	run gunyahctl report --json "$T/r.gex"
	assert_success
	assert_equal "$(jq -r .summary_agrees <<<"$output")" true
	assert_equal "$(jq -r .truncated <<<"$output")" false
	assert_equal "$(jq -r .exits <<<"$output")" "$(summary_counts "$T/run.json" | jq '.[0]')"
	assert_equal "$(report_rows)" '[["mmio_read",15],["mmio_write",15],["status",1]]'
	# every row has its times, shares add up to 100
	assert_equal "$(jq '[.rows[] | select(.host_ns.min <= .host_ns.avg and
		.host_ns.avg <= .host_ns.max and .guest_ns.total > 0)] | length' <<<"$output")" 3
	assert_equal "$(jq '[.rows[].samples_pct] | add | round' <<<"$output")" 100
	assert_equal "$(jq '[.rows[].time_pct] | add | round' <<<"$output")" 100
}

@test "run --record: at most 32 bytes per MMIO exit" {
	run gunyahctl run --quiet --record "$T/r.gex" --max-exits 20000 "$G/mmio_loop.elf"
	assert_equal "$status" 6
	size=$(stat -c %s "$T/r.gex")
	((size < 20000 * 32)) || fail "$size bytes for 20000 exits"
	# and the text table says the same count
	run gunyahctl report "$T/r.gex"
	assert_success
	assert_line --regexp '^mmio_write +20000 +100\.00% '
	assert_line "counts agree with the run's summary"
}

@test "run --record: the file cannot be made" {
	run_split gunyahctl run --record "$T/no/such/dir/r.gex" "$HELLO"
	assert_equal "$status" 73
	assert_equal "$stderr" "gunyahctl: run: --record $T/no/such/dir/r.gex: No such file or directory"
}

@test "report --by addr: every address with its count and region" {
	gunyahctl run --quiet --vcpus 2 --mmio 0x09000000:0x20:dev0 \
		--record "$T/r.gex" "$G/smp_writes.elf"
	run gunyahctl report --json --by addr "$T/r.gex"
	assert_success
	assert_equal "$(report_rows)" '[["0x0000000009000010",10],["0x0000000009000020",5],["(no address)",2]]'
	assert_equal "$(jq -r '.rows[0].region, .rows[1].region, .rows[0].phys_addr' <<<"$output")" \
		"$(printf 'dev0\nnull\n0x0000000009000010')"
	run gunyahctl report --by addr --top 1 "$T/r.gex"
	assert_success
	assert_line --regexp '^0x0000000009000010 +10 +58\.82% .*  dev0$'
	assert_line "(2 more rows: --top)"
	run gunyahctl report --json --by vcpu "$T/r.gex"
	assert_equal "$(report_rows)" '[["vcpu0",11],["vcpu1",6]]'
	run gunyahctl report --json --by region "$T/r.gex"
	assert_equal "$(report_rows)" '[["dev0",10],["(none)",7]]'
}

@test "report reads run --json output: counts without times" {
	gunyahctl run --json --vcpus 2 "$G/smp_writes.elf" >"$T/run.json"
	run gunyahctl report --json "$T/run.json"
	assert_success
	assert_equal "$(jq -r '.format, .times, .summary_agrees' <<<"$output" | tr '\n' ' ')" "json false true "
	assert_equal "$(report_rows)" '[["mmio_write",15],["status",2]]'
	assert_equal "$(jq -c '.rows[0] | [.time_pct, .host_ns]' <<<"$output")" '[null,null]'
}

@test "report: a record cut short reads up to its last whole record" {
	gunyahctl run --quiet --record "$T/r.gex" --max-exits 1000 "$G/mmio_loop.elf" || true
	size=$(stat -c %s "$T/r.gex")
	# Half the file may end on a record boundary (then nothing is cut
	# mid-record); one byte less cannot also be one: records are longer.
	for cut in $((size / 2)) $((size / 2 - 1)); do
		head -c $cut "$T/r.gex" >"$T/cut.gex"
		run gunyahctl report --json "$T/cut.gex"
		assert_success
		[[ $(jq -r .truncated <<<"$output") == true ]] && break
	done
	assert_equal "$(jq -r '.truncated, .summary_agrees' <<<"$output" | tr '\n' ' ')" "true null "
	n=$(jq '.exits' <<<"$output")
	((n > 100 && n < 1000)) || fail "$n exits read"
	run gunyahctl report "$T/cut.gex"
	assert_line "no summary in the file: it ends mid-record (the run was killed?)"
	# a cut record replays as far as it goes
	run gunyahctl replay "$T/cut.gex"
	assert_success
	assert_output "$T/cut.gex: $n exits replayed, every one as recorded"
}

@test "report and replay: not a record, missing, later version" {
	echo hello >"$T/text"
	run_split gunyahctl report "$T/text"
	assert_equal "$status" 65
	assert_equal "$stderr" "gunyahctl: report: $T/text: neither a record nor run --json output"
	run_split gunyahctl replay "$T/text"
	assert_equal "$status" 65
	run_split gunyahctl report "$T/none.gex"
	assert_equal "$status" 66
	assert_equal "$stderr" "gunyahctl: report: $T/none.gex: No such file or directory"
	gunyahctl run --quiet --record "$T/r.gex" --uart $UART "$HELLO"
	printf '\x09' | dd of="$T/r.gex" bs=1 seek=6 conv=notrunc status=none
	run_split gunyahctl report "$T/r.gex"
	assert_equal "$status" 76
	assert_equal "$stderr" "gunyahctl: report: $T/r.gex: record format version 9.2: this gunyahctl reads version 1"
}

@test "replay: an unchanged guest matches, a changed store is named" {
	gunyahctl run --quiet --record "$T/r.gex" --uart $UART "$E/hello.bin"
	run gunyahctl replay "$T/r.gex"
	assert_success
	assert_output "$T/r.gex: 31 exits replayed, every one as recorded"
	# one byte of the message: the 8th character's store differs
	cp "$E/hello.bin" "$T/changed.bin"
	off=$(grep -obaF 'Gunyah' "$T/changed.bin" | head -1 | cut -d: -f1)
	printf 'X' | dd of="$T/changed.bin" bs=1 seek="$off" conv=notrunc status=none
	run_split gunyahctl replay "$T/r.gex" "$T/changed.bin"
	assert_equal "$status" 1
	assert_output "$T/r.gex: diverges at exit #16 (vcpu0's exit 16): expected mmio write 0x9000000 len=4 data=0x47, got mmio write 0x9000000 len=4 data=0x58"
	assert_equal "$stderr" "gunyahctl: replay: note: $T/changed.bin is not the recorded image (its SHA-256 differs): exits may diverge"
	run_split gunyahctl replay --json "$T/r.gex" "$T/changed.bin"
	assert_equal "$status" 1
	assert_equal "$(jq -c '[.match, .checked, .divergence.seq, .divergence.vcpu]' <<<"$output")" '[false,15,16,0]'
}

@test "replay: a changed store address is named" {
	gunyahctl run --quiet --record "$T/r.gex" --mmio-read 0x09000200=0 "$G/exit_by.bin"
	# exit_by reads 0x09000200: make it 0x09000208 (the load's imm12)
	python3 - "$G/exit_by.bin" "$T/changed.bin" <<-'PY'
		import struct, sys
		d = bytearray(open(sys.argv[1], 'rb').read())
		for i in range(0, len(d), 4):
		    w, = struct.unpack_from('<I', d, i)
		    if w & 0xffc00000 == 0xf9400000 and (w >> 10) & 0xfff == 0:  # ldr xN, [xM]
		        struct.pack_into('<I', d, i, w | (1 << 10))
		        break
		open(sys.argv[2], 'wb').write(d)
	PY
	run gunyahctl replay "$T/r.gex" "$T/changed.bin"
	assert_equal "$status" 1
	assert_output --regexp "diverges at exit #1 \(vcpu0's exit 1\): expected mmio read 0x9000200 len=8, got mmio read 0x9000208 len=8$"
}

@test "replay: multi-vCPU records replay" {
	gunyahctl run --quiet --vcpus 2 --record "$T/a.gex" "$G/smp_writes.elf"
	run gunyahctl replay "$T/a.gex"
	assert_success
	assert_output "$T/a.gex: 17 exits replayed, every one as recorded"
	# stopped by --max-exits with four vCPUs exiting at once: the others
	# go on until the forced stop reaches them, as many exits as the
	# machine's scheduling gives them
	run gunyahctl run --quiet --vcpus 4 --max-exits 5000 --record "$T/b.gex" "$G/mmio_loop.elf"
	assert_equal "$status" 6
	run gunyahctl replay "$T/b.gex"
	assert_success
	assert_output --regexp "^$T/b.gex: [0-9]+ exits replayed, every one as recorded$"
	n=${output#"$T/b.gex: "}
	((${n%% *} >= 5000))
}

@test "replay: page faults and faults answered as recorded" {
	gunyahctl run --quiet --record "$T/p.gex" --pf-region 0xc0000000:0x2000 \
		--on-page-fault=retry "$G/page_fault.bin"
	run gunyahctl replay "$T/p.gex"
	assert_success
	gunyahctl run --quiet --record "$T/f.gex" --fault 0x09000040 "$G/mmio_fault.bin"
	run gunyahctl replay "$T/f.gex"
	assert_success
}

@test "replay: a record made through the dev backend replays on the sim" {
	fakedev_setup
	fake run --backend dev --quiet --vcpus 2 --record "$T/d.gex" "$G/smp_writes.elf"
	run gunyahctl report --json "$T/d.gex"
	assert_equal "$(jq -r '.summary_agrees, .exits' <<<"$output" | tr '\n' ' ')" "true 17 "
	run gunyahctl replay "$T/d.gex"
	assert_success
	assert_output "$T/d.gex: 17 exits replayed, every one as recorded"
}

@test "report --filter: tables what it matches, counts every exit" {
	gunyahctl run --quiet --vcpus 2 --record "$T/r.gex" "$G/smp_writes.elf"
	run gunyahctl report --json --by addr --filter mmio,vcpu=1 "$T/r.gex"
	assert_success
	assert_equal "$(jq -c '[.exits, .shown, .filter]' <<<"$output")" '[17,5,"mmio,vcpu=1"]'
	assert_equal "$(report_rows)" '[["0x0000000009000020",5]]'
	# what is shown plus what the complement shows is every exit
	run gunyahctl report --json --filter status "$T/r.gex"
	assert_equal "$(jq .shown <<<"$output")" 2
	run gunyahctl report --json --filter addr=0x9000000-0x900001f "$T/r.gex"
	assert_equal "$(jq .shown <<<"$output")" 10
	run gunyahctl report --filter write,vcpu=0 "$T/r.gex"
	assert_line "filter write,vcpu=0: 10 of 17 exits shown"
}

@test "--filter: bad syntax is one line and status 64" {
	for f in 'vcpu=x' 'mmio,,status' 'addr=0x20-0x10' 'bogus' 'vcpu=64'; do
		run_split gunyahctl report --filter "$f" /dev/null
		assert_equal "$status" 64
		assert_equal "$(wc -l <<<"$stderr")" 1
		assert_output ""
	done
	run_split gunyahctl report --filter bogus /dev/null
	assert_equal "$stderr" "gunyahctl: report: --filter bogus: not a filter term (mmio, read, write, page_fault, status, unknown, vcpu=N[-M], addr=A[-B])"
}

@test "run --filter: the exits shown add up with the summary's counts" {
	local all=0
	for f in mmio,vcpu=0 mmio,vcpu=1 status; do
		run gunyahctl run --json --vcpus 2 --filter "$f" "$G/smp_writes.elf"
		assert_success
		n=$(jq -s '[.[] | select(has("seq"))] | length' <<<"$output")
		assert_equal "$(summary_jq .filter.shown)" "$n"
		assert_equal "$(summary_jq .filter.expr)" "$f"
		# the summary still counts every exit
		assert_equal "$(summary_jq .exits)" 17
		all=$((all + n))
	done
	assert_equal "$all" 17
	run gunyahctl run --vcpus 2 --filter write,vcpu=1 "$G/smp_writes.elf"
	assert_success
	assert_equal "$(grep -c '^vcpu1 #[0-9]* mmio write 0x09000020 ' <<<"$output")" 5
	refute_line --regexp '^vcpu0 #'
	assert_line --regexp '^summary: 17 exits in '
	assert_line "  filter write,vcpu=1: 5 of 17 exits shown"
	# a record is complete whatever run shows
	gunyahctl run --quiet --filter status --record "$T/r.gex" --vcpus 2 "$G/smp_writes.elf"
	run gunyahctl report --json "$T/r.gex"
	assert_equal "$(jq .exits <<<"$output")" 17
}

@test "run --filter: bad syntax is one line and status 64" {
	run_split gunyahctl run --filter 'mmio,vcpu=1-0' "$HELLO"
	assert_equal "$status" 64
	assert_output ""
	assert_equal "$stderr" "gunyahctl: run: --filter vcpu=1-0: want vcpu=N or vcpu=N-M, numbers below 64"
}

@test "stuck: a vCPU retrying one faulting access is reported once" {
	# --max-exits, not --timeout: a JSON line per exit for half a second
	# was 11 s of jq; 2000 exits are enough to see "once"
	run_split gunyahctl run --json --fault 0x09000040 --max-exits 2000 "$G/fault_retry.elf"
	assert_equal "$status" 6
	assert_equal "$stderr" "gunyahctl: run: vcpu0: stuck: 500 times in a row: mmio read 0x9000040 len=4 resume=fault at pc 0x80000010"
	# once, on the 500th exit, whatever came after
	assert_equal "$(jq -c 'select(has("stuck")) | [.seq, .stuck.repeats, .stuck.pc]' <<<"$output")" '[500,500,"0x0000000080000010"]'
	assert_equal "$(summary_jq .exits)" 2001
	# --stuck=N and 0
	run_split gunyahctl run --quiet --fault 0x09000040 --stuck 20 --timeout 0.2 "$G/fault_retry.elf"
	assert_equal "$stderr" "gunyahctl: run: vcpu0: stuck: 20 times in a row: mmio read 0x9000040 len=4 resume=fault at pc 0x80000010"
	run_split gunyahctl run --quiet --fault 0x09000040 --stuck 0 --timeout 0.2 "$G/fault_retry.elf"
	assert_equal "$status" 5
	assert_equal "$stderr" ""
}

@test "stuck: --on-stuck=stop ends the run with status 8" {
	run_split gunyahctl run --json --fault 0x09000040 --on-stuck=stop "$G/fault_retry.elf"
	assert_equal "$status" 8
	assert_equal "$(summary_jq '[.result, .exit_code, .exits] | @tsv')" "$(printf 'stuck\t8\t501')"
	assert_equal "$stderr" "gunyahctl: run: vcpu0: stuck: 500 times in a row: mmio read 0x9000040 len=4 resume=fault at pc 0x80000010 (--on-stuck=stop: stopping the VM)"
	run_split gunyahctl run --on-stuck=maybe "$HELLO"
	assert_equal "$status" 64
	assert_equal "$stderr" "gunyahctl: run: --on-stuck maybe: want report or stop"
}

@test "stuck: exits that make progress are not stuck" {
	# the same address 3000 times, other data each time
	run_split gunyahctl run --quiet --max-exits 3000 "$G/mmio_loop.elf"
	assert_equal "$status" 6
	assert_equal "$stderr" ""
}
