/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry code for the ELF32 guest: flat 32-bit protected mode, paging
 * off, interrupts off, ESI the zero page and no stack we may use.
 */
#include "guest.h"

	.section .head.text, "ax"
	.code32
	.globl	startup_32
startup_32:
	cli
	cld
	/* The ELF loader zeroes .bss, but the stack must not rely on it. */
	movl	$__bss_start, %edi
	movl	$_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb
	/* Keep the i386 ABI's 16-byte alignment at the call. */
	movl	$stack_top, %esp
	subl	$8, %esp
	pushl	$flavour
	pushl	%esi
	call	guest_main
1:	hlt
	jmp	1b

	.section .rodata
flavour:
	.asciz	"elf32"

	.section .bss
	.balign	16
stack:
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
