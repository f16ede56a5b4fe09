#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot Debian's arm64 kernel and the busybox initramfs (make linux-guest)
# on the sim and on qemu-system-aarch64 -M virt,gic-version=3 -cpu
# cortex-a72 (TCG), in the same run, and print the time each takes to
# reach /init and to power off, and the sim's ratio to QEMU.
# Usage: bench/linux.sh BUILD_DIR    (LINUX_BENCH_REPS=N runs, default 1)
set -euo pipefail
B=${1:-build}
dir=$B/linux
reps=${LINUX_BENCH_REPS:-1}
cmdline='console=ttyAMA0 rdinit=/init'

# time_boot NAME CMD...: "INIT_S OFF_S" from the first console line on.
time_boot() {
	local t0 t_init=0 line
	t0=$EPOCHREALTIME
	while IFS= read -r line; do
		if [[ $line == *"Run /init as init process"* ]]; then
			t_init=$EPOCHREALTIME
		fi
	done < <("$@" </dev/null 2>&1)
	local t_end=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t_init" -v c="$t_end" \
		'BEGIN { if (b == 0) print "fail"; else printf "%.2f %.2f\n", b - a, c - a }'
}

if ! command -v qemu-system-aarch64 >/dev/null; then
	echo "linux: qemu-system-aarch64 missing (make deps installs qemu-system-arm)" >&2
	exit 1
fi
printf '%-8s %10s %12s\n' boot to-init-s to-poweroff-s
for ((i = 0; i < reps; i++)); do
	sim=$(time_boot "$B/gunyahctl" run -q --timeout 1800 --kernel "$dir/Image" \
		--initrd "$dir/initramfs.cpio" --cmdline "$cmdline" --uart-input=/dev/null)
	qemu=$(time_boot timeout 1800 qemu-system-aarch64 -M virt,gic-version=3 \
		-cpu cortex-a72 -m 256M -nographic -no-reboot -kernel "$dir/Image" \
		-initrd "$dir/initramfs.cpio" -append "$cmdline")
	printf '%-8s %10s %12s\n' sim ${sim% *} ${sim#* } qemu ${qemu% *} ${qemu#* }
	if [[ $sim == fail || $qemu == fail ]]; then
		echo "linux: a boot did not reach /init" >&2
		exit 1
	fi
	awk -v s="${sim% *}" -v q="${qemu% *}" -v so="${sim#* }" -v qo="${qemu#* }" \
		'BEGIN { printf "ratio sim/qemu: to /init %.2fx, to power-off %.2fx (target: /init <= 2x)\n", s / q, so / qo }'
done
