/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry code for the 64-bit guests: the ELF64 kernel enters at
 * startup_64, and the same layout is the bzImage's protected-mode
 * payload, where the boot protocol puts the 32-bit entry at offset 0
 * and the 64-bit entry at offset 0x200.  FLAVOUR names the build.
 */
#include <asm/bootparam.h>
#include "guest.h"

	.section .head.text, "ax"

/*
 * The 32-bit entry.  These guests only do long mode, so say so and
 * stop with a status of its own.  There is no stack here and no way to
 * find our own address without one, so the message is only right when
 * we were loaded at the link address (which is what the launcher does).
 */
	.code32
	.globl	startup_32
startup_32:
	cli
	movl	$no32_msg, %esi
1:	movb	(%esi), %al
	testb	%al, %al
	jz	3f
	movw	$(GUEST_UART_BASE + 5), %dx
2:	inb	%dx, %al
	testb	$0x20, %al
	jz	2b
	movb	(%esi), %al
	movw	$GUEST_UART_BASE, %dx
	outb	%al, %dx
	incl	%esi
	jmp	1b
3:	movb	$GUEST_EXIT_NO_32BIT, %al
	outb	%al, $GUEST_EXIT_PORT
4:	hlt
	jmp	4b

/* Boot protocol 2.15 kernel_info; mkbzimage points the header at it. */
	.org	GUEST_KERNEL_INFO_OFFSET
kernel_info:
	.ascii	"LToP"
	.long	kernel_info_end - kernel_info
	.long	kernel_info_end - kernel_info
	.long	SETUP_TYPE_MAX
kernel_info_end:

/*
 * The 64-bit entry: long mode, flat segments, interrupts off, RSI the
 * zero page, and no stack we may use.  Everything is RIP-relative, so
 * this works wherever we were loaded.  The .bss is cleared by hand
 * because a bzImage loader need not zero it, and the stack lives there.
 */
	.org	0x200
	.code64
	.globl	startup_64
startup_64:
	cli
	cld
	leaq	__bss_start(%rip), %rdi
	leaq	_end(%rip), %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep stosb
	leaq	stack_top(%rip), %rsp
	movq	%rsi, %rdi
	leaq	flavour(%rip), %rsi
	call	guest_main
5:	hlt
	jmp	5b

	.section .rodata
no32_msg:
	.asciz	"FAIL: 32-bit entry not supported\r\n"
flavour:
	.asciz	FLAVOUR

	.section .bss
	.balign	16
stack:
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
