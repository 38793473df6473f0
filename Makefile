# SPDX-License-Identifier: GPL-2.0-or-later
# pptp - PPTP VPN client.  One Makefile, no generated build system.
#
#   make                 build ./pptp, and build/test/pptp (with the test hooks)
#   make check           install test dependencies if missing, run every test
#   make install         DESTDIR, PREFIX honoured (make uninstall undoes it)
#   make unit            unit tests only;  make asan: unit tests under ASan/UBSan
#   make fuzz            libFuzzer targets, FUZZ_SECONDS each (default 60), or
#                        FUZZ_RUNS executions each; FUZZ_JOBS at once
#   make bench           throughput and memory against the reference client
#   make deb             the Debian package (debian/), in build/deb
#   make clean

VERSION  := 1.0.0
CC       ?= cc
CFLAGS   ?= -O2 -g
PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man/man8
PPPDIR   ?= /etc/ppp
B        ?= build
SAN      ?=

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DPPTP_RELEASE='"$(VERSION)"' -I. $(WARN) $(SAN) $(CFLAGS)
LDLIBS   :=

# Pure code: protocol engines, codecs, the command line (unit tested, fuzzed).
CORE     := util pptp_options pptp_wire pptp_ctrl pptp_call pptp_quirks orckit_quirks hdlc hdlc_avx2 pqueue \
            gre_engine gre_watch stats exitstatus callmgr_proto lcp_probe mtu
# The edges: sockets, processes, signals, netlink.
EDGE     := pptp_callmgr ctrl_session pptp_gre routing sockutil privileges status diagnose proc \
            localcheck diagnose_advice runpath callmgr_client pppd gw_mtu \
            diagnose_loop diagnose_mtu gw_kernel
