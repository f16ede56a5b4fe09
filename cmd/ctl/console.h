/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attach --console: a named VM's guest console on this terminal.  The
 * console lines of the VM's attach stream go to standard output as they
 * are; what is typed goes to the UART's receive side through
 * console-input requests (ctl/proto.h), one at a time.  With a terminal
 * on standard input it is raw, restored on every way out, and Ctrl-]
 * (run's console escape) detaches: the VM runs on.  Otherwise standard
 * input is read to its end and the output shown until the VM ends.
 */
#ifndef GCTL_CTL_CONSOLE_H
#define GCTL_CTL_CONSOLE_H

/* An exit status: the VM's when it ended, 0 when detached. */
int gctl_attach_console(const char *cmd, const char *name);

#endif /* GCTL_CTL_CONSOLE_H */
