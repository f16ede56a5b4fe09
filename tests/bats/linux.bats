#!/usr/bin/env bats
# run --kernel: the device tree it makes and hands over in x0, and Debian's
# unmodified arm64 kernel booted to a busybox /init that forks, sleeps and
# powers off (the kernel and busybox come from make linux-guest, which
# make check runs first; the boot is left out of sanitizer builds).

setup() {
	load helpers
	KIMAGE=$GUEST_DIR/tests/guests/kimage.bin
	LINUX_DIR=${BUILD_DIR:-$BATS_TEST_DIRNAME/../../build}/linux
}

@test "run --dump-dtb writes a device tree dtc parses, with every node" {
	gunyahctl run --kernel "$KIMAGE" --cmdline 'console=ttyAMA0 quiet' \
		--dump-dtb "$BATS_TEST_TMPDIR/vm.dtb"
	run dtc -q -I dtb -O dts "$BATS_TEST_TMPDIR/vm.dtb"
	assert_success
	assert_output --partial 'compatible = "arm,gic-v3";'
	assert_output --partial 'compatible = "arm,armv8-timer";'
	assert_output --partial 'method = "hvc";'
	assert_output --partial 'bootargs = "console=ttyAMA0 quiet";'
	assert_output --partial 'pl011@9000000'
	assert_output --partial 'reg = <0x00 0x80000000 0x00 0x10000000>;'
}

@test "run --kernel --initrd: /chosen says where the initrd is" {
	head -c 5000 /dev/zero >"$BATS_TEST_TMPDIR/initrd"
	gunyahctl run --kernel "$KIMAGE" --initrd "$BATS_TEST_TMPDIR/initrd" \
		--mem 64M --dump-dtb "$BATS_TEST_TMPDIR/vm.dtb"
	run dtc -q -I dtb -O dts "$BATS_TEST_TMPDIR/vm.dtb"
	assert_success
	# The DTB's 2 MiB at the top of 64M, the initrd page-aligned below.
	assert_output --regexp 'linux,initrd-start = <0x00 0x83dfe000>;'
	assert_output --regexp 'linux,initrd-end = <0x00 0x83dff388>;'
}

@test "run --kernel: the guest finds the device tree in x0" {
	run gunyahctl run --json --kernel "$KIMAGE" --uart-input=/dev/null
	assert_success
	# x0: the last 2 MiB of the default 256M; the FDT magic; its size.
	assert_line --partial '"phys_addr":"0x0000000009000100","len":8,"is_write":true,"data":"0x8fe00000"'
	assert_line --partial '"phys_addr":"0x0000000009000108","len":8,"is_write":true,"data":"0xedfe0dd0"'
	size=$(gunyahctl run --kernel "$KIMAGE" --dump-dtb - | wc -c)
	assert_line --partial "\"phys_addr\":\"0x0000000009000110\",\"len\":8,\"is_write\":true,\"data\":\"$(printf '%#x' "$size")\""
}

@test "run --kernel refuses what cannot boot" {
	run_split gunyahctl run --kernel "$GUNYAHCTL"
	[ "$status" -eq 65 ]
	[[ $stderr == *"not an arm64 Image"* ]]
	run_split gunyahctl run --kernel "$KIMAGE" -c 2
	[ "$status" -eq 64 ]
	[[ $stderr == *"one vCPU only"* ]]
	run_split gunyahctl run --initrd /dev/null "$KIMAGE"
	[ "$status" -eq 64 ]
	[[ $stderr == *"--initrd: only with --kernel"* ]]
	run_split gunyahctl run --kernel "$KIMAGE" --dtb /etc/passwd
	[ "$status" -eq 65 ]
	[[ $stderr == *"not a device tree blob"* ]]
}

# The counter smp_atomics REPORTs, in decimal, from run's options "$@".
atomic_count() {
	gunyahctl run --json -t 120 "$@" "$GUEST_DIR/tests/guests/smp_atomics.bin" |
		jq -r 'select(.mmio.phys_addr == "0x0000000009000100") | .mmio.data' |
		xargs printf '%d\n'
}

@test "why --kernel refuses -c 2: two vCPUs' LDXR/STXR increments of one counter lose updates" {
	# one vCPU: 1000000 increments, 1000000 counted
	assert_equal "$(atomic_count -c 1)" 1000000
	# two: 2000000 increments, far fewer counted (1.05 to 1.4 million
	# measured); tried thrice in case the host ran the two vCPUs one
	# after the other
	local n lost=
	for _ in 1 2 3; do
		n=$(atomic_count -c 2)
		((n > 0 && n <= 2000000)) || fail "counted $n"
		((n < 2000000)) && { lost=$n; break; }
	done
	[[ -n $lost ]] || fail "no update was lost in 3 runs: atomics may be coherent now (allow -c 2 with --kernel?)"
	# and the model has no LSE atomics to use instead: LDADD is undefined
	# (Cortex-A72, Armv8.0), so every atomic of a kernel is LDXR/STXR
	run_split gunyahctl run "$GUEST_DIR/tests/guests/lse_ldadd.bin"
	assert_equal "$status" 3
	assert_line --index 0 --partial "vcpu0 crash EC=0 (unknown reason) ESR=0x2000000 FAR=0 ELR=0x80000008"
}

