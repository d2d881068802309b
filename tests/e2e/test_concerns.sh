#!/bin/bash
# End to end, attendance concerns: the box finds a student absent on the
# last three school days that are over, plans the concern text when it falls
# due and sends it through bearerbox and fakesmsc; the delivered text is in
# the communication log and the pastoral log, and staff take the concern
# from notified to meeting to closed with absencectl, logging their call.
. "$(dirname "$0")/lib.sh"
e2e_begin concerns 180
e2e_bearerbox_conf bearerbox-fakesmsc.conf
e2e_box_conf
ctl() { "$E2E_BIN/absencectl" -c "$RUN/box.conf" "$@"; }
# count_is N SQL: the query's one value is N (for wait_until)
count_is() { [ "$(q "$2")" = "$1" ]; }
check "absencectl migrate creates the schema" e2e_migrate

# It is early afternoon at the college (E2E_TZ): the last day that is over is
# yesterday. S1 was absent on it and the two days before (lessons 08:00-09:00,
# long past any absence text's window); S2 was absent on one of them only.
q "insert into absence.term values (1, 'This term', current_date - 40, current_date + 40)"
q "insert into absence.student (student_id, status_code) values ('S1', 'C01'), ('S2', 'C01')"
q "insert into absence.guardian (guardian_id, name, mobile, account_status) values
     (101, 'Ann Parent', '07700 900101', 'active'),
     (102, 'Bob Parent', '07700 900102', 'suspended'),
     (201, 'Cat Parent', '07700 900201', 'active')"
q "insert into absence.guardian_student (guardian_id, student_id, link_status) values
     (101, 'S1', 'active'), (102, 'S1', 'active'), (201, 'S2', 'active')"
q "insert into absence.lesson (lesson_id, starts_at, ends_at, register_marked_at)
   select 10 + g, d + time '08:00', d + time '09:00', d + time '08:05'
     from generate_series(1, 3) g,
          lateral (select ((now() at time zone '$E2E_TZ')::date - 4 + g)::timestamp
                          at time zone '$E2E_TZ' as d) x"
q "insert into absence.attendance_mark values (11, 'S1', 'O'), (12, 'S1', 'O'), (13, 'S1', 'O'),
     (11, 'S2', '/'), (12, 'S2', 'O'), (13, 'S2', '/')"