CORE_O   := $(CORE:%=$(B)/%.o)
EDGE_O   := $(EDGE:%=$(B)/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_O   := $(UNIT_SRC:%.c=$(B)/%.o)
FUZZERS  := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60

.PHONY: all check unit asan clang-check fuzz fuzz-build fuzz-seeds bench install uninstall clean deps

all: pptp $(B)/test/pptp

pptp: $(B)/pptp.o $(EDGE_O) $(CORE_O)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/pptp: $(B)/pptp.o $(EDGE_O) $(CORE_O)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The test build: the same program with the test hooks compiled in
# (-DPPTP_TEST_HOOKS: PPTP_TEST_SYSROOT in localcheck.c, PPTP_TEST_KERNEL_CALL_ID
# in gw_kernel.c), which the integration and end-to-end tests run.  The
# release ./pptp, run as root, has none.
HOOKED   := localcheck gw_kernel callmgr_client
TEST_O   := $(filter-out $(HOOKED:%=$(B)/%.o),$(EDGE_O)) $(HOOKED:%=$(B)/test/%.o)

$(B)/test/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DPPTP_TEST_HOOKS -MMD -MP -c $< -o $@

$(B)/test/pptp: $(B)/pptp.o $(TEST_O) $(CORE_O)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# status.c and runpath.c are edge files, but their record parser and names
# are pure and unit tested.
$(B)/unit_tests: $(UNIT_O) $(CORE_O) $(B)/status.o $(B)/runpath.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The same tests against the codec builds a machine may not choose: the
# portable one (-DHDLC_NO_SIMD: no SSE2, no carry-less multiply), which is
# what other architectures build, and the SSE2 one (-DHDLC_NO_AVX2: the
# SSE2 codec and the SSE-encoded FCS folding), which x86-64 processors
# without AVX run.  `make unit` runs their hdlc suites.
# codec_variant NAME DEFINE: $(B)/NAME/hdlc.o and $(B)/unit_tests_NAME
define codec_variant
$$(B)/$(1)/hdlc.o: hdlc.c
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $(2) -MMD -MP -c $$< -o $$@

$$(B)/unit_tests_$(1): $$(UNIT_O) $$(filter-out $$(B)/hdlc.o,$$(CORE_O)) $$(B)/$(1)/hdlc.o $$(B)/status.o $$(B)/runpath.o
	$$(CC) $$(ALL_CFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
CODEC_VARIANTS := portable sse2
CODEC_DEFINE_portable := -DHDLC_NO_SIMD
CODEC_DEFINE_sse2 := -DHDLC_NO_AVX2
$(foreach v,$(CODEC_VARIANTS),$(eval $(call codec_variant,$(v),$(CODEC_DEFINE_$(v)))))

# The HDLC codec alone, for bench/codec.sh.
$(B)/bench/codec: $(B)/bench/codec.o $(B)/hdlc.o $(B)/hdlc_avx2.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The PAC-side test server and the pppd stand-in used by the integration tests.
$(B)/pacsrv: $(B)/tests/pacsrv.o $(B)/util.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/fakeppp: $(B)/tests/fakeppp.o $(B)/util.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/pnsprobe: $(B)/tests/pnsprobe.o $(B)/util.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/gresend: $(B)/tests/gresend.o $(B)/util.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/route_tool: $(B)/tests/route_tool.o $(B)/routing.o $(B)/runpath.o $(B)/util.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

unit: $(B)/unit_tests $(CODEC_VARIANTS:%=$(B)/unit_tests_%)
	$(B)/unit_tests
	$(foreach v,$(CODEC_VARIANTS),$(B)/unit_tests_$(v) hdlc/ &&) true

# The same unit tests built with AddressSanitizer (LeakSanitizer included)
# and UndefinedBehaviorSanitizer, in their own build directory.
asan:
	$(MAKE) --no-print-directory B=build/asan CFLAGS="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  build/asan/unit_tests $(CODEC_VARIANTS:%=build/asan/unit_tests_%) build/asan/pptp build/asan/test/pptp \
	  build/asan/pacsrv build/asan/fakeppp
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/asan/unit_tests
	$(foreach v,$(CODEC_VARIANTS),ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/asan/unit_tests_$(v) hdlc/ &&) true

# Warnings are errors under clang too.
clang-check:
	$(MAKE) --no-print-directory B=build/clang CC=clang build/clang/pptp build/clang/test/pptp \
	  build/clang/unit_tests build/clang/pacsrv build/clang/fakeppp

# libFuzzer targets (clang): every parser.  FUZZ_SECONDS per target.  Each
# is its tests/fuzz/fuzz_NAME.c linked with the pure code and status.c (an
# edge file, but its record parser is pure; the rest of it links with libc),
# compiled once for all of them.
FZ        := build/fuzz
FUZZ_SRC  := $(CORE:%=%.c) status.c
FUZZ_O    := $(FUZZ_SRC:%.c=$(FZ)/obj/%.o)
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -DPPTP_RELEASE='"$(VERSION)"' -I. -g -O1 $(WARN) \
	      -fsanitize=address,undefined -fno-sanitize-recover=all \
	      -fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt

$(FZ)/obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_O)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -MF $@.d -o $@ $< $(FUZZ_O)

# The HDLC target again against each codec build of the unit tests above
# (its seeds are the hdlc target's: run.sh).
# fuzz_variant NAME DEFINE: $(FZ)/fuzz_hdlc_NAME
define fuzz_variant
FUZZERS += fuzz_hdlc_$(1)

$$(FZ)/obj/$(1)/hdlc.o: hdlc.c
	@mkdir -p $$(@D)
	clang $$(FUZZ_CFLAGS) $(2) -fsanitize=fuzzer-no-link -MMD -MP -c $$< -o $$@

$$(FZ)/fuzz_hdlc_$(1): tests/fuzz/fuzz_hdlc.c $$(filter-out $$(FZ)/obj/hdlc.o,$$(FUZZ_O)) $$(FZ)/obj/$(1)/hdlc.o
	@mkdir -p $$(@D)
	clang $$(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -MF $$@.d -o $$@ $$< $$(filter-out $$<,$$^)
.SECONDARY: $$(FZ)/obj/$(1)/hdlc.o
endef
$(foreach v,$(CODEC_VARIANTS),$(eval $(call fuzz_variant,$(v),$(CODEC_DEFINE_$(v)))))

fuzz-build: $(FUZZERS:%=$(FZ)/%)
# Only pattern rules name these objects: without this, make deletes them
# after each build as intermediates and the next build compiles them again.
.SECONDARY: $(FUZZ_O)

# The seed corpora of the status, call manager message and LCP probe
# targets, written by the project's own encoders.
$(B)/mkseeds: $(B)/tests/fuzz/mkseeds.o $(CORE_O) $(B)/status.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

fuzz-seeds: $(B)/mkseeds
	$(B)/mkseeds tests/fuzz/corpus

# FUZZ_JOBS targets at once (default: one per CPU); FUZZ_RUNS=N runs each
# for N executions instead of FUZZ_SECONDS.
fuzz: fuzz-build
	FUZZ_JOBS='$(FUZZ_JOBS)' FUZZ_RUNS='$(FUZZ_RUNS)' tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

deps:
	tests/deps.sh

check: deps
	tests/check.sh

bench: deps all $(B)/pacsrv $(B)/fakeppp
	BENCH_CMD="make bench" OUT=bench/RESULTS.md bench/bench.sh

# pptpsetup goes beside pptp: it names the pptp in its own directory.
# options.pptp is configuration: installed only where none exists, and
# removed only while it is still byte for byte the one installed (a file
# the administrator changed, or had before, stays).
install: pptp
	install -D -m 0755 pptp $(DESTDIR)$(SBINDIR)/pptp
	install -D -m 0755 pptpsetup $(DESTDIR)$(SBINDIR)/pptpsetup
	install -D -m 0644 pptp.8 $(DESTDIR)$(MANDIR)/pptp.8
	install -D -m 0644 pptpsetup.8 $(DESTDIR)$(MANDIR)/pptpsetup.8
	@if [ -e $(DESTDIR)$(PPPDIR)/options.pptp ]; then \
		echo "$(DESTDIR)$(PPPDIR)/options.pptp exists: left as it is"; \
	else \
		echo "install -D -m 0644 options.pptp $(DESTDIR)$(PPPDIR)/options.pptp"; \
		install -D -m 0644 options.pptp $(DESTDIR)$(PPPDIR)/options.pptp; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/pptp $(DESTDIR)$(SBINDIR)/pptpsetup \
	      $(DESTDIR)$(MANDIR)/pptp.8 $(DESTDIR)$(MANDIR)/pptpsetup.8
	@if cmp -s options.pptp $(DESTDIR)$(PPPDIR)/options.pptp; then \
		echo "rm -f $(DESTDIR)$(PPPDIR)/options.pptp"; \
		rm -f $(DESTDIR)$(PPPDIR)/options.pptp; \
	elif [ -e $(DESTDIR)$(PPPDIR)/options.pptp ]; then \
		echo "$(DESTDIR)$(PPPDIR)/options.pptp differs from ours: left as it is"; \
	fi

clean:
	rm -rf build pptp

# The Debian package, built by dpkg-buildpackage in a copy of the tree under
# build/deb: it writes its results to the directory above the one it builds
# in, which is then build/deb rather than the project's parent.  The copy
# goes once the package is built.
DEB_DIR  := build/deb
.PHONY: deb
deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/pptp-$(VERSION)
	tar --exclude=./build --exclude=./.git --exclude=./pptp -cf - . | \
	  tar -C $(DEB_DIR)/pptp-$(VERSION) -xf -
	cd $(DEB_DIR)/pptp-$(VERSION) && dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_DIR)/pptp-$(VERSION)
	@ls -1 $(DEB_DIR)/*.deb

-include $(shell find build -path build/deb -prune -o -name '*.d' -print 2>/dev/null)
