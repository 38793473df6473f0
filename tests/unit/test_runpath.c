/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_runpath.c - the call manager's socket and lock names, and the
 * shared route file's: every option that shapes the control connection
 * makes a name of its own. */
#include <arpa/inet.h>
#include <errno.h>

#include "pptp_quirks.h"
#include "runpath.h"
#include "test.h"
#include "util.h"

static char sock[108], lock[116];

static int name(const struct pptp_options *o)
{
	return runpath_socket_name(o, inet_addr("192.0.2.1"), 4026531840ul, sock, sizeof sock,
				   lock, sizeof lock);
}

static void defaults_name_only_the_server(void)
{
	struct pptp_options o;

	pptp_options_defaults(&o);
	CHECK_INT(name(&o), 0);
	CHECK_STR(sock, PPTP_RUN_DIR "/192.0.2.1-n4026531840");
	CHECK_STR(lock, PPTP_RUN_DIR "/192.0.2.1-n4026531840.lock");
}

static void connection_options_are_in_the_name(void)
{
	struct pptp_options o;

	pptp_options_defaults(&o);
	o.have_localbind = true;
	o.localbind = inet_addr("192.0.2.9");
	o.have_rtmark = true;
	o.rtmark = 7;
	CHECK_INT(name(&o), 0);
	CHECK_STR(sock, PPTP_RUN_DIR "/192.0.2.1-b192.0.2.9-m7-n4026531840");

	pptp_options_defaults(&o);
	o.idle_wait_s = 30;
	o.max_echo_wait_s = 20;
	o.connect_timeout_s = 5;
	o.quirk = pptp_quirk_find("BEZEQ_ISRAEL");
	o.nohostroute = true;
	CHECK(o.quirk != NULL);
	CHECK_INT(name(&o), 0);
	CHECK_STR(sock, PPTP_RUN_DIR "/192.0.2.1-i30-e20-t5-qBEZEQ_ISRAEL-R-n4026531840");
	CHECK_STR(lock, PPTP_RUN_DIR "/192.0.2.1-i30-e20-t5-qBEZEQ_ISRAEL-R-n4026531840.lock");
}

/* Options that only concern the gateway share a call manager. */
static void gateway_options_are_not(void)
{
	struct pptp_options o;

	pptp_options_defaults(&o);
	o.nolaunchpppd = o.sync = o.nobuffer = o.debug = true;
	o.timeout_us = 1000000;
	str_copy(o.phone, "5551234", sizeof o.phone);
	CHECK_INT(name(&o), 0);
	CHECK_STR(sock, PPTP_RUN_DIR "/192.0.2.1-n4026531840");
}

static void too_long_is_refused(void)
{
	struct pptp_options o;
	char s[20], l[30];

	pptp_options_defaults(&o);
	CHECK_INT(runpath_socket_name(&o, inet_addr("192.0.2.1"), 1, s, sizeof s, l, sizeof l),
		  -ENAMETOOLONG);
	/* The lock's name is the socket's and ".lock": it needs 5 more. */
	CHECK_INT(runpath_socket_name(&o, inet_addr("192.0.2.1"), 1, sock, sizeof sock, l,
				      strlen(PPTP_RUN_DIR "/192.0.2.1-n1") + 5), -ENAMETOOLONG);
	CHECK_INT(runpath_socket_name(&o, inet_addr("192.0.2.1"), 1, sock, sizeof sock, l,
				      strlen(PPTP_RUN_DIR "/192.0.2.1-n1") + 6), 0);
}

static void route_share_names_server_and_netns(void)
{
	char path[108], s[20];

	CHECK_INT(runpath_route_share(inet_addr("198.51.100.7"), 4026531840ul, path, sizeof path),
		  0);
	CHECK_STR(path, PPTP_RUN_DIR "/198.51.100.7-n4026531840.route");
	CHECK_INT(runpath_route_share(inet_addr("198.51.100.7"), 1, s, sizeof s), -ENAMETOOLONG);
}

/* --client-hostname: any bytes, so only their FNV-1a hash is in the name;
 * given at all (even empty) it is a call manager of its own. */
static void client_hostname_by_its_hash(void)
{
	struct pptp_options o;

	pptp_options_defaults(&o);
	o.have_client_hostname = true;
	str_copy(o.client_hostname, "a/b c\\d", sizeof o.client_hostname);
	CHECK_INT(name(&o), 0);
	CHECK_STR(sock, PPTP_RUN_DIR "/192.0.2.1-h689dc5e0-n4026531840");
	str_copy(o.client_hostname, "", sizeof o.client_hostname);
	CHECK_INT(name(&o), 0);
	CHECK_STR(sock, PPTP_RUN_DIR "/192.0.2.1-h811c9dc5-n4026531840");
	o.nohostroute = true;
	CHECK_INT(name(&o), 0);
	CHECK_STR(sock, PPTP_RUN_DIR "/192.0.2.1-R-h811c9dc5-n4026531840");
}

const struct test_case runpath_tests[] = {
	{ "defaults_name_only_the_server", defaults_name_only_the_server },
	{ "connection_options_are_in_the_name", connection_options_are_in_the_name },
	{ "gateway_options_are_not", gateway_options_are_not },
	{ "too_long_is_refused", too_long_is_refused },
	{ "client_hostname_by_its_hash", client_hostname_by_its_hash },
	{ "route_share_names_server_and_netns", route_share_names_server_and_netns },
	{ NULL, NULL },
};
