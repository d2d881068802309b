/*
 * bounded_http.c - the admin interface's HTTP server (see bounded_http.h).
 * One thread polls the listening socket and at most BOUNDED_HTTP_MAX_CLIENTS
 * connections, each with a fixed buffer for its request head and a
 * deadline; the handler runs in that thread, one request at a time, as it
 * did behind gwlib's http_accept_request().
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bounded_http.h"

/* At most one log line a minute about refused connections, so that a
 * flood of them cannot fill the disk. */
#define REFUSAL_LOG_INTERVAL_S 60

typedef enum { READING_HEAD, LINGERING } ClientState;

typedef struct Client {
    int fd; /* -1: a free slot */
    ClientState state;
    Octstr *ip;
    double deadline_s; /* on now_s()'s clock */
    long used;
    char head[BOUNDED_HTTP_MAX_HEAD_BYTES];
} Client;

struct BoundedHttp {
    int listener;
    Octstr *allow_ip;
    HttpHandler *handler;
    void *context;
    long thread;
    volatile sig_atomic_t stopping;
    time_t refusal_logged_at;
    long refusals_unlogged;
    Client clients[BOUNDED_HTTP_MAX_CLIENTS];
};

/* Monotonic, so that a clock change moves no deadline. */
static double now_s(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

static void log_refusal(BoundedHttp *server, Octstr *ip, const char *why)
{
    time_t now = time(NULL);
    char more[64] = "";

    if (server->refusal_logged_at != 0 &&
        now - server->refusal_logged_at < REFUSAL_LOG_INTERVAL_S) {
        server->refusals_unlogged++;
        return;
    }
    if (server->refusals_unlogged > 0)
        snprintf(more, sizeof(more), " (and %ld more since the previous such line)",
                 server->refusals_unlogged);
    warning(0, "absencebox: admin interface: refused a connection from %s: %s%s",
            octstr_get_cstr(ip), why, more);
    server->refusal_logged_at = now;
    server->refusals_unlogged = 0;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    }
    return "Error";
}

/* Write all of DATA, waiting for room until DEADLINE_S at most: a client
 * that does not read cannot hold the thread longer. */
static void send_all(int fd, Octstr *data, double deadline_s)
{
    long sent = 0, len = octstr_len(data);

    while (sent < len) {
        ssize_t n = send(fd, octstr_get_cstr(data) + sent, len - sent, MSG_NOSIGNAL);
        if (n > 0)
            sent += n;
        else if (n < 0 && errno == EINTR)
            continue;
        else if (n < 0 && errno == EAGAIN && now_s() < deadline_s)
            gwthread_pollfd(fd, POLLOUT, deadline_s - now_s());
        else
            return;
    }
}

/* The headers are those gwlib's http_send_reply() wrote, so that clients
 * see the same replies as before, but for Connection, always Close here,
 * and the reason phrases gwlib lacked (it wrote "409 Foo"). */
static void send_reply(int fd, int http10, int head_only, HttpReply reply)
{
    Octstr *date = date_format_http(time(NULL));
    Octstr *out = octstr_format("HTTP/1.%d %d %s\r\nServer: " GW_NAME "/" GW_VERSION "\r\n"
                                "Date: %S\r\nContent-Length: %ld\r\nConnection: Close\r\n",
                                http10 ? 0 : 1, reply.status, reason_phrase(reply.status), date,
                                octstr_len(reply.body));

    if (reply.type != NULL)
        octstr_format_append(out, "Content-Type: %s\r\n", reply.type);
    if (reply.status == 405)
        octstr_append_cstr(out, "Allow: GET, HEAD\r\n");
    octstr_append_cstr(out, "\r\n");
    if (!head_only && reply.body != NULL)
        octstr_append(out, reply.body);
    send_all(fd, out, now_s() + BOUNDED_HTTP_HEAD_TIMEOUT_S);
    octstr_destroy(out);
    octstr_destroy(date);
}

static void client_close(Client *client)
{
    close(client->fd);
    client->fd = -1;
    octstr_destroy(client->ip);
    client->ip = NULL;
}

/* Reply, then linger: see bounded_http.h. */
static void client_finish(Client *client, int http10, int head_only, HttpReply reply)
{
    send_reply(client->fd, http10, head_only, reply);
    octstr_destroy(reply.body);
    shutdown(client->fd, SHUT_WR);
    client->state = LINGERING;
    client->deadline_s = now_s() + BOUNDED_HTTP_LINGER_S;
}

static HttpReply empty_reply(int status)
{
    HttpReply reply = {status, NULL, NULL};

    return reply;
}

/* The variables after the '?' of URL, parsed as gwlib's http_accept_request()
 * did; URL loses them. */
