#!/bin/bash
# End to end through bearerbox's SMPP client to an SMPP SMSC simulator that
# sends delivery receipts, some of them failures: the SMSC must receive
# exactly the expected texts, each text must end delivered or failed as the
# SMSC decided, with a pastoral log entry for each delivery and none else.
. "$(dirname "$0")/lib.sh"
e2e_begin smpp 180
e2e_bearerbox_conf bearerbox-smpp.conf
e2e_box_conf
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 500-student college" e2e_generate 8 500
check "the SMPP simulator starts" e2e_start_smsc_sim 200
check "bearerbox starts with the example SMPP configuration" e2e_start_bearerbox
e2e_start_box
total=$(($(expected_count text) + $(expected_count expired)))
note "$(expected_count text) texts, $(expected_count expired) expired expected"
check "every text reaches a final state" e2e_wait_settled 90 "$total"
assert_no_loss smsc_sim_texts

check_equal "the SMSC received exactly the expected texts (recipient and body)" \
    "$(expected_texts)" "$(smsc_sim_texts)"
expected_statuses=$( (expected text 2,3,4 | while IFS='|' read -r s g r; do
                          echo "$s|$g|$r|$(smsc_sim_fate "$r")"; done
                      expected expired 2,3,4 | sed 's/$/|expired/') | sort)
check_equal "each text ends as the SMSC decided: delivered, failed, or expired" \
    "$expected_statuses" \
    "$(q "select student_id || '|' || guardian_id || '|' || recipient || '|' || status
            from absence.notification" | sort)"
check "the college has texts of each fate" \
    test "$(echo "$expected_statuses" | cut -d'|' -f4 | sort -u | tr '\n' ' ')" == "delivered expired failed "
check_equal "undelivered texts keep the SMSC's receipt as their reason" "" \
    "$(q "select notification_id from absence.notification
           where status = 'failed' and right(recipient, 1) = '7'
             and failure_reason not like '%stat:UNDELIV%'")"
check_equal "texts the SMSC refused are failed by an SMSC-reject report (16)" "" \
    "$(q "select n.notification_id from absence.notification n
           where n.status = 'failed' and right(n.recipient, 1) = '3'
             and not exists (select 1 from absence.delivery_report r
                              where r.notification_id = n.notification_id and r.dlr_type = 16)")"
check_equal "exactly one pastoral log entry per delivered text, none otherwise" \
    "" "$(pastoral_mismatches)"
check_equal "bearerbox's DLR table is empty once every receipt has come back" "0" \
    "$(kannel_dlr_count)"
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
e2e_done
