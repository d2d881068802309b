#!/bin/bash
# PostgreSQL restarted while texts are flowing: the box keeps bearerbox's
# acks and reports until the database is back, reconnects, and nothing is
# lost or sent twice.
. "$(dirname "$0")/lib.sh"
e2e_begin postgres-restart 180
e2e_bearerbox_conf bearerbox-fakesmsc.conf
conf_set "$RUN/bearerbox.conf" smsc throughput 40
e2e_box_conf "max-pending = 20"
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 1500-student college" e2e_generate 10 1500
check "bearerbox starts" e2e_start_bearerbox
e2e_start_fakesmsc
e2e_start_box
some_delivered() {
    [ "$(q "select count(*) from absence.notification where status = 'delivered'")" -gt 5 ]
}
check "texts are being delivered" wait_until 30 some_delivered
box_cpu_ticks() {
    awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$BOX_PID/stat"
}
pg_stop
note "PostgreSQL stopped with $(wc -l < "$RUN/fakesmsc.out") fakesmsc lines"
before=$(box_cpu_ticks)
sleep 3
# acks and reports wait for the database: the box sleeps meanwhile, it does
# not spin (a busy loop would burn the whole 3 s, 300 ticks)
check "the box waits for PostgreSQL without spinning (CPU ticks in the 3 s under 100)" \
    test "$(($(box_cpu_ticks) - before))" -lt 100
note "the box's CPU ticks while PostgreSQL was down: $(($(box_cpu_ticks) - before))"
check "PostgreSQL starts again on the same port" pg_restart_only start
total=$(($(expected_count text) + $(expected_count expired)))
check "every text reaches a final state" e2e_wait_settled 90 "$total"
check_recovered fakesmsc_texts
check "the box logged that it lost and regained the database" \
    grep -q "reconnected to PostgreSQL" "$RUN/box.log"
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
e2e_done
