/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose_advice.h - the advice of --diagnose's verdicts, in words. */
#ifndef PPTP_DIAGNOSE_ADVICE_H
#define PPTP_DIAGNOSE_ADVICE_H

/* A Start-Control-Connection-Reply's result code (PPTP_SCCRP_*) that
 * refuses, and what to do about it. */
const char *diag_ctrl_result_advice(unsigned result);
/* The same for an Outgoing-Call-Reply's (PPTP_OCRP_*). */
const char *diag_call_result_advice(unsigned result);
/* Step 6: no GRE came back at all. */
extern const char *const diag_gre_blocked_advice;
/* Step 6: the server's GRE arrives, nothing shows that ours reach it. */
extern const char *const diag_gre_outbound_advice;
/* Every layer works: where the trouble is then. */
extern const char *const diag_ppp_advice;

#endif