static List *cgivars_take(Octstr *url)
{
    long query = octstr_search_char(url, '?', 0), amp, equals;
    List *vars = gwlist_create();
    Octstr *args, *arg;

    if (query < 0)
        return vars;
    args = octstr_copy(url, query + 1, octstr_len(url));
    octstr_truncate(url, query);
    while (octstr_len(args) > 0) {
        HTTPCGIVar *var = gw_malloc(sizeof(*var));
        amp = octstr_search_char(args, '&', 0);
        arg = octstr_copy(args, 0, amp < 0 ? octstr_len(args) : amp);
        octstr_delete(args, 0, amp < 0 ? octstr_len(args) : amp + 1);
        equals = octstr_search_char(arg, '=', 0);
        equals = equals < 0 ? octstr_len(arg) : equals;
        var->name = octstr_copy(arg, 0, equals);
        var->value = octstr_copy(arg, equals + 1, octstr_len(arg));
        octstr_url_decode(var->name);
        octstr_url_decode(var->value);
        gwlist_append(vars, var);
        octstr_destroy(arg);
    }
    octstr_destroy(args);
    return vars;
}

/* 1 when a header line of LINES (after the request line) announces a body. */
static int announces_body(List *lines)
{
    long i, colon;

    for (i = 1; i < gwlist_len(lines); i++) {
        Octstr *line = gwlist_get(lines, i), *name, *value;
        int body;
        if ((colon = octstr_search_char(line, ':', 0)) < 0)
            continue;
        name = octstr_copy(line, 0, colon);
        value = octstr_copy(line, colon + 1, octstr_len(line));
        octstr_strip_blanks(name);
        octstr_strip_blanks(value);
        body = octstr_str_case_compare(name, "transfer-encoding") == 0 ||
               (octstr_str_case_compare(name, "content-length") == 0 &&
                octstr_str_compare(value, "0") != 0);
        octstr_destroy(name);
        octstr_destroy(value);
        if (body)
            return 1;
    }
    return 0;
}

static void serve(BoundedHttp *server, Client *client, Octstr *url, int http10, int head_only)
{
    HttpRequest request;

    request.client_ip = client->ip;
    request.cgivars = cgivars_take(url);
    request.path = url;
    client_finish(client, http10, head_only, server->handler(server->context, &request));
    http_destroy_cgiargs(request.cgivars);
}

/* The head is complete in the first LEN bytes: answer it. */
static void answer_head(BoundedHttp *server, Client *client, long len)
{
    Octstr *head = octstr_create_from_data(client->head, len);
    List *lines, *words;
    Octstr *method, *version;
    int http10;

    octstr_delete_matching(head, octstr_imm("\r"));
    lines = octstr_split(head, octstr_imm("\n"));
    words = octstr_split_words(gwlist_get(lines, 0));
    version = gwlist_len(words) == 3 ? gwlist_get(words, 2) : octstr_imm("");
    method = gwlist_len(words) == 3 ? gwlist_get(words, 0) : octstr_imm("");
    http10 = octstr_str_compare(version, "HTTP/1.0") == 0;
    if (!http10 && octstr_str_compare(version, "HTTP/1.1") != 0)
        client_finish(client, 0, 0, empty_reply(HTTP_BAD_REQUEST));
    else if (octstr_str_compare(method, "GET") != 0 && octstr_str_compare(method, "HEAD") != 0)
        client_finish(client, http10, 0, empty_reply(HTTP_BAD_METHOD));
    else if (announces_body(lines))
        client_finish(client, http10, 0, empty_reply(HTTP_REQUEST_ENTITY_TOO_LARGE));
    else
        serve(server, client, gwlist_get(words, 1), http10,
              octstr_str_compare(method, "HEAD") == 0);
    gwlist_destroy(words, octstr_destroy_item);
    gwlist_destroy(lines, octstr_destroy_item);
    octstr_destroy(head);
}

/* The length of the head up to and with its blank line, looked for from
 * FROM on (what came before was looked at already); 0 while there is none
 * yet. A bare LF ends a line too, as gwlib accepts. */
static long head_length(const char *data, long from, long len)
{
    long i;

    for (i = from > 1 ? from : 1; i < len; i++) {
        if (data[i] != '\n')
            continue;
        if (data[i - 1] == '\n' || (i >= 2 && data[i - 1] == '\r' && data[i - 2] == '\n'))
            return i + 1;
    }
    return 0;
}

static void read_head(BoundedHttp *server, Client *client)
{
    ssize_t n = recv(client->fd, client->head + client->used,
                     BOUNDED_HTTP_MAX_HEAD_BYTES - client->used, 0);
    long len;

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        client_close(client);
        return;
    }
    client->used += n;
    if ((len = head_length(client->head, client->used - n, client->used)) > 0)
        answer_head(server, client, len);
    else if (client->used == BOUNDED_HTTP_MAX_HEAD_BYTES)
        client_finish(client, 0, 0, empty_reply(431));
}

/* Drop what a client still sends after its reply, until it closes. */
static void read_and_drop(Client *client)
{
    char sink[16384];
    ssize_t n = recv(client->fd, sink, sizeof(sink), 0);

    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        client_close(client);
}

static Client *free_slot(BoundedHttp *server)
{
    int i;

    for (i = 0; i < BOUNDED_HTTP_MAX_CLIENTS; i++)
        if (server->clients[i].fd < 0)
            return &server->clients[i];
    return NULL;
}

