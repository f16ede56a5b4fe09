# SPDX-License-Identifier: GPL-2.0-only
# gunyahctl and libgunyah.  `make help` lists the targets.

VERSION := 0.1.0
SOVERSION := 0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
DESTDIR ?=

# Quiet by default, kernel style; V=1 prints the commands.
V ?= 0
ifeq ($(V),0)
Q := @
say = @printf '  %-7s %s\n' '$(1)' '$(2)'
else
Q :=
say = @:
endif

# Build variants live side by side: build/ (default), build-asan/, build-tsan/.
B ?= build
SAN ?=

CC ?= gcc
CROSS ?= aarch64-linux-gnu-
PKG_CONFIG ?= pkg-config

# The flags the code needs are appended even to a CFLAGS given on the
# command line (make CFLAGS=-O0), hence "override".
override CPPFLAGS += -D_GNU_SOURCE -DGUNYAHCTL_VERSION='"$(VERSION)"' -Ilib -Icmd
CFLAGS ?= -O2 -g
override CFLAGS += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -fno-strict-aliasing -pthread -fPIC
ifneq ($(SAN),)
override CFLAGS += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=$(SAN)
endif
# TSan's view of libunicorn's longjmps (lib/sim/sim_tsan.c)
ifneq ($(findstring thread,$(SAN)),)
override LDFLAGS += -Wl,-u,__longjmp_chk
endif
override LDFLAGS += -pthread

DEPS_CFLAGS = $(shell $(PKG_CONFIG) --cflags unicorn json-c ncursesw 2>/dev/null)
LIB_LIBS = $(shell $(PKG_CONFIG) --libs unicorn 2>/dev/null || echo -lunicorn) -lm
CMD_LIBS = $(shell $(PKG_CONFIG) --libs json-c ncursesw nettle 2>/dev/null || echo -ljson-c -lncursesw -lnettle) -lfdt
override CFLAGS += $(DEPS_CFLAGS)

