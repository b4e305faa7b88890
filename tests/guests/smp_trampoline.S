/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The APs' way in, for the SMP actions (smp_actions.c): a SIPI starts an
 * AP in real mode at SMP_TRAMPOLINE_BASE (CS = base >> 4, IP = 0), so
 * the BSP copies these bytes there and fills in the slots at the end.
 * The AP goes straight to long mode on the BSP's page tables (PAE, CR3,
 * EFER.LME, then PE and PG together), takes a ticket with LOCK XADD,
 * picks its stack by the ticket and calls the C entry with it.
 * Everything is addressed from the fixed base, so it runs only there.
 */
#include "guest.h"

#define TR(sym)	(SMP_TRAMPOLINE_BASE + (sym) - smp_trampoline_start)

	.section .rodata
	.balign	16
	.globl	smp_trampoline_start
	.code16
smp_trampoline_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	tr_gdtr - smp_trampoline_start
	movl	%cr4, %eax
	orl	$0x20, %eax			/* PAE */
	movl	%eax, %cr4
	movl	tr_cr3 - smp_trampoline_start, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx		/* EFER */
	rdmsr
	orl	$0x100, %eax			/* LME */
	wrmsr
	movl	%cr0, %eax
	andl	$0x9fffffff, %eax		/* caches on: CD, NW clear */
	orl	$0x80000001, %eax		/* PG, PE */
	movl	%eax, %cr0
	ljmpl	$0x08, $TR(tr_long)

	.code64
tr_long:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	$1, %eax
	lock xaddl %eax, TR(tr_ticket)
	movl	%eax, %edi			/* the C entry's argument */
	leal	1(%rax), %ecx
	imulq	$SMP_AP_STACK, %rcx
	movq	TR(tr_stacks), %rsp
	addq	%rcx, %rsp
	movq	TR(tr_entry), %rax
	call	*%rax
1:	cli
	hlt
	jmp	1b

	.balign	8
tr_gdt:
	.quad	0
	.quad	0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff		/* 0x10: data */
tr_gdtr:
	.word	3 * 8 - 1
	.long	TR(tr_gdt)

/* Filled in by the BSP. */
	.balign	8
	.globl	smp_tr_cr3, smp_tr_entry, smp_tr_stacks, smp_tr_ticket
smp_tr_cr3:
tr_cr3:
	.quad	0
smp_tr_entry:
tr_entry:
	.quad	0
smp_tr_stacks:
tr_stacks:
	.quad	0
smp_tr_ticket:
tr_ticket:
	.long	0
	.globl	smp_trampoline_end
smp_trampoline_end:

	.section .note.GNU-stack, "", @progbits