days=$(q "select string_agg(to_char((now() at time zone '$E2E_TZ')::date - 4 + g, 'YYYY-MM-DD'), ',')
            from generate_series(1, 3) g")

check "bearerbox starts with the example fakesmsc configuration" e2e_start_bearerbox
e2e_start_fakesmsc
e2e_start_box
check "the box opens one concern at its first planning run" \
    wait_until 20 count_is 1 "select count(*) from absence.concern_check"
check_equal "the concern is S1's three days in a row, found at the box's evaluation" \
    "S1|consecutive|{$days}|open|3|t" \
    "$(q "select student_id, rule, absence_days, state, term_absence_days,
                 detected_at between now() - interval '1 minute' and now()
            from absence.attendance_concern")"
check_equal "its text waits for the next concern-send-time on a weekday" \
    "0|t|09:30" \
    "$(q "select count(*) filter (where kind = 'concern'),
                 (select extract(isodow from text_due_at at time zone '$E2E_TZ') < 6
                    from absence.attendance_concern),
                 (select to_char(text_due_at at time zone '$E2E_TZ', 'HH24:MI')
                    from absence.attendance_concern)
            from absence.notification")"

# The next morning arrives: the concern's text falls due now.
q "update absence.attendance_concern set text_due_at = now(), text_expires_at = now() + interval '1 hour'"
check "the concern text is planned, sent and delivered" \
    wait_until 30 count_is 1 "select count(*) from absence.notification
                              where kind = 'concern' and status = 'delivered'"
check_equal "fakesmsc received exactly the concern text, for the one guardian who can be texted" \
    "+447700900101"$'\t'"Attendance concern: student S1 has been absent on 3 days this term. Please contact the college to discuss: https://tinyurl.com/runabs" \
    "$(fakesmsc_texts)"
check_equal "the suspended guardian is recorded as skipped" "102|account-not-active" \
    "$(q "select guardian_id || '|' || reason from absence.concern_skip")"
check_equal "the delivery is in the communication log, with the concern" \
    "S1|101|sms|out|delivered|absencebox|t" \
    "$(q "select student_id, guardian_id, method, direction, outcome, recorded_by,
                 concern_id = (select concern_id from absence.attendance_concern)
            from absence.communication_log")"
check_equal "and in the pastoral log as an attendance concern" "Attendance concern|t" \
    "$(q "select category, entry like '%\"Attendance concern: student S1 has been absent%'
            from absence.pastoral_log")"
check_equal "the concern is notified" "notified" \
    "$(q "select state from absence.attendance_concern")"
id=$(q "select concern_id from absence.attendance_concern")

check_equal "absencectl concerns lists it with its text's outcome" \
    "concern,student,term,rule,days,term_absence_days,detected,state,texts,note
$id,S1,1,consecutive,${days//,/ },3,$(q "select absence.iso_local(detected_at, '$E2E_TZ') from absence.attendance_concern"),notified,1 delivered," \
    "$(ctl concerns --format csv | tr -d '\r')"
check_equal "log-contact records the head of year's call" \
    "logged contact 2: phone with the family of S1, spoke to mother: ill, back Monday (recorded by $(id -un))" \
    "$(ctl log-contact S1 --method phone --outcome 'spoke to mother: ill, back Monday' \
           --guardian 101 --concern "$id" --note 'GP letter to follow')"
check_equal "a contact with a guardian of another student is refused, nothing logged" \
    "absencectl: guardian 201 is not linked to student S1"$'\n'"exit 1|2" \
    "$(ctl log-contact S1 --method phone --outcome x --guardian 201 2>&1; echo "exit $?")|$(q "select count(*) from absence.communication_log")"
check_equal "concern meeting moves it on, with the note" \
    "concern $id (student S1) is now meeting (recorded by $(id -un))" \
    "$(ctl concern meeting "$id" --note 'meeting with mother on Friday')"
check_equal "concern close ends it" \
    "concern $id (student S1) is now closed (recorded by $(id -un))" \
    "$(ctl concern close "$id" --note 'attendance plan agreed')"
check_equal "a closed concern stays closed" "exit 1" \
    "$(ctl concern close "$id" --note again >/dev/null 2>&1; echo "exit $?")"
check_equal "concern with another verb is refused" \
    "absencectl: concern: 'open' is neither meeting nor close (absencectl concern --help)|1" \
    "$(ctl concern open "$id" --note x 2>&1)|$?"
check_equal "concerns lists no open concern now, --all the closed one" \
    "no open concerns|closed|attendance plan agreed" \
    "$(ctl concerns)|$(ctl concerns --all --format json | python3 -c 'import json, sys
c = json.load(sys.stdin)[0]; print(c["state"] + "|" + c["note"])')"
check_equal "explain shows the day's contacts, the text masked" "t|t|t" \
    "$(ctl explain S1 | python3 -c 'import sys
t = sys.stdin.read()
print("t" if "Contacts with the family that day" in t else "f",
      "t" if "spoke to mother" in t or "delivered" in t else "f",
      "f" if "900101" in t else "t", sep="|")')"
export_csv=$(ctl export-pastoral --since "$(date -u +%Y-%m-%d)" --what communication-log --format csv)
check_equal "export-pastoral --what communication-log gives the MIS both contacts" \
    "sms,out,delivered|phone,out,spoke to mother: ill, back Monday" \
    "$(printf '%s\n' "$export_csv" | python3 -c 'import csv, sys
rows = list(csv.DictReader(sys.stdin))
print("|".join(",".join((r["method"], r["direction"], r["outcome"])) for r in rows))')"
check_equal "and as XML, one contact element each" "2|urn:absencebox:communication-log:1" \
    "$(ctl export-pastoral --since "$(date -u +%Y-%m-%d)" --what communication-log --format xml |
       python3 -c 'import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.stdin).getroot()
print(root.get("count"), root.tag[1:].split("}")[0], sep="|")')"
check_equal "--what with another log is refused" \
    "absencectl: --what 'notes' is neither pastoral-log nor communication-log|1" \
    "$(ctl export-pastoral --since 2026-01-01 --what notes 2>&1)|$?"

e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
check_equal "no phone number is logged in full" "" "$(unmasked_numbers "$RUN/box.log" "$RUN/box.out")"
e2e_done
