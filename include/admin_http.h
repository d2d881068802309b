/*
 * admin_http.h - absencebox's admin interface, in the style of bearerbox's:
 * GET /status (text), /status.html, /status.xml and /metrics (Prometheus
 * text format), each with ?password=ADMIN-PASSWORD, serve the box's status
 * snapshot without touching the database; /suspend[?reason=WHY] and /resume
 * pause and resume all sending, written to the database (see pause.h). A
 * wrong or missing password gets 403 and an empty body. A client outside
 * admin-allow-ip is disconnected before anything it sent is read, and every
 * request is bounded in size, time and number (see bounded_http.h).
 */
#ifndef ABSENCE_ADMIN_HTTP_H
#define ABSENCE_ADMIN_HTTP_H

#include "box_status.h"
#include "config.h"

typedef struct AdminHttp AdminHttp;

/*
 * Serve CONFIG's admin-port from BOARD (not owned) in a thread of its own;
 * BEARERBOX is the "host:port" shown. NULL when admin-port is 0, or when the
 * port cannot be opened (logged as an error).
 */
AdminHttp *admin_http_start(const AbsenceConfig *config, BoxStatusBoard *board, Octstr *bearerbox);
void admin_http_stop(AdminHttp *admin);

#endif
