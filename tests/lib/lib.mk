# tests/lib: what unit tests, fuzz targets, seed generators and benches
# share (the fake platform, the mock driver of rings, virtio-pci and
# kernel images), compiled once into a library per compiler: here with
# $(CC); fuzz.mk builds it again in each fuzz flavour.
TESTLIB_SRCS := $(wildcard tests/lib/*.c)
TESTLIB      := $(BUILD)/tests/lib/libtestlib.a

$(TESTLIB): $(TESTLIB_SRCS:%.c=$(BUILD)/%.o)
	$(AR) rcs $@ $^
