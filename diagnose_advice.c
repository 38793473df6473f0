/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diagnose_advice.c - what --diagnose tells a person to do, for the
 * verdicts whose words do not depend on what was found (see diagnose.c). */
#include "diagnose_advice.h"

#include "pptp_wire.h"

const char *diag_ctrl_result_advice(unsigned result)
{
	switch (result) {
	case PPTP_SCCRP_EXISTS:
		return "The server already has a control connection from this address. Another "
		       "PPTP tunnel runs from this machine, or from another machine sharing its "
		       "public address behind the same NAT router; many servers take only one "
		       "per address. End the other tunnel, or wait a minute for the server to "
		       "drop a stale one, and try again.";
	case PPTP_SCCRP_NOT_AUTHORIZED:
		return "The server does not accept PPTP from this machine's address: an access "
		       "list or policy on the server excludes it. Its administrator can say "
		       "which addresses are allowed.";
	case PPTP_SCCRP_BAD_VERSION:
		return "The server does not speak PPTP version 1.0, the only version there is: "
		       "it is probably not a PPTP server, or a broken one.";
	default:
		return "The server answered as a PPTP server and said no, without a specific "
		       "reason. Its own log says why (its connection limit, its configuration).";
	}
}

const char *diag_call_result_advice(unsigned result)
{
	switch (result) {
	case PPTP_OCRP_BUSY:
	case PPTP_OCRP_NO_CARRIER:
	case PPTP_OCRP_NO_DIAL_TONE:
		return "The server has no free line for the call: all its ports or its address "
		       "pool are in use, or it limits calls per user. Try again later, or ask its "
		       "administrator to raise the limit.";
	case PPTP_OCRP_NOT_ACCEPTED:
		return "The server will not take calls from us: a policy on the server refuses "
		       "this client. Its administrator can say why.";
	case PPTP_OCRP_TIMEOUT:
		return "The server gave up placing the call: it is overloaded, or the device "
		       "behind it (a modem in PPTP mode) did not answer. Some of those need the "
		       "right --phone number.";
	default:
		return "The server declined the call without a specific reason; its log says "
		       "why. Some servers (modems in PPTP mode) need a --phone number.";
	}
}

/* No GRE back at all: every place on the way, either direction. */
const char *const diag_gre_blocked_advice =
	"The control connection and the call work, so TCP port 1723 gets through. PPTP "
	"carries the tunnel itself in GRE, IP protocol 47, which is neither TCP nor UDP: "
	"firewalls and NAT routers that pass the control connection often stop it. Look "
	"at each place on the way:\n"
	"- this machine: allow GRE in, e.g. 'nft add rule inet filter input meta l4proto "
	"gre accept' or 'iptables -I INPUT -p gre -j ACCEPT';\n"
	"- a NAT router between you and the server (home or office): turn on its PPTP "
	"passthrough (or VPN passthrough). Many routers pass only one PPTP tunnel at a "
	"time from the network behind them: end any other. On a Linux NAT gateway, load "
	"the PPTP connection tracking helper ('modprobe nf_conntrack_pptp') and forward "
	"protocol 47;\n"
	"- the server's side: its firewall must allow protocol 47 both ways. A server "
	"that cannot start its PPP daemon for the call sends no GRE either: its log "
	"tells.\n"
	"'tcpdump -ni any ip proto 47' on this machine while this runs shows GRE leaving "
	"and nothing coming back.";

/* The server's GRE arrives, ours shows no sign of arriving: the places on
 * the way out, nearest first. */
const char *const diag_gre_outbound_advice =
	"GRE from the server reaches this machine, so the way in is open. The way out is "
	"not: the server acknowledged none of our GRE packets and its PPP never answered "
	"our LCP Configure-Request (a PPP that hears nothing keeps repeating its own "
	"request, as this one did). A tunnel in this state comes up on neither side, and "
	"pppd ends with 'LCP: timeout sending Config-Requests'. Look at each place on the "
	"way from here to the server:\n"
	"- this machine's output firewall: allow GRE out, e.g. 'nft add rule inet filter "
	"output meta l4proto gre accept' or 'iptables -I OUTPUT -p gre -j ACCEPT';\n"
	"- a NAT router on the way: its PPTP passthrough (or VPN passthrough) must be on, "
	"and on a Linux NAT gateway the PPTP connection tracking helper ('modprobe "
	"nf_conntrack_pptp'), which is what maps our outgoing GRE to the call; many "
	"routers pass only one PPTP tunnel at a time from the network behind them;\n"
	"- the server's input firewall: it must accept protocol 47 from this address, "
	"e.g. 'iptables -I INPUT -p gre -j ACCEPT' on a Linux server.\n"
	"'tcpdump -ni any ip proto 47' on the server while this runs shows whether our "
	"GRE arrives there.";

const char *const diag_ppp_advice =
	"The trouble is above these layers, in PPP: authentication (the user name, "
	"with the domain part the server may want, the password in chap-secrets, "
	"remotename) or "
	"encryption (require-mppe-128 needs MPPE in the kernel and on the server). "
	"pppd's 'debug' option logs each step of the negotiation.";
