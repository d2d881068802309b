#!/bin/bash
# The box's admin interface under hostile clients (issue 13): an address
# outside admin-allow-ip is disconnected before anything is read; a huge
# header is refused without the box growing; a client that stalls is cut
# off at the deadline; clients beyond the limit get 503 at once, and a
# legitimate request is served once the stalled ones expire; a request with
# a body, or another method than GET and HEAD, is refused without the body
# being read. The limits are read from include/bounded_http.h.
. "$(dirname "$0")/lib.sh"
e2e_begin admin-limits 120
limit() { awk -v name="BOUNDED_HTTP_$1" '$1 == "#define" && $2 == name {print $3}' \
    "$E2E_SRC/include/bounded_http.h"; }
MAX_CLIENTS=$(limit MAX_CLIENTS)
HEAD_TIMEOUT=$(limit HEAD_TIMEOUT_S)
MAX_HEAD=$(limit MAX_HEAD_BYTES)
client() { timeout 30 python3 "$E2E_SRC/tests/e2e/admin_client.py" "$@"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$BOX_PID/status"; }

# No bearerbox: the admin interface serves without one.
BOX_PORT=$(free_port)
ADMIN=$(free_port)
e2e_box_conf "admin-port = $ADMIN" "admin-password = s3cret"
check "absencectl migrate creates the schema" e2e_migrate
e2e_start_box
check "the admin interface opens" wait_until 20 port_open "$ADMIN"
check_equal "/status is served" "200 fast" \
    "$(client request "$ADMIN" 'GET /status?password=s3cret HTTP/1.1\r\nHost: x\r\n\r\n')"

# ---- too many connections ------------------------------------------------------

stalled=$((MAX_CLIENTS + 24))
check_equal "beyond $MAX_CLIENTS stalled connections: 503 at once, /status served when they expire" \
    "24 refused at once|meanwhile 503|then 200 within 7 s|$MAX_CLIENTS stalled got 408" \
    "$(client flood "$ADMIN" "$stalled" s3cret)"

# ---- bounded requests -----------------------------------------------------------

before=$(rss_kb)
check_equal "a 1 MB header gets 431" "431" "$(client big "$ADMIN" 1048576)"
check_equal "so does a 32 MB one" "431" "$(client big "$ADMIN" 33554432)"
check_equal "a header just within $MAX_HEAD bytes is read" "403" \
    "$(client big "$ADMIN" $((MAX_HEAD - 64)))"
grown=$(($(rss_kb) - before))
check "the box's memory grew by less than 5 MB (it grew by $grown kB)" [ "$grown" -lt 5120 ]
check_equal "a client that stalls mid-request gets 408 after ${HEAD_TIMEOUT} s" "408 in time" \
    "$(client stall "$ADMIN" "$(awk -v t="$HEAD_TIMEOUT" 'BEGIN {print t - 0.5, t + 2}')")"
check_equal "a POST is refused with 405 without its body being waited for" "405 fast" \
    "$(client request "$ADMIN" 'POST /status?password=s3cret HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n')"
check_equal "a GET announcing a body gets 413 without it being waited for" "413 fast" \
    "$(client request "$ADMIN" 'GET /status?password=s3cret HTTP/1.1\r\nContent-Length: 10\r\n\r\n')"
check_equal "so does a chunked one" "413 fast" \
    "$(client request "$ADMIN" 'GET /status?password=s3cret HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n')"
check_equal "a malformed request line gets 400" "400 fast" "$(client request "$ADMIN" 'garbage\r\n\r\n')"
check_equal "a request sent a byte at a time is served" "200" \
    "$(client trickle "$ADMIN" 'GET /status?password=s3cret HTTP/1.1\r\nHost: x\r\n\r\n')"
check_equal "HEAD is served" "200 fast" \
    "$(client request "$ADMIN" 'HEAD /metrics?password=s3cret HTTP/1.0\r\n\r\n')"
check_equal "/status is still served after all that" "200 fast" \
    "$(client request "$ADMIN" 'GET /status?password=s3cret HTTP/1.1\r\n\r\n')"

# ---- an address outside admin-allow-ip ---------------------------------------------

e2e_stop_box
e2e_box_conf "admin-port = $ADMIN" "admin-password = s3cret" "admin-allow-ip = 192.0.2.1"
e2e_start_box
check "the admin interface opens again" wait_until 20 port_open "$ADMIN"
check_equal "127.0.0.1 is disconnected before it sends anything" "closed unread" \
    "$(client silent "$ADMIN")"
check_equal "a request from it with the password gets nothing" "closed fast" \
    "$(client request "$ADMIN" 'GET /status?password=s3cret HTTP/1.1\r\n\r\n')"
before=$(rss_kb)
check_equal "nor does a 32 MB header" "closed" "$(client big "$ADMIN" 33554432)"
grown=$(($(rss_kb) - before))
check "the box's memory grew by less than 5 MB (it grew by $grown kB)" [ "$grown" -lt 5120 ]
check_equal "the refusals are logged once, naming the address" "1" \
    "$(grep -c 'admin interface: refused a connection from 127.0.0.1: not in admin-allow-ip$' "$RUN/box.log")"
check "the box stops cleanly" e2e_stop_box
check_equal "no password in the box's log" "0" "$(grep -c s3cret "$RUN/box.log")"
e2e_done
