#!/bin/bash
# PostgreSQL failover while texts are flowing. A primary and a streaming
# standby (pg_basebackup -R), the box pointed at both in libpq's multi-host
# form with target-session-attrs = read-write; mid-run the primary is stopped
# (immediate: no shutdown checkpoint, as if its machine died) and, 16 s
# later, the standby is promoted. The box must carry on against the promoted
# standby within a few seconds (its database back-off is at most 4 s): every
# text reaches the SMSC exactly once, nothing is lost, every delivered text
# has exactly one pastoral log entry. It prints the figures: texts expected,
# received once, duplicates, lost, and the time to resume after promotion.
#
# Replication is synchronous (synchronous_standby_names = '*', with
# synchronous_commit = on): a commit returns only once the standby has it, so
# nothing the box was told is committed (a claim it then sends, a report it
# then acknowledges to bearerbox) can vanish in the failover. With
# asynchronous replication a failover can lose the last commits; that is a
# deployment decision, which the README's pgsql-connection section explains.
. "$(dirname "$0")/lib.sh"
E2E_CONFIRM_TIMEOUT=60
e2e_init failover 300
E2E_TZ=$(afternoon_timezone)
STUDENTS=4000
ABSENCE_RATE=0.6
# Long enough that a back-off doubling to 8 s or more would show: 1, 3, 7 and
# 15 s after the failure the box retries, then every 4 s.
OUTAGE_S=16

PRIMARY=$RUN/pg1
STANDBY=$RUN/pg2

# The standby is ours to stop; lib.sh's cleanup stops the primary (PG_DIR).
stop_standby() {
    [ -f "$STANDBY/data/postmaster.pid" ] &&
        _pg_as_owner "$PG_BIN/pg_ctl" -D "$STANDBY/data" -m immediate -w -t 30 stop >/dev/null 2>&1
    cp "$STANDBY/server.log" "$RUN/standby.log" 2>/dev/null
    rm -rf "$STANDBY"
}
trap 'stop_standby; e2e_cleanup' EXIT

setup() {
    check "$@" || { e2e_done; exit 1; }
}

start_standby() {
    mkdir -p "$STANDBY"
    [ "$(id -u)" -eq 0 ] && chown postgres "$STANDBY"
    STANDBY_PORT=$(free_port) || return 1
    _pg_as_owner "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
        -D "$STANDBY/data" -R -X stream -c fast >"$STANDBY/basebackup.log" 2>&1 || return 1
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$STANDBY/data" -l "$STANDBY/server.log" -w -t 30 \
        -o "-p $STANDBY_PORT -k $STANDBY -c listen_addresses=127.0.0.1 -c fsync=off" \
        start >/dev/null
}

on_primary() {
    psql -X -A -t -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -c "$1"
}

# on_standby SQL [DATABASE]
on_standby() {
    psql -X -A -t -q -h 127.0.0.1 -p "$STANDBY_PORT" -U postgres -d "${2:-postgres}" -c "$1"
}

standby_is_sync() {
    [ "$(on_primary "select string_agg(sync_state, ',') from pg_stat_replication")" == "sync" ]
}

# Synchronous replication, set on the primary alone (ALTER SYSTEM after the
# base backup): the promoted standby must not wait for a standby of its own.
make_synchronous() {
    on_primary "alter system set synchronous_standby_names = '*'" &&
        on_primary "alter system set synchronous_commit = on" &&
        on_primary "select pg_reload_conf()" >/dev/null &&
        wait_until 20 standby_is_sync
}

setup "the primary starts" pg_start_free "$PRIMARY"
PRIMARY_PORT=$PGPORT
setup "pg_basebackup -R makes a streaming standby, and it starts" start_standby
setup "replication is synchronous" make_synchronous
# Everything the test reads goes where the box writes: the primary, then the
# promoted standby.
export PGHOST=127.0.0.1,127.0.0.1 PGPORT=$PRIMARY_PORT,$STANDBY_PORT
export PGTARGETSESSIONATTRS=read-write
setup "the college database is created" createdb college