@test "a guest sleeping 1 s in WFI on its timer leaves the host process idle" {
	local json out wall user sys before after wakes
	# bash's time: the run's own CPU time (user + sys) and wall time
	out=$( { TIMEFORMAT='%R %U %S'; time gunyahctl run --json \
		"$GUEST_DIR/tests/guests/sleep1.bin" >"$BATS_TEST_TMPDIR/out"; } 2>&1)
	read -r wall user sys <<<"$out"
	json=$(jq -r 'select(has("seq") and .exit == "mmio") | .mmio.data' "$BATS_TEST_TMPDIR/out" |
		xargs printf '%d ')
	read -r before after wakes <<<"$json"
	# the guest slept a whole second of its counter (CNTFRQ 62.5 MHz) ...
	((after - before >= 62500000)) || fail "slept $((after - before)) ticks"
	# ... woken by its deadline, not polled awake (1 or 2 WFI returns seen)
	((wakes >= 1 && wakes <= 10)) || fail "WFI returned $wakes times"
	# ... and the host process used under half a CPU over the run (about
	# 5 % measured: start-up and teardown; the sleep itself costs nothing)
	awk -v u="$user" -v s="$sys" -v w="$wall" 'BEGIN { exit !(u + s < 0.5 * w) }' ||
		fail "CPU $user + $sys s over $wall s of wall time"
}

@test "Debian's arm64 kernel boots to /init, forks, sleeps and powers off" {
	[[ -z ${SAN:-} ]] || skip "the boot runs on the normal build only"
	[[ -s $LINUX_DIR/Image && -s $LINUX_DIR/initramfs.cpio ]] ||
		fail "no kernel in $LINUX_DIR: make linux-guest fetches it"
	# Generous: the boot takes seconds alone, minutes on a loaded machine.
	run_split gunyahctl run -q --timeout 1500 --kernel "$LINUX_DIR/Image" \
		--initrd "$LINUX_DIR/initramfs.cpio" \
		--cmdline 'console=ttyAMA0 rdinit=/init' --uart-input=/dev/null
	assert_success
	assert_line --partial 'Booting Linux on physical CPU 0x0000000000'
	assert_line --partial 'Run /init as init process'
	assert_line --partial 'gunyahctl-linux: /init running (pid 1)'
	assert_line --regexp 'gunyahctl-linux: forked child pid [0-9]+'
	assert_line --partial 'gunyahctl-linux: slept 1 s'
	assert_line --partial 'gunyahctl-linux: powering off'
	assert_line --regexp 'arch_timer'
}

@test "typed input: the shell runs each line, and /proc/interrupts counts the PL011's receive interrupts and the timer's" {
	[[ -z ${SAN:-} ]] || skip "the boot runs on the normal build only"
	[[ -s $LINUX_DIR/Image && -s $LINUX_DIR/initramfs.cpio ]] ||
		fail "no kernel in $LINUX_DIR: make linux-guest fetches it"
	local in=$BATS_TEST_TMPDIR/typed n=12 i uart timer
	# 40 empty lines first: what arrives before the driver's startup sits
	# in the FIFO and is drained away (at most the 32 bytes it holds), as
	# typed-ahead is on a real PL011.
	{
		printf '%.0s\n' {1..40}
		printf 'mount -t proc proc /proc\n'
		for ((i = 1; i <= n; i++)); do
			printf 'echo typed-$((%d*3))\n' "$i"
		done
		printf 'cat /proc/interrupts\npoweroff -f\n'
	} >"$in"
	run_split gunyahctl run -q --timeout 1500 --kernel "$LINUX_DIR/Image" \
		--initrd "$LINUX_DIR/initramfs.cpio" \
		--cmdline 'console=ttyAMA0 rdinit=/bin/sh' --uart-input="$in"
	assert_success
	# The shell ran every line: the results, not the echoed commands
	# (typed as typed-$((i*3)), no "typed-" and a number ends one).  A
	# result may come after the tty's echo of input typed ahead of the
	# prompt (" typed-3" after "echo", "rrupttyped-12"), the more the
	# slower the boot is on a busy host, as on a real serial console.
	for ((i = 1; i <= n; i++)); do
		assert_line --regexp "typed-$((i * 3))"$'\r'"?\$"
	done
	uart=$(awk '{ sub(/\r$/, "") } $NF == "uart-pl011" { print $2 }' <<<"$output")
	timer=$(awk '{ sub(/\r$/, "") } $NF == "arch_timer" { print $2 }' <<<"$output")
	[[ $uart =~ ^[0-9]+$ && $timer =~ ^[0-9]+$ ]] ||
		fail "no uart-pl011 or arch_timer line in /proc/interrupts"
	# Bytes arrive at the line rate, so the receive interrupts are many:
	# at least one per line typed (one interrupt for all of them was the
	# bug: the FIFO was refilled as fast as the handler emptied it).
	((uart >= n + 2)) || fail "uart-pl011 took $uart interrupts for $((n + 2)) lines"
	((timer > 0)) || fail "arch_timer took no interrupt"
}

@test "run --kernel on the dev backend: DTB and the UART's irqfd through the device" {
	fakedev_setup
	run fake run -b dev --json --kernel "$KIMAGE" --uart-input=/dev/null
	assert_success
	assert_line --partial '"phys_addr":"0x0000000009000100","len":8,"is_write":true,"data":"0x8fe00000"'
	assert_line --partial '"phys_addr":"0x0000000009000108","len":8,"is_write":true,"data":"0xedfe0dd0"'
}
