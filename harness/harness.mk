# lgtest, the boot-test harness (harness/), and its tests.  Included by
# the top-level Makefile.  The harness library (everything but main.c) is
# shared by bin/lgtest and the unit tests, as liblguest.a is.
# share_virtiofsd.c binds the qemu supervisor to the launcher's virtiofsd
# code: bin/lgtest only, so the library needs no liblguest.a.
HARNESS_MAIN := harness/main.c harness/share_virtiofsd.c
HARNESS_SRCS := $(filter-out $(HARNESS_MAIN),$(wildcard harness/*.c))
# The exit-status and device tables are the launcher's, shared.
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/launcher/exit_status.o \
		$(BUILD)/launcher/device_table.o

$(BUILD)/libharness.a: $(HARNESS_OBJS)
	$(AR) rcs $@ $^

bin/lgtest: $(HARNESS_MAIN:%.c=$(BUILD)/%.o) $(BUILD)/libharness.a $(BUILD)/liblguest.a
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ -lm -lpthread

all: bin/lgtest

# tests/harness holds two kinds of test, told apart by these lists (not
# by file name): unit tests of the harness library, and lgtest end to
# end on the test guests.  A new file goes in one of them.
HARNESS_UNIT_TESTS := crash expect hang ktap report run schedule script
HARNESS_E2E_TESTS  := guests outputs parallel

# The unit tests' binaries go beside the launcher's in build/tests/unit/.
HARNESS_UNIT_SRCS := $(HARNESS_UNIT_TESTS:%=tests/harness/test_lgtest_%.c)
HARNESS_UNIT_BINS := $(HARNESS_UNIT_SRCS:tests/harness/%.c=$(BUILD)/tests/unit/%)
HARNESS_CHECK_CFLAGS = $(shell pkg-config --cflags check)
HARNESS_CHECK_LIBS = $(shell pkg-config --libs check)

$(HARNESS_UNIT_BINS): $(BUILD)/tests/unit/%: tests/harness/%.c tests/harness/harness_test.h $(BUILD)/libharness.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(HARNESS_CHECK_CFLAGS) -Iharness -Itests/harness -Itests/unit -Itests/lib -Ilauncher -o $@ $< $(BUILD)/libharness.a $(HARNESS_CHECK_LIBS) -lm -lpthread

unit-tests: $(HARNESS_UNIT_BINS)

# lgtest end to end on the test guests (tests/harness/lgtest_*.c, each a
# program test_lgtest_*); tests/run-all.sh runs them with the other
# integration tests (they need /dev/kvm).
HARNESS_E2E_SRCS := $(HARNESS_E2E_TESTS:%=tests/harness/lgtest_%.c)
HARNESS_E2E_BINS := $(HARNESS_E2E_SRCS:tests/harness/lgtest_%.c=$(BUILD)/tests/integration/test_lgtest_%)

$(HARNESS_E2E_BINS): $(BUILD)/tests/integration/test_lgtest_%: tests/harness/lgtest_%.c tests/harness/harness_test.h tests/harness/lgtest_cli.h $(BUILD)/libharness.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(HARNESS_CHECK_CFLAGS) -Iharness -Itests/harness -Itests/unit -Itests/lib -Ilauncher -o $@ $< $(BUILD)/libharness.a $(HARNESS_CHECK_LIBS) -lm -lutil -lpthread

integration-tests: $(HARNESS_E2E_BINS) bin/lgtest