/* Accept one connection; refuse it before reading anything when its
 * address is not allowed or every slot is taken. */
static void accept_client(BoundedHttp *server)
{
    struct sockaddr_in addr;
    socklen_t addrlen = sizeof(addr);
    int fd = accept(server->listener, (struct sockaddr *)&addr, &addrlen);
    Octstr *ip;
    Client *client;

    if (fd < 0)
        return;
    ip = host_ip(addr);
    if (is_allowed_ip(server->allow_ip, octstr_imm("*.*.*.*"), ip) != 1) {
        log_refusal(server, ip, "not in admin-allow-ip");
        close(fd);
    } else if ((client = free_slot(server)) == NULL) {
        log_refusal(server, ip, "too many admin connections open");
        socket_set_blocking(fd, 0);
        send_reply(fd, 0, 0, empty_reply(HTTP_SERVICE_UNAVAILABLE));
        close(fd);
    } else {
        socket_set_blocking(fd, 0);
        client->fd = fd;
        client->ip = ip;
        client->state = READING_HEAD;
        client->used = 0;
        client->deadline_s = now_s() + BOUNDED_HTTP_HEAD_TIMEOUT_S;
        return;
    }
    octstr_destroy(ip);
}

/* A head not complete by its deadline gets 408; a lingering client is
 * closed. */
static void expire_clients(BoundedHttp *server)
{
    double now = now_s();
    int i;

    for (i = 0; i < BOUNDED_HTTP_MAX_CLIENTS; i++) {
        Client *client = &server->clients[i];
        if (client->fd < 0 || now < client->deadline_s)
            continue;
        if (client->state == READING_HEAD)
            send_reply(client->fd, 0, 0, empty_reply(408));
        client_close(client);
    }
}

/* Fill FDS with the listener and the open clients; *TIMEOUT_S until the
 * nearest deadline. Returns how many. */
static int poll_set(BoundedHttp *server, struct pollfd *fds, Client **owners, double *timeout_s)
{
    int i, n = 1;
    double now = now_s();

    fds[0].fd = server->listener;
    fds[0].events = POLLIN;
    fds[0].revents = 0;
    *timeout_s = -1;
    for (i = 0; i < BOUNDED_HTTP_MAX_CLIENTS; i++) {
        Client *client = &server->clients[i];
        if (client->fd < 0)
            continue;
        fds[n].fd = client->fd;
        fds[n].events = POLLIN;
        fds[n].revents = 0;
        owners[n++] = client;
        if (*timeout_s < 0 || client->deadline_s - now < *timeout_s)
            *timeout_s = client->deadline_s - now > 0 ? client->deadline_s - now : 0;
    }
    /* poll() counts whole milliseconds: wake just after the deadline, not
     * just before it */
    if (*timeout_s > 0)
        *timeout_s += 0.001;
    return n;
}

static void server_thread(void *arg)
{
    BoundedHttp *server = arg;
    struct pollfd fds[BOUNDED_HTTP_MAX_CLIENTS + 1];
    Client *owners[BOUNDED_HTTP_MAX_CLIENTS + 1];
    double timeout_s;
    int i, n;

    while (!server->stopping) {
        n = poll_set(server, fds, owners, &timeout_s);
        if (gwthread_poll(fds, n, timeout_s) < 0) {
            gwthread_sleep(0.1); /* not to spin on a lasting error */
            continue;
        }
        /* what arrived is read before deadlines are checked, so that a
         * slow handler does not make the requests waiting behind it late */
        for (i = 1; i < n; i++) {
            if (fds[i].revents == 0)
                continue;
            if (owners[i]->state == READING_HEAD)
                read_head(server, owners[i]);
            else
                read_and_drop(owners[i]);
        }
        if (fds[0].revents & POLLIN)
            accept_client(server);
        expire_clients(server);
    }
}

BoundedHttp *bounded_http_start(int port, Octstr *interface, Octstr *allow_ip, HttpHandler *handler,
                                void *context)
{
    int listener = make_server_socket(port, octstr_get_cstr(interface)), i;
    BoundedHttp *server;

    if (listener < 0)
        return NULL;
    /* accept() must not block when a client has gone before it runs */
    socket_set_blocking(listener, 0);
    server = gw_malloc(sizeof(*server));
    memset(server, 0, sizeof(*server));
    server->listener = listener;
    server->allow_ip = octstr_duplicate(allow_ip);
    server->handler = handler;
    server->context = context;
    for (i = 0; i < BOUNDED_HTTP_MAX_CLIENTS; i++)
        server->clients[i].fd = -1;
    server->thread = gwthread_create(server_thread, server);
    return server;
}

void bounded_http_stop(BoundedHttp *server)
{
    int i;

    if (server == NULL)
        return;
    server->stopping = 1;
    gwthread_wakeup(server->thread);
    gwthread_join(server->thread);
    for (i = 0; i < BOUNDED_HTTP_MAX_CLIENTS; i++)
        if (server->clients[i].fd >= 0)
            client_close(&server->clients[i]);
    close(server->listener);
    octstr_destroy(server->allow_ip);
    gw_free(server);
}
