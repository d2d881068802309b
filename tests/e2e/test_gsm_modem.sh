#!/bin/bash
# End to end through a GSM modem: the example conf/bearerbox-gsm-modem.conf
# runs bearerbox's AT driver (smsc = at) over rawtcp against a simulated
# modem (tests/modem-sim/modem_sim.py). One absent student's text must leave
# as a PDU-mode AT+CMGS asking for a status report, the modem's unsolicited
# +CDS status report must reach the box, and the text must end delivered
# with one pastoral log entry.
. "$(dirname "$0")/lib.sh"
e2e_begin gsm_modem 180

# One student absent from a lesson that ended half an hour ago (its text is
# due 20 minutes after the end), with one guardian who may be texted.
load_college() {
    q "insert into absence.student (student_id, status_code, forename, surname)
            values ('STE04049635', 'C01', 'Sam', 'Example');
       insert into absence.lesson (lesson_id, starts_at, ends_at, title, register_marked_at)
            values (1, now() - interval '90 minutes', now() - interval '30 minutes',
                    'English', now() - interval '80 minutes');
       insert into absence.attendance_mark (lesson_id, student_id, mark)
            values (1, 'STE04049635', 'O');
       insert into absence.guardian (guardian_id, name, mobile, email, account_status)
            values (1, 'Pat Example', '07700 900123', 'pat@example.org', 'active');
       insert into absence.guardian_student
                   (guardian_id, student_id, link_status, hide_attendance, prime, priority, source)
            values (1, 'STE04049635', 'active', false, true, 1, 'manual');"
}

# Texts the modem received, "destination|type of address|report requested|text".
modem_texts() {
    [ -f "$RUN/modem.jsonl" ] || return 0
    python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    t = json.loads(line)
    print("|".join([t["destination"], t["type_of_address"],
                    str(t["status_report_requested"]).lower(), t["text"]]))' "$RUN/modem.jsonl"
}

notification_status() {
    q "select status from absence.notification"
}

# The modem's transcript (what it got and sent) has the line.
transcript_has() {
    grep -qF -- "$1" "$RUN/modem-sim.out"
}

e2e_bearerbox_conf bearerbox-gsm-modem.conf
# The example's modem is /dev/ttyUSB0; here it is the simulator over TCP, on
# the smsc group's port that e2e_bearerbox_conf chose. The service centre is
# set so that the driver's AT+CSCA is exercised too.
MODEM_PORT=$(awk '/^group = smsc/{s=1} s && /^port =/{print $3; exit}' "$RUN/bearerbox.conf")
SMS_CENTER=+447700900555
conf_set "$RUN/bearerbox.conf" smsc device rawtcp
conf_set "$RUN/bearerbox.conf" smsc host 127.0.0.1
conf_set "$RUN/bearerbox.conf" smsc sms-center "$SMS_CENTER"
e2e_box_conf
check "absencectl migrate creates the schema" e2e_migrate
check "a one-student college loads" load_college
lesson_time=$(q "select to_char(starts_at at time zone '$E2E_TZ', 'HH24:MI') from absence.lesson")
body="Student STE04049635 did not attend their lesson today at $lesson_time. If this is a genuine absence, please notify us here: https://tinyurl.com/runabs"
note "time zone $E2E_TZ; modem on port $MODEM_PORT"

python3 "$E2E_SRC/tests/modem-sim/modem_sim.py" --port "$MODEM_PORT" --log "$RUN/modem.jsonl" \
    --report-delay 1 >>"$RUN/modem-sim.out" 2>&1 &
e2e_track $!
check "the simulated modem listens" wait_until 20 port_open "$MODEM_PORT"
check "bearerbox starts with the example GSM modem configuration" e2e_start_bearerbox
check "the AT driver initialises the modem" \
    wait_until 30 grep -q "AT SMSC successfully opened" "$RUN/bearerbox.log"
check "the driver routes status reports to itself (AT+CNMI ds = 1)" \
    transcript_has "<- AT+CNMI=1,2,0,1,0"
check "the driver sets the service centre" transcript_has "<- AT+CSCA=\"$SMS_CENTER\""
e2e_start_box

check "the text is delivered" wait_until 60 eval '[ "$(notification_status)" == delivered ]'
check_equal "the modem received exactly one text, to +447700900123 (TON international), with a status report requested and the expected body" \
    "447700900123|91|true|$body" "$(modem_texts)"
check_equal "the notification is the delivered text" \
    "+447700900123|delivered|$body" \
    "$(q "select recipient || '|' || status || '|' || body from absence.notification")"
mr=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["mr"])' \
         "$RUN/modem.jsonl" 2>/dev/null)
check "the modem sent a +CDS status report (25 octets) for the text's reference" \
    eval 'transcript_has "status report for text ${mr:-?}: delivered" && transcript_has "-> +CDS: 25 | "'
check "the driver decoded the report, from the service centre it set, for that reference" \
    eval 'grep -qF "received message from SMSC: $SMS_CENTER" "$RUN/bearerbox.log" &&
          grep -qF "got STATUS-REPORT for message <${mr:-?}>" "$RUN/bearerbox.log"'
check_equal "the box got the SMSC's acceptance (8) and the status report (1) for the text" \
    "1 8" \
    "$(q "select string_agg(r.dlr_type::text, ' ' order by r.dlr_type)
            from absence.delivery_report r join absence.notification n using (notification_id)")"
check_equal "no report came for an unknown text" "0" \
    "$(q "select count(*) from absence.delivery_report where notification_id is null")"
check_equal "exactly one pastoral log entry, for the delivered text" \
    "1|" "$(q "select count(*) from absence.pastoral_log")|$(pastoral_mismatches)"
check_equal "bearerbox's DLR table is empty once the report has come back" "0" \
    "$(kannel_dlr_count)"
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
check_equal "no phone number is logged in full by the box" "" \
    "$(unmasked_numbers "$RUN/box.log" "$RUN/box.out")"
e2e_done
