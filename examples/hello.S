/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hello over a PL011 UART, then PSCI SYSTEM_OFF.
 *
 *   gunyahctl run --uart 0x09000000 build/examples/hello.elf
 *
 * For each character the guest polls the UART's flag register until the
 * transmit FIFO has room (an MMIO read), then writes the data register
 * (an MMIO write): two exits per byte, then one STATUS exit.
 */
#include "guest.h"

#define UART_DR		0x00
#define UART_FR		0x18
#define UART_FR_TXFF	5	/* bit: transmit FIFO full */

	.text
	.global _start
_start:
	li	x1, UART_BASE
	adr	x2, message
next:
	ldrb	w3, [x2], #1
	cbz	w3, done
wait:
	ldr	w4, [x1, #UART_FR]
	tbnz	w4, #UART_FR_TXFF, wait
	str	w3, [x1, #UART_DR]
	b	next
done:
	system_off
	b	.

message:
	.asciz	"Hello, Gunyah!\n"
