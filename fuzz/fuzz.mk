# Fuzz targets: fuzz/<target>.c, each linked unchanged into
#   fuzz/bin/<target>          AFL++ persistent mode, CMPLOG-instrumented
#                              (run it as the main fuzzer with -c 0)
#   build/fuzz/replay/<target> ASan+UBSan replay driver, behind bin/lgrepro
#   build/fuzz/cov/<target>    clang source coverage, for bench/run-fuzz.sh
# and, through fuzz/oss-fuzz-build.sh, libFuzzer.  Each flavour compiles
# the launcher library's own sources (LIB_SRCS) into its own object
# directory, so a fuzzer runs the code bin/lguest runs.  Targets appear
# here as soon as their source exists.
FUZZ_ALL	:= vring loader insn pci console vhost_user
FUZZ_TARGETS	:= $(patsubst fuzz/%.c,%,$(wildcard $(FUZZ_ALL:%=fuzz/%.c)))
FUZZ_B		:= $(BUILD)/fuzz
# clang (every flavour here) objects to kvm.c's on-stack struct kvm_msrs
# followed by its entries, a GNU idiom the KVM API asks for and gcc takes.
FUZZ_FLAGS	:= -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -MMD -MP \
		   -Wno-gnu-variable-sized-type-not-at-end -Ilauncher -Ifuzz -Iharness \
		   -Itests/lib
FUZZ_DRIVER_SRCS := fuzz/replay.c fuzz/guarded.c

# Debian's afl++ 4.04c solves magic values only with CMPLOG built into
# the one binary run as the main fuzzer (design.md), hence one binary.
# (Not named AFL_CC: afl-cc reads that from the environment.)
FUZZ_AFL_CC	?= AFL_LLVM_CMPLOG=1 AFL_QUIET=1 afl-clang-fast
# The stack protector: a write past an on-stack buffer aborts in the AFL
# build too, not only under ASan.
FUZZ_AFL_CFLAGS	?= -O2 -g -fstack-protector-strong
# The ASan+UBSan instance fuzz/run.sh runs as a secondary: memory errors
# fault during the campaign (UBSan traps: no runtime to print, a crash).
FUZZ_AFL_ASAN_CC ?= AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1 afl-clang-fast
FUZZ_AFL_ASAN_CFLAGS ?= -O1 -g -fno-omit-frame-pointer
FUZZ_CC		?= clang
SAN_CFLAGS	?= -O1 -g -fno-omit-frame-pointer \
		   -fsanitize=address,undefined -fno-sanitize-recover=all
COV_CFLAGS	?= -O0 -g -fprofile-instr-generate -fcoverage-mapping

# $(1) flavour, $(2) compiler, $(3) flags, $(4) driver.
define fuzz_flavour
$(FUZZ_B)/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$(2) $(3) $(FUZZ_FLAGS) -c -o $$@ $$<

$(FUZZ_B)/$(1)/liblguest.a: $(LIB_SRCS:%.c=$(FUZZ_B)/$(1)/%.o)
	$(AR) rcs $$@ $$^

$(FUZZ_B)/$(1)/libtestlib.a: $(TESTLIB_SRCS:%.c=$(FUZZ_B)/$(1)/%.o)
	$(AR) rcs $$@ $$^

$(FUZZ_B)/$(1)/bin/%: $(FUZZ_B)/$(1)/fuzz/%.o $(FUZZ_B)/$(1)/fuzz/$(4).o \
		$(FUZZ_DRIVER_SRCS:%.c=$(FUZZ_B)/$(1)/%.o) \
		$(FUZZ_B)/$(1)/libtestlib.a $(FUZZ_B)/$(1)/liblguest.a
	@mkdir -p $$(dir $$@)
	$(2) $(3) -o $$@ $$^ $(LDLIBS) -lm

# console fuzzes lgtest's parsers and report writers: the harness library.
# The exit-status and device tables are the launcher's, shared (harness.mk).
$(FUZZ_B)/$(1)/libharness.a: $(HARNESS_SRCS:%.c=$(FUZZ_B)/$(1)/%.o) \
	$(FUZZ_B)/$(1)/launcher/exit_status.o $(FUZZ_B)/$(1)/launcher/device_table.o
	$(AR) rcs $$@ $$^

$(FUZZ_B)/$(1)/bin/console: $(FUZZ_B)/$(1)/fuzz/console_check.o \
	$(FUZZ_B)/$(1)/libharness.a

# vring checks the ring library against a model of the ring rules.
$(FUZZ_B)/$(1)/bin/vring: $(FUZZ_B)/$(1)/fuzz/vring_ref.o
endef

