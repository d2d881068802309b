#!/bin/bash
# bearerbox restarted while texts are in flight on an SMPP link: texts it had
# queued go out after the restart from its store, receipts the SMSC sends
# after the restart still find their texts through the persistent DLR
# storage (dlr-storage = sqlite3), the box reconnects, and nothing is lost or
# sent twice.
. "$(dirname "$0")/lib.sh"
e2e_begin bearerbox-restart 240
e2e_bearerbox_conf bearerbox-smpp.conf
conf_set "$RUN/bearerbox.conf" smsc throughput 15
conf_set "$RUN/bearerbox.conf" smsc reconnect-delay 1
e2e_box_conf
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 1000-student college" e2e_generate 11 1000
check "the SMPP simulator starts, answering receipts after 4 s" e2e_start_smsc_sim 4000
check "bearerbox starts" e2e_start_bearerbox
e2e_start_box
# Not by reading bearerbox's DLR file: a reader makes its inserts fail.
at_smsc() {
    [ -f "$RUN/smsc-sim.jsonl" ] && [ "$(wc -l <"$RUN/smsc-sim.jsonl")" -ge 10 ]
}
check "texts reach the SMSC, their receipts due in 4 s" wait_until 30 at_smsc
note "restarting bearerbox: $(wc -l < "$RUN/smsc-sim.jsonl") of $(expected_count text) texts at the SMSC"
e2e_stop_bearerbox
note "bearerbox stopped; receipts the SMSC holds for it: $(smsc_sim_receipts pending)"
check "texts await their receipts in bearerbox's DLR storage" test "$(kannel_dlr_count)" -gt 5
check "bearerbox starts again" e2e_start_bearerbox
total=$(($(expected_count text) + $(expected_count expired)))
check "every text reaches a final state" e2e_wait_settled 120 "$total"
check_recovered smsc_sim_texts
check_equal "bearerbox acknowledged every receipt the SMSC sent" "0" "$(smsc_sim_receipts pending)"
note "receipts: $(smsc_sim_receipts)"
check_equal "each text ends as the SMSC decided" \
    "$(expected text 2,3,4 | while IFS='|' read -r s g r; do echo "$s|$g|$r|$(smsc_sim_fate "$r")"; done)" \
    "$(q "select student_id || '|' || guardian_id || '|' || recipient || '|' || status
            from absence.notification where status <> 'expired'" | sort)"
check "the box reconnected in a new session" grep -q "(session 2)" "$RUN/box.log"
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
e2e_done
