/*
 * bounded_http.h - a small HTTP/1.x server for the admin interface whose
 * every input is bounded, so that no client can make it use much memory or
 * CPU, or keep others out. gwlib's http_accept_request() reads a whole
 * request, of any size and at any pace, before its caller can look at who
 * sent it; this server instead, in one thread of its own:
 *
 *   - closes, without reading a byte, a connection from an address outside
 *     the allowed list (logged at most once a minute, with a count);
 *   - answers 503 and closes when BOUNDED_HTTP_MAX_CLIENTS connections are
 *     already open;
 *   - answers 431 when the request line and headers exceed
 *     BOUNDED_HTTP_MAX_HEAD_BYTES, and 408 when they have not all arrived
 *     BOUNDED_HTTP_HEAD_TIMEOUT_S after the connection was accepted;
 *   - serves GET and HEAD only: another method gets 405, a request that
 *     announces a body 413, a malformed request line 400, and no body is
 *     ever read;
 *   - answers one request per connection (Connection: Close).
 *
 * After its reply a connection has BOUNDED_HTTP_LINGER_S to close its end:
 * what it still sends meanwhile is read and dropped, so that it receives the
 * reply rather than a reset (RFC 9112, section 9.6).
 */
#ifndef ABSENCE_BOUNDED_HTTP_H
#define ABSENCE_BOUNDED_HTTP_H

#include "gwlib/gwlib.h"

#define BOUNDED_HTTP_MAX_HEAD_BYTES 8192
#define BOUNDED_HTTP_HEAD_TIMEOUT_S 5.0
#define BOUNDED_HTTP_MAX_CLIENTS 16
#define BOUNDED_HTTP_LINGER_S 2.0

typedef struct BoundedHttp BoundedHttp;

/* A GET or HEAD request from an allowed address; all owned by the server. */
typedef struct HttpRequest {
    Octstr *client_ip;
    Octstr *path;  /* the URL up to its '?' */
    List *cgivars; /* of HTTPCGIVar, for gwlib's http_cgi_variable() */
} HttpRequest;

/* What a handler answers: BODY (the server destroys it) as TYPE (static;
 * NULL for no Content-Type). */
typedef struct HttpReply {
    int status;
    const char *type;
    Octstr *body;
} HttpReply;

/* Called in the server's thread, one request at a time. */
typedef HttpReply HttpHandler(void *context, const HttpRequest *request);

/*
 * Listen on PORT of INTERFACE; serve clients ALLOW_IP lets in (gwlib's
 * is_allowed_ip() syntax, every other address denied) with HANDLER and
 * CONTEXT (not owned). NULL, logged, when the port cannot be opened.
 */
BoundedHttp *bounded_http_start(int port, Octstr *interface, Octstr *allow_ip, HttpHandler *handler,
                                void *context);
/* Stop listening, close every connection and join the thread. */
void bounded_http_stop(BoundedHttp *server);

#endif
