# Tiny freestanding test kernels and the tools around them; see
# tests/guests/README.md.  Included by the top-level Makefile, which
# defines CC and BUILD and declares `guests` phony.

GUEST_SRC	:= tests/guests
GUEST_BIN	:= tests/guests/bin
GUEST_OBJ	:= $(BUILD)/tests/guests
GUEST_OBJCOPY	?= objcopy
GUEST_NM	?= nm

# Kernel UAPI headers (asm/bootparam.h).  The -m32 build would look for
# asm/ in the i386 multiarch directory, which linux-libc-dev on amd64
# does not provide; the structures are the same for both.
GUEST_UAPI	?= /usr/include/x86_64-linux-gnu

# The guests do not use the launcher's CFLAGS: they are freestanding,
# must not touch SSE/x87 state, and have no red zone or stack protector.
GUEST_CFLAGS	:= -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP \
		   -ffreestanding -fno-stack-protector -fno-common \
		   -mno-red-zone -mgeneral-regs-only -fcf-protection=none \
		   -fno-asynchronous-unwind-tables -fno-unwind-tables \
		   -I$(GUEST_SRC) -isystem $(GUEST_UAPI)
GUEST_CFLAGS_64	:= -m64 -fpie
GUEST_CFLAGS_32	:= -m32 -march=i686 -fno-pic -fno-pie
GUEST_LDFLAGS	:= -nostdlib -static -no-pie -Wl,--build-id=none \
		   -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack

GUEST_OUTPUTS	:= $(GUEST_BIN)/guest64.elf $(GUEST_BIN)/guest32.elf \
		   $(GUEST_BIN)/guest.bzImage $(GUEST_BIN)/lgexit

guests: $(GUEST_OUTPUTS)

# The C body is built twice: 64-bit (ELF64 and bzImage) and 32-bit (ELF32).
GUEST_C		:= common virtio virtio_actions virtio_hostile emulate_actions \
		   virtio_net_actions virtio_blk_more virtio_fs_actions
# The SMP actions are 64-bit only: their trampoline goes to long mode.
GUEST_C_OBJS_64	:= $(GUEST_C:%=$(GUEST_OBJ)/64/%.o) \
		   $(GUEST_OBJ)/64/smp_actions.o $(GUEST_OBJ)/smp_trampoline.o
GUEST_C_OBJS_32	:= $(GUEST_C:%=$(GUEST_OBJ)/32/%.o)

$(GUEST_OBJ)/64/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_64) -c -o $@ $<

$(GUEST_OBJ)/32/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_32) -c -o $@ $<

# head64.S is the same code for both 64-bit images; only the banner differs.
$(GUEST_OBJ)/head64-elf64.o: $(GUEST_SRC)/head64.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_64) -D__ASSEMBLY__ \
		-DFLAVOUR='"elf64"' -c -o $@ $<

$(GUEST_OBJ)/head64-bzimage.o: $(GUEST_SRC)/head64.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_64) -D__ASSEMBLY__ \
		-DFLAVOUR='"bzImage"' -c -o $@ $<

$(GUEST_OBJ)/smp_trampoline.o: $(GUEST_SRC)/smp_trampoline.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_64) -D__ASSEMBLY__ -c -o $@ $<

$(GUEST_OBJ)/head32.o: $(GUEST_SRC)/head32.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_32) -D__ASSEMBLY__ -c -o $@ $<

$(GUEST_BIN)/guest64.elf: $(GUEST_OBJ)/head64-elf64.o $(GUEST_C_OBJS_64) \
			  $(GUEST_SRC)/guest64.ld
	@mkdir -p $(dir $@)
	$(CC) -m64 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/guest64.ld -o $@ \
		$(filter %.o,$^)

$(GUEST_BIN)/guest32.elf: $(GUEST_OBJ)/head32.o $(GUEST_C_OBJS_32) \
			  $(GUEST_SRC)/guest32.ld
	@mkdir -p $(dir $@)
	$(CC) -m32 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/guest32.ld -o $@ \
		$(filter %.o,$^)

# The bzImage: the 64-bit guest flattened, wrapped in a setup header.
$(GUEST_OBJ)/bzpayload.elf: $(GUEST_OBJ)/head64-bzimage.o \
			    $(GUEST_C_OBJS_64) $(GUEST_SRC)/guest64.ld
	@mkdir -p $(dir $@)
	$(CC) -m64 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/guest64.ld -o $@ \
		$(filter %.o,$^)

$(GUEST_OBJ)/bzpayload.bin: $(GUEST_OBJ)/bzpayload.elf
	$(GUEST_OBJCOPY) -O binary $< $@

$(GUEST_OBJ)/mkbzimage: $(GUEST_SRC)/mkbzimage.c $(GUEST_SRC)/guest.h \
			 tests/lib/mock_kernel.c tests/lib/mock_kernel.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(GUEST_SRC) -Itests/lib -o $@ $< tests/lib/mock_kernel.c

# init_size comes from the linker script's _image_size (.bss and stack too).
$(GUEST_BIN)/guest.bzImage: $(GUEST_OBJ)/bzpayload.bin \
			    $(GUEST_OBJ)/bzpayload.elf $(GUEST_OBJ)/mkbzimage
	@mkdir -p $(dir $@)
	size=$$($(GUEST_NM) $(GUEST_OBJ)/bzpayload.elf | \
		awk '$$3 == "_image_size" { print "0x" $$1 }') && \
	test -n "$$size" && \
	$(GUEST_OBJ)/mkbzimage -a 0x1000000 -i $$size $< $@

# A Linux userspace program for real guests' initramfs images.
$(GUEST_BIN)/lgexit: $(GUEST_SRC)/lgexit.c $(GUEST_SRC)/guest.h
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -Wall -Wextra -Werror -I$(GUEST_SRC) -o $@ $<

.PHONY: guests
