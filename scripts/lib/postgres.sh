# postgres.sh - a throwaway PostgreSQL cluster for tests and the demo.
# Source it, then: pg_start DIR PORT (initdb once, start, exports PG*), pg_stop,
# pg_restart, pg_destroy. PostgreSQL refuses to run as root, so as root the
# cluster runs as the postgres user.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

_pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    PG_DIR=$1
    PGPORT=${2:?pg_start DIR PORT}
    mkdir -p "$PG_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        _pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 \
            --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    fi
    export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres
    unset PGPASSWORD
    pg_restart_only start
}

# Start (or restart) the cluster on the same port; waits until it answers.
pg_restart_only() {
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
        -o "-p $PGPORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off ${PG_SERVER_OPTIONS:-}" "$1" >/dev/null
}

pg_stop() {
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

pg_restart() {
    pg_restart_only restart
}

pg_destroy() {
    [ -n "${PG_DIR:-}" ] || return 0
    pg_stop
    rm -rf "$PG_DIR"
}
