# Benchmarks: programs that print figures.  `make bench` runs them.
$(BUILD)/bench/startup: bench/startup.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

$(BUILD)/bench/bare_kvm: bench/bare_kvm.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

$(BUILD)/bench/trivial_guest.elf: bench/trivial_guest.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -nostdlib -static -Wl,-Ttext=0x200000 -Wl,--section-start=.note.Xen=0x200100 -Wl,--build-id=none -o $@ $<

$(BUILD)/bench/vring_bench: bench/vring_bench.c $(TESTLIB) $(BUILD)/liblguest.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilauncher -Itests/lib -o $@ $< $(TESTLIB) $(BUILD)/liblguest.a $(LDLIBS)

bench: $(BUILD)/bench/vring_bench bin/lguest $(BUILD)/bench/startup $(BUILD)/bench/bare_kvm $(BUILD)/bench/trivial_guest.elf
	bench/run-startup.sh
	$(BUILD)/bench/vring_bench
	bench/run-callgrind.sh

# The real-kernel boot, five times (about a minute on the nested runner).
bench-boot: bin/lguest bin/lguest-static bin/lgtest
	CACHE=$(CACHE) bench/run-boot-compare.sh

# Where a boot's time goes: milestones and --stats, lguest beside QEMU -M pc.
bench-boot-profile: bin/lguest-static
	CACHE=$(CACHE) bench/run-boot-profile.sh

# Block I/O of a Linux guest, lguest beside QEMU in the nested host, then
# the seccomp filters' cost per system call of a block queue thread.
$(BUILD)/bench/sandbox_bench: bench/sandbox_bench.c $(BUILD)/liblguest.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilauncher -o $@ $< $(BUILD)/liblguest.a $(LDLIBS)

# The system calls the thread roles allow, together (what any thread can
# in effect do), listed from the compiled filters.
$(BUILD)/bench/sandbox_union: bench/sandbox_union.c $(BUILD)/liblguest.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilauncher -o $@ $< $(BUILD)/liblguest.a $(LDLIBS)

sandbox-union: $(BUILD)/bench/sandbox_union
	$(BUILD)/bench/sandbox_union

bench-blk: bin/lguest-static $(BUILD)/bench/sandbox_bench
	CACHE=$(CACHE) bench/run-blk.sh
	$(BUILD)/bench/sandbox_bench

# Block I/O of a test guest on this machine's /dev/kvm (figures mostly exit cost).
bench-blk-guest: bin/lguest guests
	bench/run-blk-guest.sh

.PHONY: bench bench-boot bench-boot-profile bench-blk bench-blk-guest sandbox-union

# lgtest's overhead and tests/min (--jobs 1 and 2) beside a plain QEMU loop.
bench-harness: bin/lgtest bin/lguest bin/lguest-static
	CACHE=$(CACHE) bench/run-harness.sh

.PHONY: bench-harness

# The instruction emulator: library throughput, then MMIO stores end to end.
$(BUILD)/bench/emulate_bench: bench/emulate_bench.c tests/unit/emu_machine.h $(BUILD)/liblguest.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilauncher -Itests/unit -o $@ $< $(BUILD)/liblguest.a $(LDLIBS)

bench-emulate: $(BUILD)/bench/emulate_bench $(BUILD)/bench/startup bin/lguest guests
	bench/run-emulate.sh

.PHONY: bench-emulate

# lgtest's crash titles against syzkaller's, on real kernel console logs
# (HALF=even|odd for one half, VERBOSE=1 for every miss), then classify's
# speed and memory on large inputs.
bench-crash: bin/lgtest
	bench/crash-score.sh
	bench/classify-speed.sh

.PHONY: bench-crash

# SMP boots, 1 to 8 CPUs, lguest beside QEMU -smp in one nested host.
bench-smp: bin/lguest-static
	CACHE=$(CACHE) bench/run-smp.sh

.PHONY: bench-smp

# virtio-fs through lgtest: exec round trip and a 256 MiB read through a
# share, per runner side by side (RUNNERS, default "qemu lguest").
bench-fs: bin/lgtest bin/lguest
	CACHE=$(CACHE) bench/run-fs.sh $(or $(RUNNERS),qemu lguest)

# The same inside one nested host, both runners on its KVM, one vCPU each.
bench-fs-nested: bin/lgtest bin/lguest
	NESTED=1 CACHE=$(CACHE) bench/run-fs.sh $(or $(RUNNERS),qemu lguest)

.PHONY: bench-fs bench-fs-nested
