#!/usr/bin/env python3
"""admin_client.py - raw-socket clients for test_admin_limits.sh, each
printing one line to compare exactly. Every socket has a timeout, so that no
command can hang the test.

  request PORT TEXT [SECONDS]   send TEXT (backslash escapes allowed), then
                                print the reply's status code ("closed" when
                                the connection closes without one), and
                                "fast" when it came within SECONDS (default 1)
  trickle PORT TEXT             send TEXT a byte at a time: the status code
  big PORT BYTES                a GET whose one header is BYTES long: its
                                status code
  stall PORT "LOW HIGH"         half a request, then nothing: the status code
                                and "in time" when the box closed the
                                connection LOW to HIGH seconds after it opened
  silent PORT                   connect and send nothing: "closed unread"
                                when the box closes it at once, sending nothing
  flood PORT STALLED PASSWORD    open STALLED connections that each send half a
                                request; print how many got 503 at once, the
                                status a full /status request gets meanwhile,
                                the status and seconds until one is served
                                (polled every 0.2 s), and how many of the
                                stalled ones got 408
"""
import socket
import sys
import time


def connect(port, timeout=10):
    return socket.create_connection(("127.0.0.1", int(port)), timeout=timeout)


def read_reply(sock):
    """All the box sends until it closes (or the socket's timeout); b"" when
    it closes (or resets) without a byte."""
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return data


def status_of(data):
    if not data:
        return "closed"
    words = data.split(b"\r\n", 1)[0].split()
    return words[1].decode() if len(words) >= 2 else "garbled"


def request(port, text, seconds="1"):
    start = time.monotonic()
    sock = connect(port)
    sock.sendall(text.encode().decode("unicode_escape").encode("latin-1"))
    status = status_of(read_reply(sock))
    sock.close()
    fast = time.monotonic() - start <= float(seconds)
    return "%s%s" % (status, " fast" if fast else " slow")


def trickle(port, text):
    sock = connect(port)
    for byte in text.encode().decode("unicode_escape").encode("latin-1"):
        sock.sendall(bytes([byte]))
        time.sleep(0.005)
    status = status_of(read_reply(sock))
    sock.close()
    return status


def big(port, size):
    sock = connect(port)
    head = b"GET /status HTTP/1.1\r\nX-Big: " + b"a" * int(size) + b"\r\n\r\n"
    try:
        sock.sendall(head)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the box stopped reading; its reply may still be there
    status = status_of(read_reply(sock))
    sock.close()
    return status


def stall(port, window):
    low, high = window.split()
    start = time.monotonic()
    sock = connect(port)
    sock.sendall(b"GET /status HTTP/1.1\r\nHost: x\r\n")
    status = status_of(read_reply(sock))
    elapsed = time.monotonic() - start
    sock.close()
    verdict = "in time" if float(low) <= elapsed <= float(high) else "after %.1f s" % elapsed
    return "%s %s" % (status, verdict)


def silent(port):
    start = time.monotonic()
    sock = connect(port, timeout=2)
    data = read_reply(sock)
    sock.close()
    if data:
        return "sent %r" % data[:40]
    return "still open" if time.monotonic() - start >= 2 else "closed unread"


def flood(port, stalled, password):
    socks = []
    for _ in range(int(stalled)):
        sock = connect(port)
        sock.sendall(b"GET /status HTTP/1.1\r\n")
        socks.append(sock)
    time.sleep(0.5)  # the box refuses the extras as it accepts them
    refused, waiting = 0, []
    for sock in socks:
        sock.setblocking(False)
        try:
            data = sock.recv(65536)
        except BlockingIOError:
            waiting.append(sock)
            continue
        except ConnectionResetError:
            data = b""
        refused += status_of(data) == "503"
        sock.close()
    legit = "GET /status?password=%s HTTP/1.1\\r\\n\\r\\n" % password
    meanwhile = request(port, legit).split()[0]
    start = time.monotonic()
    served = meanwhile
    while served != "200" and time.monotonic() - start < 10:
        time.sleep(0.2)
        served = request(port, legit, "10").split()[0]
    waited = time.monotonic() - start
    timed_out = 0
    for sock in waiting:
        sock.setblocking(True)
        sock.settimeout(10)
        timed_out += status_of(read_reply(sock)) == "408"
        sock.close()
    return "%d refused at once|meanwhile %s|then %s within %s s|%d stalled got 408" % (
        refused, meanwhile, served, "7" if waited <= 7 else "%.1f" % waited, timed_out)


def main():
    command, args = sys.argv[1], sys.argv[2:]
    print({"request": request, "trickle": trickle, "big": big, "stall": stall, "silent": silent,
           "flood": flood}[command](*args))


if __name__ == "__main__":
    main()
