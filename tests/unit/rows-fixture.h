/* rows-fixture.h
 * A small registry for the unit tests, independent of data/apple-ports.csv.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_ROWS_FIXTURE_H
#define TESTS_ROWS_FIXTURE_H

#include "port-row.h"

#define ROW(lo, hi, tr, reg, lc, unreg, svc, iana)                                                 \
    {                                                                                              \
        .port_lo = (lo), .port_hi = (hi), .transport = (tr), .registration = (reg),                \
        .lifecycle = (lc), .unregistered_use = (unreg), .service = (svc), .iana_name = (iana),     \
        .iana_description = "", .used_by = "", .last_seen_in = "", .expected = "", .rfc = "",      \
        .sources = "test", .note = ""                                                              \
    }

#define T AL_TRANSPORT_TCP
#define U AL_TRANSPORT_UDP

static const al_row_t fixture_rows[] = {
    ROW(80, 80, T, AL_REG_STANDARD, AL_LC_CURRENT, false, "HTTP", "http"),
    ROW(443, 443, T, AL_REG_STANDARD, AL_LC_CURRENT, false, "HTTPS", "https"),
    ROW(500, 500, U, AL_REG_STANDARD, AL_LC_DISCONTINUED, false, "ISAKMP/IKE", "isakmp"),
    ROW(500, 500, U, AL_REG_STANDARD, AL_LC_CURRENT, false, "Wi-Fi Calling", "isakmp"),
    ROW(600, 1023, T, AL_REG_MIXED, AL_LC_DISCONTINUED, false, "RPC services", ""),
    ROW(625, 625, T, AL_REG_OTHER, AL_LC_DISCONTINUED, true, "DSProxy", "dec-dlm"),
    ROW(660, 660, T, AL_REG_APPLE, AL_LC_DISCONTINUED, false, "Server Admin", "mac-srvr-admin"),
    ROW(985, 985, T, AL_REG_UNASSIGNED, AL_LC_DISCONTINUED, false, "NetInfo", ""),
    ROW(3283, 3283, U, AL_REG_APPLE, AL_LC_CURRENT, false, "Net Assistant", "net-assistant"),
    ROW(5009, 5009, T, AL_REG_OTHER, AL_LC_LEGACY, true, "AirPort Admin", "winfs"),
    ROW(5223, 5223, T, AL_REG_OTHER, AL_LC_DISCONTINUED, false, "iChat server SSL", "hpvirtgrp"),
    ROW(5223, 5223, T, AL_REG_OTHER, AL_LC_CURRENT, false, "APNS", "hpvirtgrp"),
    ROW(3284, 3284, T, AL_REG_OTHER, AL_LC_CURRENT, false, "Classroom", "4talk"),
    ROW(8000, 8999, T, AL_REG_MIXED, AL_LC_CURRENT, false, "Web service", ""),
    ROW(8080, 8080, T, AL_REG_STANDARD, AL_LC_CURRENT, false, "Apache alternate", "http-alt"),
    ROW(42000, 42999, T, AL_REG_MIXED, AL_LC_DISCONTINUED, false, "iTunes Radio", ""),
    ROW(49152, 65535, T, AL_REG_UNASSIGNED, AL_LC_CURRENT, false, "Xsan", ""),
    ROW(50003, 50003, T, AL_REG_UNASSIGNED, AL_LC_CURRENT, false, "FileMaker", ""),
};
#define N_FIXTURE (sizeof(fixture_rows) / sizeof(fixture_rows[0]))

#endif /* TESTS_ROWS_FIXTURE_H */
