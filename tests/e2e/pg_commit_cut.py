#!/usr/bin/env python3
"""pg_commit_cut.py - a TCP proxy in front of PostgreSQL that, once, lets the
first COMMIT through and then cuts the client off before the answer reaches
it: the server has committed, the client only sees its connection die.
Every later connection is passed through untouched.

Usage: pg_commit_cut.py LISTEN_PORT PG_PORT
Prints "cut" on stdout when it has cut the connection.
"""
import socket
import sys
import threading
import time

listen_port, pg_port = int(sys.argv[1]), int(sys.argv[2])
state = {"cut": False}
lock = threading.Lock()


def pump(src, dst, pair, watch):
    """Copy SRC to DST. The client's side (WATCH) freezes the pair at the
    first COMMIT: from then on nothing the server says reaches the client."""
    try:
        while True:
            data = src.recv(65536)
            if not data or (not watch and pair["frozen"]):
                break
            cut_now = False
            if watch and b"commit" in data.lower():
                with lock:
                    cut_now = not state["cut"]
                    state["cut"] = True
                if cut_now:
                    pair["frozen"] = True
            dst.sendall(data)
            if cut_now:
                time.sleep(0.5)  # the server commits meanwhile; its answer is dropped
                print("cut", flush=True)
                break
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass


def serve(client):
    server = socket.create_connection(("127.0.0.1", pg_port))
    pair = {"frozen": False}
    threading.Thread(target=pump, args=(client, server, pair, True), daemon=True).start()
    threading.Thread(target=pump, args=(server, client, pair, False), daemon=True).start()


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", listen_port))
listener.listen(16)
while True:
    conn, _ = listener.accept()
    serve(conn)
