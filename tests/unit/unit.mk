# Unit tests (libcheck): one program per library area, all linked against
# the same liblguest.a that bin/lguest uses.
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:%.c=$(BUILD)/%)

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit_helpers.h $(TESTLIB) $(BUILD)/liblguest.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -Ilauncher -Itests/lib -Itests/unit -o $@ $< $(TESTLIB) $(BUILD)/liblguest.a $(CHECK_LIBS) $(LDLIBS)

# vm_emulate_failure() against a stand-in vCPU: its ioctls are the test's.
$(BUILD)/tests/unit/test_kvm_emulate: LDLIBS += -Wl,--wrap=ioctl

unit-tests: $(UNIT_BINS)

.PHONY: unit-tests
