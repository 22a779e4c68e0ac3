# lpatch: live patching for Linux kernels and processes.
# `make` leaves ./lpatch; `make check` runs every test; `make install` honours PREFIX, DESTDIR.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/lpatch
UNITDIR   ?= $(PREFIX)/lib/systemd/system
LIBDIR    ?= $(PREFIX)/lib/lpatch

CC        ?= cc
CFLAGS    ?= -O2 -g
CFLAGS    += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wshadow \
             -Wstrict-prototypes -Wmissing-prototypes -Isrc -MMD -MP
LDLIBS    += -lelf -ldw -lunwind-ptrace -lunwind-generic -lunwind -lz -lZydis -ljson-c -lcrypto

SRCS      := $(sort $(filter-out src/hook/% src/main_hook.c,$(shell find src -name "*.c")))
# The start-up hook of installed process patches, loaded into other programs
# (docs/user-install.md): libc only, built apart from lpatch.
PRELOAD   := build/liblpatch-preload.so
# What that hook runs in a process it patches at start: `lpatch hook-apply` in a
# program of its own, linked statically with only what an apply needs (libelf,
# libunwind): no dynamic loading at each start (docs/user-install.md).
HOOK_APPLY := build/lpatch-hook
HOOK_LIBS  := -lelf -lunwind-ptrace -lunwind-generic -lunwind -llzma -lz
OBJS      := $(SRCS:src/%.c=build/%.o)
LIB_OBJS  := $(filter-out build/main.o,$(OBJS))

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/tests/%)

all: lpatch $(PRELOAD) $(HOOK_APPLY)

lpatch: $(OBJS) | $(PRELOAD) $(HOOK_APPLY)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(HOOK_APPLY): build/main_hook.o build/liblpatch.a
	$(CC) $(LDFLAGS) -static -o $@ $^ $(HOOK_LIBS)

$(PRELOAD): src/hook/preload.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -fPIC -shared \
		-Wl,-z,now -Wl,-z,relro -o $@ $<

build/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

build/liblpatch.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

build/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) build/liblpatch.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< build/liblpatch.a $(LDLIBS)

unit-tests: $(UNIT_BINS)

# Every test: tree, unit, VM and process. tests/run installs what it needs.
check: lpatch unit-tests
	tests/run

# The tests marked "# lpatch-test: long: WHY" (real programs' whole builds, the full
# releases): too long for CI's 30 minutes; their times are in docs/performance.md.
check-long: lpatch unit-tests
	tests/run long

# Debian 13 (6.12) targets (docs/kernel-builds.md): the tests/vm/7x scripts, the fuller
# ones too, and the differ's special-section fixtures compiled with gcc-14 in the build root.
check-trixie: lpatch unit-tests
	LPATCH_TEST_TARGET=debian13:cloud build/tests/test_diff_special
	for t in tests/vm/7[0-9]-*.sh; do LPATCH_TRIXIE_FULL=1 bash $$t || exit 1; done

# A lower layer of src/ never includes a higher one; only src/elf calls libelf
# (the order is in scripts/check-layers.sh and docs/design.md).
check-layers:
	scripts/check-layers.sh

