# Integration tests: boot the test guests under bin/lguest and check exit
# statuses and console output (see test_guests.c).  Included by the
# top-level Makefile; run build/tests/integration/test_guests from the
# repository root once bin/lguest and the guests are built.

# Deferred (=), so pkg-config only runs when the test is actually built.
INTEG_CHECK_CFLAGS = $(shell pkg-config --cflags check)
INTEG_CHECK_LIBS = $(shell pkg-config --libs check)

# -Itests/guests for guest.h: the statuses and disk data the guests use.
$(BUILD)/tests/integration/test_guests: tests/integration/test_guests.c launcher/exit_status.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INTEG_CHECK_CFLAGS) -Ilauncher -Itests/guests -o $@ $< $(INTEG_CHECK_LIBS)

# Least privilege, checked in /proc (see test_sandbox.c; run as root).
$(BUILD)/tests/integration/test_sandbox: tests/integration/test_sandbox.c launcher/exit_status.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INTEG_CHECK_CFLAGS) -Ilauncher -o $@ $< $(INTEG_CHECK_LIBS)

# The launcher's vhost-user client against Debian's virtiofsd, host side.
$(BUILD)/tests/integration/test_vhost_user: tests/integration/test_vhost_user.c $(BUILD)/liblguest.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INTEG_CHECK_CFLAGS) -Ilauncher -o $@ $< $(BUILD)/liblguest.a $(INTEG_CHECK_LIBS)

INTEG_BINS := $(addprefix $(BUILD)/tests/integration/,test_guests test_sandbox \
		test_vhost_user)

# The test binaries and the guests they boot; bin/lguest is the launcher's.
integration-tests: $(INTEG_BINS) guests bin/lguest

.PHONY: integration-tests
