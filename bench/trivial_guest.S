/*
 * The trivial guest for startup benchmarks: write 0 to port 0xF4 at once.
 * A 32-bit ELF, so bin/lguest enters it in flat protected mode; the Xen
 * PVH note lets QEMU's microvm boot the very same file with -kernel, and
 * QEMU's isa-debug-exit device at 0xF4 ends QEMU there too.
 */
	.code32
	.section .text
	.globl _start
_start:
	movb $0, %al
	outb %al, $0xf4
1:	cli
	hlt
	jmp 1b

	.section .note.Xen, "a"
	.align 4
	.long 4			/* name size: "Xen\0" */
	.long 4			/* descriptor size */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long _start
