# lib.sh - shared by the end-to-end tests: real PostgreSQL, real bearerbox,
# real SMSCs (fakesmsc, an SMPP simulator), the real absencebox, and TAP.
#
# A test sources this, calls e2e_init NAME, starts what it needs, asserts
# with check_equal / check, and ends with e2e_done. Every process it starts
# is stopped on exit, whatever happens, and a watchdog bounds the whole run.

E2E_SRC=${abs_top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
E2E_BIN=${abs_top_builddir:-$E2E_SRC/build}
KANNEL_TEST=/usr/lib/kannel/test
. "$E2E_SRC/scripts/lib/postgres.sh"

E2E_PIDS=()
E2E_COUNT=0
E2E_FAILED=0

# ---- TAP ------------------------------------------------------------------

ok() {
    E2E_COUNT=$((E2E_COUNT + 1))
    echo "ok $E2E_COUNT - $*"
}

not_ok() {
    E2E_COUNT=$((E2E_COUNT + 1))
    E2E_FAILED=$((E2E_FAILED + 1))
    echo "not ok $E2E_COUNT - $*"
}

# check NAME COMMAND...: ok when COMMAND succeeds.
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# check_equal NAME EXPECTED ACTUAL: the two texts must be equal; a diff
# (first 40 lines) is shown when they are not.
check_equal() {
    local name=$1
    if [ "$2" == "$3" ]; then
        ok "$name"
    else
        not_ok "$name"
        diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -40 | sed 's/^/# /'
    fi
}

e2e_done() {
    echo "1..$E2E_COUNT"
    [ "$E2E_FAILED" -eq 0 ]
}

note() {
    echo "# $*"
}

# ---- lifecycle ----------------------------------------------------------------

# e2e_init NAME [SECONDS]: a run directory, cleanup on exit, a watchdog.
e2e_init() {
    RUN=$(mktemp -d "/tmp/absence-e2e-$1.XXXXXX")
    chmod 755 "$RUN"
    trap e2e_cleanup EXIT
    trap 'exit 130' INT TERM
    # The watchdog holds none of our output open, so a pipe reading this test
    # ends when the test does.
    (
        trap 'kill "$nap" 2>/dev/null; exit 0' TERM
        sleep "${2:-240}" &
        nap=$!
        wait "$nap"
        echo "watchdog: $1 ran out of time" >"$RUN/watchdog"
        kill -TERM $$
    ) </dev/null >/dev/null 2>&1 &
    E2E_WATCHDOG=$!
}

# e2e_begin NAME [SECONDS]: e2e_init, a college time zone in which it is
# early afternoon (E2E_TZ), and PostgreSQL; the test ends at once, failed,
# when PostgreSQL does not start.
e2e_begin() {
    e2e_init "$@"
    E2E_TZ=$(afternoon_timezone)
    e2e_start_postgres || { not_ok "PostgreSQL starts"; e2e_done; exit 1; }
}

# detached CMD...: run CMD (in a background subshell) as itself, in a
# session of its own when E2E_DETACH is set, so that it outlives the
# terminal it was started from (scripts/demo --keep).
detached() {
    if [ -n "${E2E_DETACH:-}" ]; then exec setsid "$@"; else exec "$@"; fi
}

# Remember a background process so that cleanup stops it.
e2e_track() {
    E2E_PIDS+=("$1")
}

# Stop PID: SIGTERM, then SIGKILL after SECONDS (default 10); returns its
# exit status.
e2e_stop_pid() {
    local pid=$1 limit=${2:-10} waited=0
    kill -TERM "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((limit * 10)) ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

e2e_cleanup() {
    local pid
    for pid in "${E2E_PIDS[@]}"; do
        e2e_stop_pid "$pid" 5
    done
    [ -n "${PG_DIR:-}" ] && cp "$PG_DIR/server.log" "$RUN/postgres.log" 2>/dev/null
    [ -n "${PG_DIR:-}" ] && pg_destroy
    kill "$E2E_WATCHDOG" 2>/dev/null
    [ -f "$RUN/watchdog" ] && { echo "# $(cat "$RUN/watchdog")"; E2E_FAILED=$((E2E_FAILED + 1)); }
    if [ "$E2E_FAILED" -eq 0 ] && [ -z "${E2E_KEEP:-}" ]; then
        rm -rf "$RUN"
    elif [ -z "${E2E_KEEP_SILENT:-}" ]; then
        echo "# logs kept in $RUN"
    fi
}

# wait_until SECONDS COMMAND...: poll COMMAND every 0.2 s; 1 on timeout.
wait_until() {
    local limit=$(($1 * 5)) tries=0
    shift
    until "$@"; do
        tries=$((tries + 1))
        [ "$tries" -ge "$limit" ] && return 1
        sleep 0.2
    done
}

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A TCP port on 127.0.0.1 that nothing listens on, below the kernel's
# ephemeral range, so that no outgoing connection takes it before the
# server that was given it binds it.
free_port() {
    local port low
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    for port in $(shuf -i 10000-$((low - 1)) -n 50); do
        if ! port_open "$port"; then
            echo "$port"
            return 0
        fi
    done
    echo "free_port: no free port found" >&2
    return 1
}

# A time zone (Etc/GMT±N) in which it is now early afternoon, so that the
# generated college day lies within one local date and before 19:00.
afternoon_timezone() {
    local hour offset
    hour=$(date -u +%-H)
    offset=$((13 - hour))
    if [ "$offset" -gt 0 ]; then echo "Etc/GMT-$offset"
    elif [ "$offset" -lt 0 ]; then echo "Etc/GMT+$((-offset))"
    else echo "Etc/UTC"
    fi
}

# ---- PostgreSQL and the schema ----------------------------------------------

q() {
    psql -X -A -t -q -d college -c "$1"
}

# pg_start_free DIR: pg_start on a free port, again on another should a
# test running beside this one take it first.
pg_start_free() {
    local try
    for try in 1 2 3 4 5; do
        pg_start "$1" "$(free_port)" 2>/dev/null && return 0
    done
    return 1
}

e2e_start_postgres() {
    pg_start_free "$RUN/pg" || return 1
    createdb college
}

# e2e_box_conf [KEY = VALUE lines]: the box's configuration in $RUN/box.conf;
# the lines given replace the defaults of the same keys.
e2e_box_conf() {
    local line key defaults
    defaults=("id = absencebox" "bearerbox-port = ${BOX_PORT:?}" "pgsql-id = college"
              "sender = College" "report-link = https://tinyurl.com/runabs"
              "timezone = ${E2E_TZ:-Europe/London}" "plan-interval = 1"
              "confirm-timeout = ${E2E_CONFIRM_TIMEOUT:-600}" "log-file = $RUN/box.log"
              "log-level = 0")
    {
        echo "group = absencebox"
        for line in "${defaults[@]}"; do
            key=${line%% =*}
            printf '%s\n' "$@" | grep -q "^$key =" || echo "$line"
        done
        printf '%s\n' "$@"
        echo
        echo "group = pgsql-connection"
        echo "id = college"
        echo "host = 127.0.0.1"
        echo "port = $PGPORT"
        echo "username = postgres"
        echo "database = college"
        echo "connect-timeout = 2"
    } >"$RUN/box.conf"
}

e2e_migrate() {
    "$E2E_BIN/absencectl" -c "$RUN/box.conf" migrate >/dev/null
}

# Rows in bearerbox's DLR table: texts awaiting their receipts.
kannel_dlr_count() {
    sqlite3 -cmd ".timeout 5000" "$RUN/dlr.sqlite" "select count(*) from kannel_dlr"
}

# ---- configuration files ---------------------------------------------------------

# conf_set FILE GROUP KEY VALUE: set KEY in the (first) GROUP of a Kannel
# config file, adding it to the group when absent.
conf_set() {
    awk -v group="$2" -v key="$3" -v value="$4" '
        function flush() { if (in_group && !done) { print key " = " value; done = 1 } }
        /^[ \t]*$/ { flush(); in_group = 0; print; next }
        /^group[ \t]*=/ { g = $0; sub(/^group[ \t]*=[ \t]*/, "", g);
                          if (g == group && !done) in_group = 1 }
        in_group && $0 ~ "^" key "[ \t]*=" { print key " = " value; done = 1; next }
        { print }
        END { flush() }' "$1" >"$1.new" && mv "$1.new" "$1"
}

# e2e_bearerbox_conf SOURCE: conf/SOURCE made to run here, in $RUN/bearerbox.conf.
e2e_bearerbox_conf() {
    local conf=$RUN/bearerbox.conf
    cp "$E2E_SRC/conf/$1" "$conf"
    ADMIN_PORT=$(free_port)
    BOX_PORT=$(free_port)
    conf_set "$conf" core admin-port "$ADMIN_PORT"
    conf_set "$conf" smsc port "$(free_port)"
    conf_set "$conf" core smsbox-port "$BOX_PORT"
    conf_set "$conf" core store-location "$RUN/bearerbox.store"
    conf_set "$conf" core log-file "$RUN/bearerbox.log"
    conf_set "$conf" core access-log "$RUN/access.log"
    conf_set "$conf" core log-level 0
    conf_set "$conf" sqlite3-connection database "$RUN/dlr.sqlite"
    sqlite3 "$RUN/dlr.sqlite" <"$E2E_SRC/conf/kannel-dlr.sqlite.sql" >/dev/null
}

# e2e_redis_dlr_conf: $RUN/bearerbox.conf (from e2e_bearerbox_conf) switched
# to dlr-storage = redis as its commented redis-connection block says: the
# block's "#key = value" lines taken as they are ("##" lines dropped), on
# the test's redis-server (e2e_start_redis, which sets REDIS_PORT and
# REDIS_PASSWORD).
e2e_redis_dlr_conf() {
    local conf=$RUN/bearerbox.conf
    awk '/^#group = redis-connection$/ { block = 1 }
         block && /^[ \t]*$/ { block = 0 }
         block && /^##/ { next }
         block { sub(/^#/, "") }
         { print }' "$conf" >"$conf.new" && mv "$conf.new" "$conf"
    grep -q '^group = redis-connection$' "$conf" || return 1
    conf_set "$conf" core dlr-storage redis
    conf_set "$conf" redis-connection port "${REDIS_PORT:?}"
    conf_set "$conf" redis-connection password "${REDIS_PASSWORD:?}"
}

# ---- processes ----------------------------------------------------------------------

e2e_start_bearerbox() {
    detached /usr/sbin/bearerbox -v 4 "$RUN/bearerbox.conf" >>"$RUN/bearerbox.out" 2>&1 &
    BEARERBOX_PID=$!
    e2e_track "$BEARERBOX_PID"
    wait_until 20 port_open "$BOX_PORT"
}

e2e_stop_bearerbox() {
    e2e_stop_pid "$BEARERBOX_PID" 30
}

# e2e_start_fakesmsc: Kannel's fake SMSC on the smsc group's port; every
# text it gets is a "Got message" line in $RUN/fakesmsc.out. With
# E2E_FAKESMSC_INPUT naming a file (a pipe), it also sends each line written
# there as a text from a phone: "FROM TO text BODY".
e2e_start_fakesmsc() {
    local port
    port=$(awk '/^group = smsc/{s=1} s && /^port =/{print $3; exit}' "$RUN/bearerbox.conf")
    wait_until 20 port_open "$port" || return 1
    if [ -n "${E2E_FAKESMSC_INPUT:-}" ]; then
        # no message given: it sends each "from to text body" line of its input
        detached "$KANNEL_TEST/fakesmsc" -H 127.0.0.1 -r "$port" -v 0 \
            <"$E2E_FAKESMSC_INPUT" >>"$RUN/fakesmsc.out" 2>&1 &
    else
        detached "$KANNEL_TEST/fakesmsc" -H 127.0.0.1 -r "$port" -m 0 -v 0 "1 2 text x" \
            >>"$RUN/fakesmsc.out" 2>&1 &
    fi
    FAKESMSC_PID=$!
    e2e_track "$FAKESMSC_PID"
}

# Texts fakesmsc received, one "recipient<TAB>body" line each, sorted.
fakesmsc_texts() {
    sed -n 's/^.*Got message [0-9]*: <\([^ ]*\) \([^ ]*\) text \(.*\)>$/\2\t\3/p' \
        "$RUN/fakesmsc.out" | sort
}

e2e_start_box() {
    detached "$E2E_BIN/absencebox" -v 4 "$RUN/box.conf" >>"$RUN/box.out" 2>&1 &
    BOX_PID=$!
    e2e_track "$BOX_PID"
}

# Stop the box with SIGTERM; its exit status.
e2e_stop_box() {
    e2e_stop_pid "$BOX_PID" 30
}

# ---- redis, for dlr-storage = redis ---------------------------------------------

# e2e_start_redis: a redis-server of the test's own, on 127.0.0.1 only, with
# its data in $RUN/redis, kept as the README asks (append-only file, synced
# before each reply, no snapshots) and a password. Started again (after
# e2e_kill_redis) it takes the same port, password and data. Stopped with
# the rest at the end.
e2e_start_redis() {
    REDIS_PORT=${REDIS_PORT:-$(free_port)}
    REDIS_PASSWORD=${REDIS_PASSWORD:-e2e-$RANDOM$RANDOM}
    mkdir -p "$RUN/redis"
    cat >"$RUN/redis/redis.conf" <<EOF
bind 127.0.0.1
port $REDIS_PORT
dir $RUN/redis
appendonly yes
appendfsync always
save ""
daemonize no
requirepass $REDIS_PASSWORD
logfile $RUN/redis/redis.log
EOF
    detached redis-server "$RUN/redis/redis.conf" >>"$RUN/redis/redis.out" 2>&1 &
    REDIS_PID=$!
    e2e_track "$REDIS_PID"
    wait_until 20 redis_ready
}

# e2e_kill_redis: SIGKILL redis-server, as a crash would (and forget it).
e2e_kill_redis() {
    local pid others=()
    kill -KILL "$REDIS_PID" 2>/dev/null
    wait "$REDIS_PID" 2>/dev/null
    for pid in "${E2E_PIDS[@]}"; do
        [ "$pid" == "$REDIS_PID" ] || others+=("$pid")
    done
    E2E_PIDS=("${others[@]}")
}

redis_cli() {
    REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

redis_ready() {
    [ "$(redis_cli ping 2>/dev/null)" == PONG ]
}

# Keys of bearerbox's DLR table in redis: texts awaiting their receipts (the
# analogue of kannel_dlr_count); the table is dlr-db's.
redis_dlr_count() {
    local table
    table=$(awk '/^group = dlr-db/ { s = 1 } s && /^table =/ { print $3; exit }' "$RUN/bearerbox.conf")
    redis_cli --scan --pattern "$table:*" | wc -l
}

# ---- the college and what should become of it -----------------------------------

# e2e_generate SEED STUDENTS [generator options]: load a college day into
# the database, placed around now unless the options give --now; what the
# policy should make of it, by tests/college_oracle.py, in $RUN/expect.
e2e_generate() {
    local options=(--seed "$1" --students "$2" --timezone "$E2E_TZ")
    shift 2
    [[ " $* " == *" --now "* ]] || options+=(--now "$(date -u +%Y-%m-%dT%H:%M:%S+00:00)")
    options+=("$@")
    "$E2E_SRC/scripts/generate-college" "${options[@]}" --dbname college 2>>"$RUN/generate.out" &&
        "$E2E_SRC/tests/college_oracle.py" "${options[@]}" >"$RUN/expect" 2>>"$RUN/generate.out"
}

# Expected lines of one KIND (text, expired, skip), as FIELDS of the oracle.
expected() {
    awk -F'\t' -v kind="$1" -v fields="$2" '
        BEGIN { n = split(fields, f, ",") }
        $1 == kind { line = $f[1]; for (i = 2; i <= n; i++) line = line "|" $f[i]; print line }
    ' "$RUN/expect" | sort
}

# Expected texts as "recipient<TAB>body".
expected_texts() {
    awk -F'\t' '$1 == "text" { print $4 "\t" $6 }' "$RUN/expect" | sort
}

expected_count() {
    awk -F'\t' -v kind="$1" '$1 == kind' "$RUN/expect" | wc -l
}

# Texts not yet in a final state.
unsettled() {
    q "select count(*) from absence.notification
        where status in ('pending', 'submitted', 'sent')"
}

# e2e_wait_settled SECONDS COUNT: until COUNT notifications exist and none is
# still on its way.
e2e_wait_settled() {
    wait_until "$1" settled "$2"
}

settled() {
    [ "$(q "select count(*) from absence.notification")" -ge "$1" ] && [ "$(unsettled)" -eq 0 ]
}

# The pastoral log matches deliveries: every delivered text has exactly one
# entry and nothing else has one. Prints the mismatches.
pastoral_mismatches() {
    q "select n.notification_id || ' ' || n.status || ' entries=' || count(p.pastoral_log_id)
         from absence.notification n
         left join absence.pastoral_log p on p.notification_id = n.notification_id
        group by n.notification_id, n.status
       having count(p.pastoral_log_id) <> (n.status = 'delivered')::int"
}

# Phone numbers written out in full in a log file (there must be none).
unmasked_numbers() {
    grep -hoE '(\+?44|0)7700 ?900[0-9]{3}' "$@" 2>/dev/null | head -5
}

# ---- the SMPP simulator ------------------------------------------------------------

# e2e_start_smsc_sim [RECEIPT_DELAY_MS]: tests/smsc-sim on the smsc group's
# port, taking texts from phones on its control port $SMSC_SIM_CONTROL
# (smsc_sim_mo); those it delivered are lines of $RUN/smsc-sim-mo.jsonl.
e2e_start_smsc_sim() {
    local port
    port=$(awk '/^group = smsc/{s=1} s && /^port =/{print $3; exit}' "$RUN/bearerbox.conf")
    SMSC_SIM_CONTROL=$(free_port)
    node "$E2E_SRC/tests/smsc-sim/smsc-sim.js" --port "$port" --log "$RUN/smsc-sim.jsonl" \
        --receipt-delay "${1:-200}" --control-port "$SMSC_SIM_CONTROL" \
        --mo-log "$RUN/smsc-sim-mo.jsonl" >>"$RUN/smsc-sim.out" 2>&1 &
    SMSC_SIM_PID=$!
    e2e_track "$SMSC_SIM_PID"
    wait_until 20 port_open "$port" && wait_until 20 port_open "$SMSC_SIM_CONTROL"
}

# Texts the simulator received, "+recipient<TAB>text" per line, sorted (not
# the texts from phones it sent, "mo": true).
smsc_sim_texts() {
    [ -f "$RUN/smsc-sim.jsonl" ] || return 0
    node -e '
        const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
        for (const line of lines) if (line) {
            const m = JSON.parse(line);
            if (m.mo) continue;
            console.log("+" + m.destination.replace(/^\+/, "") + "\t" + m.text);
        }' "$RUN/smsc-sim.jsonl" | sort
}

# smsc_sim_mo FROM TO TEXT [ucs2] [nowait]: the simulator sends TEXT from the
# phone FROM to TO (a deliver_sm, esm_class 0; in UCS-2 with "ucs2", else in
# the GSM alphabet). An address with a leading "+" goes as international
# (bearerbox writes it with the "+"), digits alone as they are. Returns once
# bearerbox has accepted it (deliver_sm_resp status 0; it waits for bearerbox
# if need be, up to 60 s), or at once with "nowait"; fails if the simulator
# refuses the request.
smsc_sim_mo() {
    python3 -c '
import json, sys, urllib.error, urllib.request
port, sender, receiver, text = sys.argv[1:5]
flags = sys.argv[5:]
body = json.dumps({"from": sender, "to": receiver, "text": text, "ucs2": "ucs2" in flags,
                   "wait": "nowait" not in flags}).encode()
request = urllib.request.Request("http://127.0.0.1:%s/mo" % port, data=body,
                                 headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=60) as response:
        sys.exit(0 if response.status in (200, 202) else 1)
except urllib.error.HTTPError as e:
    sys.stderr.write("smsc_sim_mo: %s %s\n" % (e.code, e.read().decode()))
except OSError as e:
    sys.stderr.write("smsc_sim_mo: %s\n" % e)
sys.exit(1)' "$SMSC_SIM_CONTROL" "$@"
}

# How many texts from phones the simulator has not yet had accepted.
smsc_sim_mo_pending() {
    python3 -c '
import json, sys, urllib.request
url = "http://127.0.0.1:%s/mo-pending" % sys.argv[1]
print(json.load(urllib.request.urlopen(url, timeout=10))["pending"])' "$SMSC_SIM_CONTROL"
}

# smsc_sim_receipts [FIELD]: the simulator's receipt figures (GET /receipts):
# FIELD (pending: due or sent but not yet acknowledged by bearerbox;
# acknowledged; resent; sessions; drops), or the whole JSON.
smsc_sim_receipts() {
    python3 -c '
import json, sys, urllib.request
answer = json.load(urllib.request.urlopen("http://127.0.0.1:%s/receipts" % sys.argv[1], timeout=10))
print(answer[sys.argv[2]] if len(sys.argv) > 2 else json.dumps(answer))' "$SMSC_SIM_CONTROL" "$@"
}

# smsc_sim_drop [DOWN_MS]: the simulator drops its connections at once (no
# unbind), as an SMSC whose link fails, and closes new ones for DOWN_MS;
# prints how many sessions it dropped.
smsc_sim_drop() {
    python3 -c '
import json, sys, urllib.request
request = urllib.request.Request("http://127.0.0.1:%s/drop?down_ms=%s" % tuple(sys.argv[1:3]),
                                 data=b"", method="POST")
print(json.load(urllib.request.urlopen(request, timeout=10))["dropped"])' \
        "$SMSC_SIM_CONTROL" "${1:-0}"
}

# The simulator's verdict for a recipient: delivered, or failed (UNDELIV / refused).
smsc_sim_fate() {
    case "$1" in
        *3|*7) echo failed ;;
        *) echo delivered ;;
    esac
}

# ---- assertions shared by the restart tests ------------------------------------------

# Lines received more than once by the SMSC (there must be none).
double_texts() {
    "$1" | uniq -d
}

# smsc_sim_fates, delivered_fates: "recipient<TAB>body" lines (as
# smsc_sim_texts and fakesmsc_texts give them) on standard input, each with
# the final status the SMSC decided appended: the simulator's rule (a
# recipient ending in 3 or 7 fails), or delivered for fakesmsc.
smsc_sim_fates() {
    awk -F'\t' -v OFS='\t' '{ print $1, $2, ($1 ~ /[37]$/ ? "failed" : "delivered") }'
}
delivered_fates() {
    awk -F'\t' -v OFS='\t' '{ print $1, $2, "delivered" }'
}

# assert_no_loss RECEIVED [FATES]: against the SMSC's own record (RECEIVED,
# as fakesmsc_texts or smsc_sim_texts give it), compared text by text
# (recipient and body) with what the oracle expects ($RUN/expect):
#   - every expected text arrived exactly once, and nothing else arrived;
#   - every final report was applied: each text the SMSC got ends in the
#     database as the SMSC decided (FATES, a command printing "recipient<TAB>
#     body<TAB>status" for what the SMSC received; by default the
#     simulator's rule for smsc_sim_texts, else delivered), never
#     unconfirmed, submitted or sent;
#   - every delivered text has exactly one pastoral entry, nothing else any.
# A text the SMSC never got is lost, unless it is unconfirmed for want of
# bearerbox's ack and E2E_HELD_ALLOWED is set: after a SIGKILL between
# claiming a text and writing it to bearerbox the box cannot know whether
# bearerbox took it, and the rules hold it for a person (unconfirmed)
# rather than risk a second text. Such texts are counted apart ("held for a
# person"); any other loss fails. The figures are printed, and left in
# NO_LOSS_EXPECTED, _ONCE, _DUPLICATES, _LOST, _HELD, _DELIVERED, _ENTRIES.
assert_no_loss() {
    local received=$1 fates=${2:-} dir=$RUN/no-loss verdicts
    if [ -z "$fates" ]; then
        if [ "$received" == smsc_sim_texts ]; then fates=no_loss_sim_fates; else fates=no_loss_fakesmsc_fates; fi
    fi
    mkdir -p "$dir"
    expected_texts >"$dir/expected"
    "$received" >"$dir/received"
    "$fates" "$received" >"$dir/fates"
    q "select recipient || E'\t' || body || E'\t' || status || E'\t' ||
              coalesce(failure_reason, '')
         from absence.notification" >"$dir/database"
    # one line per finding: lost, held, duplicate, unexpected, wrong (status)
    verdicts=$(awk -F'\t' '
        FILENAME == ARGV[1] { want[$1 "\t" $2]++; next }
        FILENAME == ARGV[2] { got[$1 "\t" $2]++; next }
        FILENAME == ARGV[3] { fate[$1 "\t" $2] = $3; next }
        { k = $1 "\t" $2; rows[k]++; status[k] = $3; reason[k] = $4 }
        END {
            # (a look-up with k in, never [k], which would make the element)
            for (k in want) {
                n = (k in got) ? got[k] : 0
                if (n >= want[k]) once += want[k]; else once += n
                if (n > want[k]) print "duplicate\t" k "\t" n
                if (n < want[k]) {
                    if ((k in status) && status[k] == "unconfirmed" && reason[k] ~ /^no acknowledgement/)
                        print "held\t" k
                    else
                        print "lost\t" k "\t" ((k in status) ? status[k] : "no notification")
                }
            }
            for (k in got) {
                if (!(k in want)) print "unexpected\t" k
                else if (!(k in rows) || rows[k] != 1 || status[k] != fate[k])
                    print "wrong\t" k "\t" ((k in status) ? status[k] : "no notification") \
                          " (" ((k in rows) ? rows[k] : 0) " rows), the SMSC decided " fate[k]
            }
            print "once\t" once + 0
        }' "$dir/expected" "$dir/received" "$dir/fates" "$dir/database")
    printf '%s\n' "$verdicts" >"$dir/verdicts"
    NO_LOSS_EXPECTED=$(grep -c . "$dir/expected")
    NO_LOSS_ONCE=$(sed -n 's/^once\t//p' "$dir/verdicts")
    NO_LOSS_DUPLICATES=$(grep -c '^duplicate' "$dir/verdicts")
    NO_LOSS_LOST=$(grep -c '^lost' "$dir/verdicts")
    NO_LOSS_HELD=$(grep -c '^held' "$dir/verdicts")
    NO_LOSS_DELIVERED=$(q "select count(*) from absence.notification where status = 'delivered'")
    NO_LOSS_ENTRIES=$(q "select count(*) from absence.pastoral_log")
    note "texts expected $NO_LOSS_EXPECTED, received once $NO_LOSS_ONCE," \
        "duplicates $NO_LOSS_DUPLICATES, lost $NO_LOSS_LOST, held for a person $NO_LOSS_HELD;" \
        "delivered $NO_LOSS_DELIVERED, pastoral entries $NO_LOSS_ENTRIES"
    check_equal "no expected text was lost (each one reached the SMSC)" "" \
        "$(grep '^lost' "$dir/verdicts" | sort | head -20)"
    if [ -n "${E2E_HELD_ALLOWED:-}" ]; then
        [ "$NO_LOSS_HELD" -eq 0 ] ||
            note "held for a person (claimed, then the box was killed before bearerbox took them):" \
                 "$(grep '^held' "$dir/verdicts" | cut -f2 | tr '\n' ' ')"
    else
        check_equal "no expected text is held unconfirmed instead of sent" "" \
            "$(grep '^held' "$dir/verdicts" | sort | head -20)"
    fi
    check_equal "no text reached the SMSC twice" "" \
        "$(grep '^duplicate' "$dir/verdicts" | sort | head -20)"
    check_equal "the SMSC got no text that was not expected" "" \
        "$(grep '^unexpected' "$dir/verdicts" | sort | head -20)"
    check_equal "every final report was applied: each text ends as the SMSC decided" "" \
        "$(grep '^wrong' "$dir/verdicts" | sort | head -20)"
    check_equal "exactly one pastoral log entry per delivered text, none otherwise" \
        "" "$(pastoral_mismatches)"
    check_equal "as many pastoral log entries as delivered texts" \
        "$NO_LOSS_DELIVERED" "$NO_LOSS_ENTRIES"
}

# The default FATES of assert_no_loss: RECEIVED's lines with the fate of each.
no_loss_sim_fates() { "$1" | smsc_sim_fates; }
no_loss_fakesmsc_fates() { "$1" | delivered_fates; }

# After a disturbance: every expected text reached the SMSC exactly once and
# ended as the SMSC decided, with its pastoral entry (assert_no_loss), every
# text is final, and what the SMSC received is exactly what was delivered (or
# failed as the SMSC decided). RECEIVED is fakesmsc_texts or smsc_sim_texts;
# FATES as for assert_no_loss.
check_recovered() {
    local received=$1
    assert_no_loss "$@"
    check_equal "every text is in a final state" "0" "$(unsettled)"
    check_equal "every text the policy called for exists" \
        "$(expected text 2,3,4)" \
        "$(q "select student_id || '|' || guardian_id || '|' || recipient
                from absence.notification where status <> 'expired'" | sort)"
    check_equal "the SMSC received exactly the delivered and failed texts" \
        "$(q "select recipient || E'\t' || body from absence.notification
               where status in ('delivered', 'failed')" | sort)" \
        "$("$received")"
}
