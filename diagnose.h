/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose.h - pptp --diagnose SERVER: the diagnosis fault tree, run by
 * the program itself, layer by layer, without pppd. */
#ifndef PPTP_DIAGNOSE_H
#define PPTP_DIAGNOSE_H

#include "pptp_options.h"

/* Run the steps (name resolution, TCP to port 1723, control connection,
 * outgoing call, GRE both ways, the path MTU, clean teardown), printing
 * each step's result to stdout and, at the first failing layer, the likely
 * cause and the fix; stop there.  Returns the exit status naming the
 * layer (the verdict's cause through pptp_exit_for_reason): PPTP_EXIT_OK,
 * _RESOLVE, _CONNECT, _CTRL_REFUSED, _CALL_REFUSED, _SERVER_ENDED (the
 * server hung up right after accepting), _GRE_BLOCKED, _PATH_MTU (an MTU
 * black hole), _NO_PPPD, _NO_KERNEL_PPP, _NO_MPPE, _PPPD (only a pppd root
 * must not run), or _FAILURE for a local problem or an interruption. */
int diagnose_run(const struct pptp_options *o);

#endif