e2e_bearerbox_conf bearerbox-fakesmsc.conf
conf_set "$RUN/bearerbox.conf" smsc throughput 50
e2e_box_conf "max-pending = 20"
conf_set "$RUN/box.conf" pgsql-connection host "127.0.0.1,127.0.0.1"
conf_set "$RUN/box.conf" pgsql-connection port "$PRIMARY_PORT,$STANDBY_PORT"
conf_set "$RUN/box.conf" pgsql-connection target-session-attrs read-write
setup "absencectl migrate creates the schema through the multi-host configuration" e2e_migrate
setup "the generator loads a $STUDENTS-student college" \
    e2e_generate 14 "$STUDENTS" --absence-rate "$ABSENCE_RATE"
texts=$(expected_count text)
total=$((texts + $(expected_count expired)))
note "$texts texts, $(expected_count expired) expired expected"
setup "bearerbox starts" e2e_start_bearerbox
e2e_start_fakesmsc
e2e_start_box

delivered() {
    q "select count(*) from absence.notification where status = 'delivered'"
}
some_delivered() {
    [ "$(delivered)" -ge 200 ]
}
check "texts are being delivered through the primary" wait_until 60 some_delivered
check "replication is still synchronous before the failover" standby_is_sync
at_stop=$(delivered)
_pg_as_owner "$PG_BIN/pg_ctl" -D "$PRIMARY/data" -m immediate -w -t 30 stop >/dev/null 2>&1
stopped=$(date +%s.%N)
note "primary stopped (immediate) with $at_stop of $texts texts delivered"
sleep "$OUTAGE_S"
promote() {
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$STANDBY/data" -w -t 30 promote >/dev/null
}
check "the standby is promoted after $OUTAGE_S s" promote
promoted_epoch=$(on_standby "select extract(epoch from clock_timestamp())")
promoted=$(date +%s.%N)

# The box is back when it writes again: a heartbeat or a text's status after
# the promotion, as the new primary's clock says.
box_wrote_since_promotion() {
    [ "$(on_standby "select greatest(
             (select max(heartbeat_at) from absence.box_status),
             (select max(status_changed_at) from absence.notification))
           > to_timestamp($promoted_epoch)" college 2>/dev/null)" == "t" ]
}
check "the box writes to the promoted standby" wait_until 30 box_wrote_since_promotion
resumed=$(date +%s.%N)
resume_s=$(awk -v a="$promoted" -v b="$resumed" 'BEGIN { printf "%.1f", b - a }')
outage_s=$(awk -v a="$stopped" -v b="$resumed" 'BEGIN { printf "%.1f", b - a }')
check "the box resumed within 8 s of the promotion (back-off at most 4 s), took $resume_s s" \
    awk -v s="$resume_s" 'BEGIN { exit !(s <= 8) }'
check "every text reaches a final state on the new primary" e2e_wait_settled 120 "$total"

received=$(fakesmsc_texts)
received_count=$(printf '%s' "$received" | grep -c .)
duplicates=$(printf '%s\n' "$received" | uniq -d | grep -c .)
lost=$(comm -23 <(expected_texts) <(printf '%s\n' "$received" | sort -u) | grep -c .)
note "texts expected $texts, received once $((received_count - duplicates)), duplicates $duplicates, lost $lost; database down for $outage_s s, box resumed $resume_s s after the promotion"
note "final: $(q "select string_agg(status || ' ' || n, ', ') from (select status, count(*) n from absence.notification group by 1) s")"

check_equal "no text reached the SMSC twice" "0" "$duplicates"
check_equal "no expected text was lost" "0" "$lost"
check_equal "the SMSC received exactly the expected texts, once each" "$(expected_texts)" "$received"
check_recovered fakesmsc_texts
check_equal "every text was delivered (fakesmsc), none unconfirmed" "$texts" "$(delivered)"
check_equal "as many pastoral log entries as delivered texts" "$texts" \
    "$(q "select count(*) from absence.pastoral_log")"
check "the box logged that it reconnected" grep -q "reconnected to PostgreSQL" "$RUN/box.log"
check "the box is connected to the promoted standby" \
    test "$(on_standby "select count(*) from pg_stat_activity where application_name = 'absencebox'")" -ge 1
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
e2e_done