$(eval $(call fuzz_flavour,afl,$(FUZZ_AFL_CC),$(FUZZ_AFL_CFLAGS),afl_driver))
$(eval $(call fuzz_flavour,aflasan,$(FUZZ_AFL_ASAN_CC),$(FUZZ_AFL_ASAN_CFLAGS),afl_driver))
$(eval $(call fuzz_flavour,replay,$(FUZZ_CC),$(SAN_CFLAGS),replay_driver))
$(eval $(call fuzz_flavour,cov,$(FUZZ_CC),$(COV_CFLAGS),replay_driver))

# Copied then renamed: a campaign may be running the old binary.
fuzz/bin/%: $(FUZZ_B)/afl/bin/%
	@mkdir -p $(dir $@)
	cp $< $@.tmp && mv -f $@.tmp $@

fuzz/bin-asan/%: $(FUZZ_B)/aflasan/bin/%
	@mkdir -p $(dir $@)
	cp $< $@.tmp && mv -f $@.tmp $@

# Run by every script that starts afl-fuzz, to reap what it leaves.
$(FUZZ_B)/lgreap: fuzz/lgreap.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

bin/lgrepro: fuzz/lgrepro.sh
	@mkdir -p bin
	install -m 755 $< $@

# The seed generator: gcc is enough, it only lays out structures.
SEED_SRCS := fuzz/gen_seeds.c $(wildcard $(FUZZ_ALL:%=fuzz/seeds_%.c))
$(FUZZ_B)/gen_seeds: $(SEED_SRCS) fuzz/seeds.h $(TESTLIB) $(BUILD)/liblguest.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilauncher -Ifuzz -Itests/lib -o $@ $(SEED_SRCS) $(TESTLIB) $(BUILD)/liblguest.a $(LDLIBS)

fuzz: $(FUZZ_TARGETS:%=fuzz/bin/%) $(FUZZ_TARGETS:%=fuzz/bin-asan/%) \
	$(FUZZ_B)/lgreap bin/lgrepro fuzz-replay
fuzz-replay: $(FUZZ_TARGETS:%=$(FUZZ_B)/replay/bin/%)
fuzz-cov: $(FUZZ_TARGETS:%=$(FUZZ_B)/cov/bin/%)

# corpora/<target>/seeds, regenerated from the committed generators.
seeds: $(FUZZ_B)/gen_seeds
	$(FUZZ_B)/gen_seeds all corpora

# make repro TARGET=vring FILES="crash-1 crash-2" [TIMEOUT=10]
repro: bin/lgrepro fuzz-replay
	@test -n "$(TARGET)" -a -n "$(FILES)" || \
		{ echo 'usage: make repro TARGET=<target> FILES="FILE..."' >&2; exit 2; }
	bin/lgrepro $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(TARGET) $(FILES)

# The OSS-Fuzz build script, run here with clang's libFuzzer.
FUZZ_OSS_OUT ?= $(CURDIR)/$(FUZZ_B)/libfuzzer
fuzz-libfuzzer:
	CC=$(FUZZ_CC) CFLAGS="-O1 -g -fsanitize=address,fuzzer-no-link" \
	LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=$(FUZZ_OSS_OUT) \
	WORK=$(CURDIR)/$(FUZZ_B)/oss-work fuzz/oss-fuzz-build.sh

# bench/run-fuzz.sh's peer: a trivial target with the same AFL driver.
$(FUZZ_B)/afl/bench/fuzz_trivial.o: bench/fuzz_trivial.c
	@mkdir -p $(dir $@)
	$(FUZZ_AFL_CC) $(FUZZ_AFL_CFLAGS) $(FUZZ_FLAGS) -c -o $@ $<
$(FUZZ_B)/trivial: $(FUZZ_B)/afl/bench/fuzz_trivial.o $(FUZZ_B)/afl/fuzz/afl_driver.o \
		$(FUZZ_DRIVER_SRCS:%.c=$(FUZZ_B)/afl/%.o)
	$(FUZZ_AFL_CC) $(FUZZ_AFL_CFLAGS) -o $@ $^

bench-fuzz: fuzz fuzz-cov $(FUZZ_B)/trivial
	bench/run-fuzz.sh

# The fuzzers' own test (bench/run-mutants.sh): every fuzz/mutants/*.patch
# fuzzed MUTANT_TIME each (default 10m); fuzz-mutants-replay replays the
# committed inputs against each instead, as make test does.
fuzz-mutants: fuzz
	bench/run-mutants.sh $(if $(MUTANT_TIME),--time $(MUTANT_TIME))
fuzz-mutants-replay: fuzz
	bench/run-mutants.sh --replay

.PHONY: fuzz fuzz-replay fuzz-cov seeds repro fuzz-libfuzzer bench-fuzz \
	fuzz-mutants fuzz-mutants-replay
# The exact pattern-rule targets: make keeps only those it is told of.
.PRECIOUS: $(foreach f,afl aflasan replay cov,$(FUZZ_B)/$(f)/%.o $(FUZZ_B)/$(f)/bin/%)
