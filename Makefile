# lguest: the launcher, its tests, harness and fuzzers.  See README.md.

CC	?= gcc
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -MMD -MP
LDLIBS	+= -lpthread

BUILD	:= build
CACHE	?= $(CURDIR)/.cache

# The launcher library: everything but main.c, shared with the unit tests
# and (later) the fuzz targets, so they test the very objects bin/lguest runs.
LIB_SRCS := $(filter-out launcher/main.c,$(wildcard launcher/*.c launcher/x86/*.c launcher/devices/*.c launcher/virtio/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)

all: bin/lguest guests

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilauncher -c -o $@ $<

$(BUILD)/liblguest.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

bin/lguest: $(BUILD)/launcher/main.o $(BUILD)/liblguest.a
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# A statically linked launcher, for the nested test host's initramfs.
static: bin/lguest-static
bin/lguest-static: $(BUILD)/launcher/main.o $(BUILD)/liblguest.a
	@mkdir -p bin
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDLIBS)

include tests/lib/lib.mk
include tests/guests/guests.mk
include tests/integration/integration.mk
include tests/unit/unit.mk
include tests/boot/boot.mk
include bench/bench.mk
include harness/harness.mk
include fuzz/fuzz.mk

test: all static unit-tests integration-tests guests fuzz fuzz-libfuzzer
	CACHE=$(CACHE) tests/run-all.sh

# The test programs tests/run-all.sh runs, one "KIND PATH" a line: only
# those built from sources that exist, not whatever lies in build/.
list-suites:
	@printf 'unit %s\n' $(UNIT_BINS) $(HARNESS_UNIT_BINS)
	@printf 'integration %s\n' $(INTEG_BINS) $(HARNESS_E2E_BINS)

clean:
	rm -rf $(BUILD) bin tests/guests/bin

.PHONY: all static test clean guests list-suites
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
