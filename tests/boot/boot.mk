# Real-kernel boot tests, included by the top Makefile.
# `make boot` (the README's main job) boots Debian's cloud kernel under the launcher: directly
# on hardware KVM, else inside the nested QEMU host (tests/boot/nested.sh).
# The first run downloads the kernel into $(CACHE) (ci/fetch-kernel.sh).
# Options go through the environment, e.g. LGUEST_RUNNER=nested (else
# bin/lgtest kvm-probe decides).

BOOT_TEST_FLAGS ?=

boot: bin/lguest bin/lguest-static bin/lgtest
	CACHE=$(CACHE) tests/boot/real-kernel.sh $(BOOT_TEST_FLAGS)

.PHONY: boot