install: lpatch $(PRELOAD) $(HOOK_APPLY)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/include
	install -m 0755 lpatch $(DESTDIR)$(BINDIR)/lpatch
	install -d $(DESTDIR)$(PREFIX)/lib/lpatch
	install -m 0644 $(PRELOAD) $(DESTDIR)$(PREFIX)/lib/lpatch/liblpatch-preload.so
	install -m 0755 $(HOOK_APPLY) $(DESTDIR)$(PREFIX)/lib/lpatch/lpatch-hook
	install -m 0644 man/lpatch.1 $(DESTDIR)$(MANDIR)/man1/lpatch.1
	@if [ -d include ]; then cp -r include/. $(DESTDIR)$(DATADIR)/include/; fi
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' dist/lpatch.service >$(DESTDIR)$(UNITDIR)/lpatch.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/lpatch.service
	install -d $(DESTDIR)$(LIBDIR)
	install -m 0755 dist/lpatch-update $(DESTDIR)$(LIBDIR)/lpatch-update
	sed 's|@LIBDIR@|$(LIBDIR)|g' dist/lpatch-update.service >$(DESTDIR)$(UNITDIR)/lpatch-update.service
	install -m 0644 dist/lpatch-update.timer $(DESTDIR)$(UNITDIR)/lpatch-update.timer
	sed 's|@LIBDIR@|$(LIBDIR)|g' dist/lpatch-hook.service >$(DESTDIR)$(UNITDIR)/lpatch-hook.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/lpatch-hook.service
	install -m 0644 dist/lpatch-hook.socket $(DESTDIR)$(UNITDIR)/lpatch-hook.socket
	chmod 0644 $(DESTDIR)$(UNITDIR)/lpatch-update.service

# lpatch's own Debian package, for the hosts of a fleet (docs/fleet.md):
# build/deb/lpatch_VERSION_amd64.deb, made with dpkg-deb and checked by lintian.
deb: lpatch
	scripts/mkdeb.sh

# The fleet test (docs/fleet.md): 3 Debian 12 VMs, two kernel releases, a signed
# apt repository; 20-40 minutes under TCG. FLEET_VMS=1 for one VM.
fleet-test: lpatch
	bash tests/fleet/fleet-test.sh

# Fuzzing (docs/fuzzing.md): libFuzzer targets in fuzz/, built with clang, AddressSanitizer and
# UBSan into build/fuzz/; `make fuzz FUZZ_TIME=600` runs each for FUZZ_TIME seconds.
FUZZ_CC     ?= clang
FUZZ_TIME   ?= 60
FUZZ_CFLAGS ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined
FUZZ_CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wno-unused-parameter -Isrc -MMD -MP
FUZZ_TARGETS := fuzz_elf fuzz_diff fuzz_ko fuzz_lpatch
FUZZ_OBJS   := $(LIB_OBJS:build/%=build/fuzz/obj/%)
FUZZ_BINS   := $(FUZZ_TARGETS:%=build/fuzz/%)

build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/%: fuzz/%.c fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

# the objects are shared by every target: kept, not deleted as intermediates
.SECONDARY: $(FUZZ_OBJS)

fuzz: lpatch
	scripts/deps.sh --fuzz
	$(MAKE) fuzz-build
	scripts/fuzz.sh $(FUZZ_TIME) $(FUZZ_TARGETS)

# The whole real-fix corpus (tests/corpus/): every per-file fix of Debian's
# 6.1.187-1 -> 6.1.190-1 update built for 6.1.0-53-cloud-amd64 and loaded in
# the VM; hours on 2 cores. Results go to CORPUS_OUT (default: in lpatch's
# cache); a run stopped half-way goes on from there (CORPUS_FRESH=1 restarts).
# CI runs a sample (tests/vm/58-corpus-sample.sh). CORPUS_RECLASSIFY=1 builds
# nothing: failed fixes that needed another file's change become left-out.
CORPUS_OUT ?= $${LPATCH_CACHE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/lpatch}/corpus/6.1.187-1_6.1.190-1
corpus: lpatch
	tests/corpus/run.sh $(if $(CORPUS_FRESH),--fresh) $(if $(CORPUS_RECLASSIFY),--reclassify) "$(CORPUS_OUT)"

clean:
	rm -rf build lpatch

PHONY_FLEET := deb fleet-test
.PHONY: all check check-long check-trixie check-layers install clean $(PHONY_FLEET) unit-tests fuzz fuzz-build corpus
-include $(OBJS:.o=.d) build/main_hook.d $(UNIT_BINS:=.d) $(FUZZ_OBJS:.o=.d)
