#!/bin/bash
# The box killed with SIGKILL in the middle of its work, then restarted: no
# text is sent twice, the reports bearerbox kept for the box id come to the
# new run, and what could not be confirmed is marked unconfirmed, not resent.
. "$(dirname "$0")/lib.sh"
E2E_CONFIRM_TIMEOUT=5
# the batch written just before the kill may never be read by bearerbox
# (the dead box's socket is reset): held for a person, counted apart
E2E_HELD_ALLOWED=1
e2e_begin box-kill 180
e2e_bearerbox_conf bearerbox-fakesmsc.conf
conf_set "$RUN/bearerbox.conf" smsc throughput 40
e2e_box_conf "max-pending = 20"
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 1500-student college" e2e_generate 9 1500
check "bearerbox starts" e2e_start_bearerbox
e2e_start_fakesmsc
e2e_start_box
in_flight() {
    [ "$(q "select count(*) from absence.notification where status in ('submitted', 'sent')")" -gt 0 ]
}
check "texts are on their way" wait_until 30 in_flight
kill -KILL "$BOX_PID"
wait "$BOX_PID" 2>/dev/null
note "killed the box with $(q "select string_agg(status || ' ' || n, ', ') from (select status, count(*) n from absence.notification group by 1) s")"
e2e_start_box
total=$(($(expected_count text) + $(expected_count expired)))
check "every text reaches a final state after the restart" e2e_wait_settled 90 "$total"
check_recovered fakesmsc_texts
note "final: $(q "select string_agg(status || ' ' || n, ', ') from (select status, count(*) n from absence.notification group by 1) s")"
e2e_stop_box
check_equal "SIGTERM stops the restarted box with status 0" "0" "$?"
e2e_done