LIB_SRCS := $(wildcard lib/*.c lib/sim/*.c)
# cmd/: one file per command, the subsystems in folders (engine, output,
# ctl, dash, diag).
CMD_SRCS := $(wildcard cmd/*.c cmd/*/*.c)
# The diag guest programs are linked into gunyahctl (cmd/diag/guests.S).
DIAG_GUEST_SRCS := $(wildcard cmd/diag/guests/*.S)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRCS := $(wildcard bench/*.c)
GUEST_SRCS := $(wildcard tests/guests/*.S) $(DIAG_GUEST_SRCS)
EXAMPLE_GUEST_SRCS := $(wildcard examples/*.S)

LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(B)/%.o) $(B)/cmd/diag/guests.o
UNIT_BINS := $(UNIT_SRCS:%.c=$(B)/%)
BENCH_OBJS := $(BENCH_SRCS:%.c=$(B)/%.o)
FUZZ_BINS := $(FUZZ_SRCS:%.c=$(B)/%)
GUEST_ELFS := $(GUEST_SRCS:%.S=$(B)/%.elf) $(EXAMPLE_GUEST_SRCS:%.S=$(B)/%.elf)
GUEST_BINS := $(GUEST_ELFS:%.elf=%.bin)

LIBA := $(B)/libgunyah.a
# cmd/'s internals (all but main.c), built once: gunyahctl, the unit
# tests, the fuzz targets and the benchmarks link them from here.
CMDA := $(B)/cmd/libgunyahctl.a
CMD_LIB_OBJS := $(filter-out $(B)/cmd/main.o,$(CMD_OBJS))
LIBSO := $(B)/libgunyah.so.$(SOVERSION)
GUNYAHCTL := $(B)/gunyahctl
FAKEDEV := $(B)/tests/fakedev/fakedev.so
BENCH := $(B)/bench/gunyah-bench

.PHONY: all help deps demo check check-core test asan tsan bench stress linux \
	linux-guest \
	stress-core install uninstall clean guests fuzz fuzz-bins fuzz-smoke \
	fuzz-stress

all: $(GUNYAHCTL) $(LIBA) $(LIBSO) guests $(FAKEDEV)

help:
	@echo 'make            build gunyahctl, libgunyah and the guest programs'
	@echo 'make demo       install missing packages, build, run the example guest'
	@echo 'make check      install missing packages, build, run every test'
	@echo 'make asan       build and test with AddressSanitizer + UBSan'
	@echo 'make tsan       build and run the threaded tests under ThreadSanitizer'
	@echo 'make bench      benchmarks (ratios against a same-run baseline)'
	@echo 'make fuzz       build the libFuzzer targets (clang, ASan + UBSan)'
	@echo 'make fuzz-smoke run each fuzz target for FUZZ_SMOKE_S seconds'
	@echo 'make stress     the long runs: fuzzing, signal storm, soak, random guests'
	@echo 'make mutants    plant each bug of tests/mutants/list, check a test fails'
	@echo 'make install    install under $$(DESTDIR)$$(PREFIX) (default /usr/local)'
	@echo 'make uninstall  remove exactly what make install put there'
	@echo 'make deps       install the Debian packages the build needs'
	@echo 'make linux      fetch Debian'"'"'s arm64 kernel and busybox, boot them on the sim'

# ---- dependencies -------------------------------------------------------

DEB_PACKAGES := gcc libc6-dev make pkg-config libunicorn-dev libjson-c-dev \
	libncurses-dev bats bats-assert bats-support bats-file \
	binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu jq tmux procps \
	groff-base man-db zsh fish bash-completion device-tree-compiler \
	clang libclang-rt-dev llvm libfdt-dev qemu-system-arm cpio nettle-dev

deps:
	@./tests/install-deps $(DEB_PACKAGES)

# ---- build ----------------------------------------------------------------

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LIBSO): $(LIB_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,libgunyah.so.$(SOVERSION) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(CMDA): $(CMD_LIB_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(GUNYAHCTL): $(B)/cmd/main.o $(CMDA) $(LIBA)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(B)/cmd/main.o $(CMDA) $(LIBA) $(CMD_LIBS) $(LIB_LIBS)

$(BENCH): $(BENCH_OBJS) $(CMDA) $(LIBA)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJS) $(CMDA) $(LIBA) $(CMD_LIBS) $(LIB_LIBS)

# Compiled, then linked: a change in lib/ or cmd/ relinks, it does not
# recompile.  A test that includes a file of cmd/ (to reach its static
# functions) still links the rest from $(CMDA): only what it does not
# define is taken from there.
$(B)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit -DGUEST_DIR='"$(abspath $(B))"' $(CFLAGS) \
		-MMD -MP -c -o $@ $<

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(CMDA) $(LIBA) | guests
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(CMDA) $(LIBA) $(CMD_LIBS) $(LIB_LIBS)

# libFuzzer targets: only in a tree built by clang with
# SAN=fuzzer-no-link,... (see "fuzz" below), which links libFuzzer's main.
$(B)/tests/fuzz/%: tests/fuzz/%.c $(CMDA) $(LIBA) | guests
	@mkdir -p $(@D)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CPPFLAGS) -DGUEST_DIR='"$(abspath $(B))"' $(CFLAGS) \
		-MMD -MP -MF $@.d -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(CMDA) $(LIBA) \
		$(CMD_LIBS) $(LIB_LIBS)


# Guest programs: freestanding AArch64, linked at the simulator's RAM base.
# -n: no page alignment, so the one PT_LOAD segment starts at the RAM base
# instead of a page below it (with the ELF headers in it).
GUEST_LDFLAGS := -nostdlib -static -Wl,--build-id=none -Wl,-Ttext=0x80000000 \
	-Wl,-n -Wl,--no-warn-rwx-segments \
	-Wl,-z,max-page-size=4096
$(B)/%.elf: %.S lib/gunyah_sim.h tests/guests/guest.h cmd/diag/layout.h \
		cmd/diag/guests/diag_guest.h
	@mkdir -p $(@D)
	$(call say,AS,$@)
	$(Q)$(CROSS)gcc -Ilib -Itests/guests -Icmd $(GUEST_LDFLAGS) -o $@ $<

# The diag guests' raw bytes, .incbin'd into a host object: gunyahctl diag
# needs no files at run time.
$(B)/cmd/diag/guests.o: cmd/diag/guests.S cmd/diag/guests.h $(DIAG_GUEST_SRCS:%.S=$(B)/%.bin)
	@mkdir -p $(@D)
	$(call say,AS,$@)
	$(Q)$(CC) $(CPPFLAGS) -Wa,-I$(B)/cmd/diag/guests -c -o $@ $<

# The fake /dev/gunyah for the dev backend's tests: an LD_PRELOAD shim
# that answers the device's syscalls from a private copy of the sim.
$(FAKEDEV): tests/fakedev/fakedev.c $(LIBA)
	@mkdir -p $(@D)
	$(call say,CCLD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -fvisibility=hidden -shared \
		-Wl,--exclude-libs,ALL $(LDFLAGS) -o $@ $< $(LIBA) $(LIB_LIBS) -ldl

$(B)/%.bin: $(B)/%.elf
	$(call say,OBJCOPY,$@)
	$(Q)$(CROSS)objcopy -O binary $< $@

guests: $(GUEST_ELFS) $(GUEST_BINS)

# ---- tests -----------------------------------------------------------------

# check installs what is missing, then re-reads this file (pkg-config
# answers only once the packages are there).
# Everything runs, then one line sums it up: the tests on the normal build,
# again on an ASan + UBSan build, the threaded ones on a TSan build, and a
# short run of each fuzz target.
CHECK_TALLY = $(abspath $(B))/check.tally
check: deps
	@mkdir -p $(B) && rm -f $(CHECK_TALLY)
	@$(MAKE) --no-print-directory linux-guest
	@$(MAKE) --no-print-directory check-core TALLY=$(CHECK_TALLY)
	@$(MAKE) --no-print-directory B=build-asan SAN=address,undefined \
		check-core TALLY=$(CHECK_TALLY) LABEL=asan
	@$(MAKE) --no-print-directory B=build-tsan SAN=thread CFLAGS='-O1 -g' \
		check-core TESTS_FILTER=threads TALLY=$(CHECK_TALLY) LABEL=tsan
	@$(MAKE) --no-print-directory fuzz-smoke TALLY=$(CHECK_TALLY)
	@./tests/tally $(CHECK_TALLY)

check-core: all $(UNIT_BINS)
	@B=$(B) SAN=$(SAN) TALLY=$(TALLY) LABEL=$(LABEL) ./tests/run-tests $(UNIT_BINS) -- $(wildcard tests/bats/*.bats)

test: check

asan: deps
	@$(MAKE) --no-print-directory B=build-asan SAN=address,undefined check-core

tsan: deps
	@$(MAKE) --no-print-directory B=build-tsan SAN=thread CFLAGS='-O1 -g' \
		check-core TESTS_FILTER=threads

# ---- a Linux guest ------------------------------------------------------------

# Debian's arm64 kernel (its Image) and busybox-static, fetched with apt
# (only what is missing), and an initramfs whose /init prints, forks,
# sleeps a second and powers off (tests/linux/init).  make check boots it
# (tests/bats/linux.bats); make linux boots it here, the terminal as the
# console (Ctrl-] quits).
LINUX_DIR := $(B)/linux
LINUX_IMAGE := $(LINUX_DIR)/Image
LINUX_INITRD := $(LINUX_DIR)/initramfs.cpio
LINUX_CMDLINE ?= console=ttyAMA0 rdinit=/init

$(LINUX_DIR)/Image $(LINUX_DIR)/busybox:
	$(call say,FETCH,$(LINUX_DIR))
	$(Q)./tests/linux/fetch-guest $(LINUX_DIR)

$(LINUX_INITRD): $(LINUX_DIR)/busybox tests/linux/init tests/linux/mkinitramfs
	$(call say,CPIO,$@)
	$(Q)./tests/linux/mkinitramfs $(LINUX_DIR)/busybox tests/linux/init $@

linux-guest: $(LINUX_IMAGE) $(LINUX_INITRD)

linux: deps
	@$(MAKE) --no-print-directory all linux-guest
	$(GUNYAHCTL) run -q --kernel $(LINUX_IMAGE) --initrd $(LINUX_INITRD) \
		--cmdline '$(LINUX_CMDLINE)'

# ---- test binaries and mutants -----------------------------------------------

# Test binaries that exist are kept fresh by plain make (a unit test run
# by hand runs today's code); make does not build those nobody asked for.
# Every input counts: the .d files (-MMD) name each header and each cmd/
# file a test compiles in; $(LIBA) relinks.  unit-bins builds them all.
all: $(wildcard $(UNIT_BINS))
unit-bins: $(UNIT_BINS)
.SECONDARY: $(UNIT_BINS:=.o)

# Mutation testing, not part of check: each bug of tests/mutants/list is
# planted alone in a copy under $(B)/mutants/ and must fail the tests the
# list names for it.
mutants: all
	@./tests/mutants/run-mutants tests/mutants/list $(B)/mutants/src $(MUTANTS)

.PHONY: unit-bins mutants

# ---- fuzzing ----------------------------------------------------------------

# libgunyah and the targets are built with clang, libFuzzer's coverage and
# ASan + UBSan (every report fatal) into their own tree.
FUZZ_B := build-fuzz
FUZZ_CC ?= clang
FUZZ_SAN := fuzzer-no-link,address,undefined
FUZZ_SMOKE_S ?= 6
FUZZ_RUNS ?= 1000000

fuzz: deps
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) SAN=$(FUZZ_SAN) fuzz-bins

fuzz-bins: $(FUZZ_BINS)
	@:

fuzz-smoke: fuzz
	@TALLY=$(TALLY) ./tests/fuzz/run-fuzz --time $(FUZZ_SMOKE_S) $(FUZZ_B) \
		$(FUZZ_SRCS:%.c=$(FUZZ_B)/%)

fuzz-stress: fuzz
	@./tests/fuzz/run-fuzz --runs $(FUZZ_RUNS) $(FUZZ_B) \
		$(FUZZ_SRCS:%.c=$(FUZZ_B)/%)

# ---- stress -------------------------------------------------------------------

# The long versions of the reliability tests, with ASan + UBSan (and
# LeakSanitizer in the soak): FUZZ_RUNS inputs per fuzz target, a STORM_S
# signal storm, a SOAK_S soak of eight vCPUs, ISOLATION_SEEDS random guest
# programs.  Not part of check: it takes several minutes.
STORM_S ?= 10
SOAK_S ?= 30
ISOLATION_SEEDS ?= 2000
STRESS_UNITS = $(addprefix $(B)/tests/unit/,test_threads_storm \
	test_threads_soak test_sim_isolation)

stress: deps
	@$(MAKE) --no-print-directory fuzz-stress
	@$(MAKE) --no-print-directory B=build-asan SAN=address,undefined stress-core

stress-core: $(STRESS_UNITS)
	@STORM_S=$(STORM_S) SOAK_S=$(SOAK_S) ISOLATION_SEEDS=$(ISOLATION_SEEDS) \
		B=$(B) ./tests/run-tests $(STRESS_UNITS) --

demo: deps
	@$(MAKE) --no-print-directory all
	@./tests/demo $(B)

# Benchmarks are not part of check: they take a minute or two and judge
# speed, which a loaded machine cannot promise.  gunyah-bench: libgunyah and
# the sim against bare Unicorn (BENCH_REPS timed runs per case, work times
# BENCH_SCALE, BENCH_FLAGS=--strict fails on a miss), then what the
# dashboard, JSON output and run --record cost the run loop (bench/dashboard.sh,
# bench/json.sh, bench/record.sh; STRICT=1 fails on a miss of their targets),
# and the same in instructions per exit, thread by thread, which the
# machine's noise leaves alone (bench/cost.sh, valgrind).
BENCH_REPS ?= 7
BENCH_SCALE ?= 1
BENCH_FLAGS ?=

bench: deps
	@./tests/install-deps valgrind
	@$(MAKE) --no-print-directory all $(BENCH) linux-guest
	@$(BENCH) --reps $(BENCH_REPS) --scale $(BENCH_SCALE) --guest-dir $(B) \
		--json bench/results.json $(BENCH_FLAGS)
	@./bench/dashboard.sh $(B)
	@./bench/json.sh $(B)
	@./bench/linux.sh $(B)
	@./bench/record.sh $(B)
	@./bench/cost.sh $(B)

# ---- install ---------------------------------------------------------------

PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d

HEADERS := lib/gunyah.h lib/gunyah_abi.h lib/gunyah_sim.h
MAN1 := $(wildcard man/*.1)
MAN5 := $(wildcard man/*.5)
MAN7 := $(wildcard man/*.7)

# Every installed path, once: install creates them, uninstall removes
# exactly these (and the include/gunyah directory, which is ours alone).
INSTALLED := $(BINDIR)/gunyahctl \
	$(LIBDIR)/libgunyah.a $(LIBDIR)/libgunyah.so.$(SOVERSION) \
	$(LIBDIR)/libgunyah.so \
	$(HEADERS:lib/%=$(INCLUDEDIR)/gunyah/%) \
	$(PKGCONFIGDIR)/libgunyah.pc \
	$(MAN1:man/%=$(MANDIR)/man1/%) $(MAN5:man/%=$(MANDIR)/man5/%) \
	$(MAN7:man/%=$(MANDIR)/man7/%) \
	$(BASHCOMPDIR)/gunyahctl $(ZSHCOMPDIR)/_gunyahctl \
	$(FISHCOMPDIR)/gunyahctl.fish

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(INCLUDEDIR)/gunyah $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(GUNYAHCTL) $(DESTDIR)$(BINDIR)/gunyahctl
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libgunyah.a
	install -m 755 $(LIBSO) $(DESTDIR)$(LIBDIR)/libgunyah.so.$(SOVERSION)
	ln -sf libgunyah.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libgunyah.so
	install -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/gunyah/
	# written here, not built: its paths are the ones of this install
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		lib/libgunyah.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libgunyah.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/libgunyah.pc
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	install -m 644 completions/gunyahctl.bash $(DESTDIR)$(BASHCOMPDIR)/gunyahctl
	install -m 644 completions/_gunyahctl $(DESTDIR)$(ZSHCOMPDIR)/_gunyahctl
	install -m 644 completions/gunyahctl.fish \
		$(DESTDIR)$(FISHCOMPDIR)/gunyahctl.fish

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/gunyah 2>/dev/null

clean:
	rm -rf build build-asan build-tsan build-fuzz

# Every object's and test's headers and included sources, as the
# compiler saw them.
-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(BENCH_OBJS:.o=.d) \
	$(UNIT_BINS:=.d) $(FUZZ_BINS:=.d)
