#!/bin/bash
# absencectl for the people who run it, against the real stack: report,
# explain, preview, status, export-pastoral, resend and cancel in each of
# their output forms, their errors (one line, exit status 1, nothing
# changed), and the box's admin interface.
. "$(dirname "$0")/lib.sh"
e2e_begin absencectl 240
NOW=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)
LATER=$(date -u -d "$NOW + 30 minutes" +%Y-%m-%dT%H:%M:%S+00:00)
e2e_bearerbox_conf bearerbox-fakesmsc.conf
ADMIN=$(free_port)
e2e_box_conf "admin-port = $ADMIN" "admin-password = s3cret"
ctl() { "$E2E_BIN/absencectl" -c "$RUN/box.conf" "$@"; }
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 400-student college" e2e_generate 13 400 --now "$NOW"
"$E2E_SRC/tests/college_oracle.py" --seed 13 --students 400 --timezone "$E2E_TZ" --now "$NOW" \
    --at "$LATER" >"$RUN/expect-later" 2>/dev/null
check "bearerbox starts" e2e_start_bearerbox
e2e_start_fakesmsc
e2e_start_box
total=$(($(expected_count text) + $(expected_count expired)))
check "every text reaches a final state" e2e_wait_settled 60 "$total"
TODAY=$(TZ=$E2E_TZ date +%Y-%m-%d)

# A fingerprint of everything staff commands could change.
fingerprint() {
    q "select md5(string_agg(n::text, '' order by notification_id)) ||
              (select count(*) from absence.notification_action)
         from absence.notification n"
}

# ---- report ------------------------------------------------------------------

report=$(ctl report)
check_equal "report's table ends with the totals by status" \
    "$(q "select sum(n) || ' texts (' || string_agg(status || ' ' || n, ', ' order by s) || ')'
            from (select status, count(*) n,
                         array_position(array['pending','submitted','sent','delivered','failed',
                                              'expired','unconfirmed'], status) s
                    from absence.notification group by status) t")" \
    "$(echo "$report" | tail -1)"
check_equal "report's table names the day and the time zone" \
    "Delivery report for $TODAY (times in $E2E_TZ)" "$(echo "$report" | head -1)"
check_equal "report --format csv has a header and one line per text" \
    "id,student,guardian,recipient,lesson,status,submitted,delivered,why|$(q "select count(*) + 1 from absence.notification")" \
    "$(ctl report --format csv | head -1 | tr -d '\r')|$(ctl report --format csv | wc -l)"
check_equal "report --format json is one object per text, typed" \
    "$(q "select count(*) from absence.notification where status = 'delivered'")|int" \
    "$(ctl report --format json | python3 -c '
import json, sys
rows = json.load(sys.stdin)
print(str(sum(1 for r in rows if r["status"] == "delivered")) + "|" + type(rows[0]["id"]).__name__)')"
check_equal "report masks every number" "" "$(ctl report --format csv | unmasked_numbers /dev/stdin)"
iso='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}$'
check_equal "report's machine formats give times in ISO 8601 with the college's offset, none as null" \
    "True|True|True" \
    "$(ctl report --format json | python3 -c '
import json, re, sys
rows, iso = json.load(sys.stdin), re.compile(sys.argv[1])
done = [r for r in rows if r["status"] == "delivered"]
print(all(iso.match(r["submitted"]) and iso.match(r["delivered"]) and iso.match(r["lesson"]) for r in done),
      all(r["delivered"] is None and r["submitted"] is None for r in rows if r["status"] == "expired"),
      all(r["why"] is None for r in done), sep="|")' "$iso")"
check_equal "report's CSV shows none as an empty field" "0" \
    "$(ctl report --format csv | grep -c 'null\|(none)')"
student=$(q "select student_id from absence.notification where status = 'delivered' order by 1 limit 1")
check_equal "report --student and --status filter" \
    "$(q "select count(*) from absence.notification where student_id = '$student' and status = 'delivered'")" \
    "$(ctl report --student "$student" --status delivered --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
check_equal "report --date of another day is empty" "0 texts" \
    "$(ctl report --date 2020-01-01 | tail -1)"

# ---- explain --------------------------------------------------------------------

explained=$(ctl explain "$student")
check "explain shows the trigger lesson, settled" \
    grep -q "^Trigger: lesson $(q "select lesson_id from absence.student_day where student_id = '$student'") at .*the day is settled (planned)" <<<"$explained"
check_equal "explain lists each guardian's outcome as the box decided it" \
    "$(q "select count(*) from absence.notification where student_id = '$student'")" \
    "$(grep -c "gets the text$" <<<"$explained")"
check "explain shows the delivery history" grep -q "report 1 (delivered)" <<<"$explained"
check_equal "explain --format json gives times in ISO 8601 with the college's offset" "True" \
    "$(ctl explain "$student" --format json | python3 -c '
import json, re, sys
e, iso = json.load(sys.stdin), re.compile(sys.argv[1])
t = e["trigger"]
print(all(iso.match(v) for v in (t["starts"], t["ends"], t["settled_at"], t["marks_read_at"]))
      and all(iso.match(h["at"]) for h in e["history"]) and all(iso.match(l["starts"]) for l in e["absent_lessons"]))' "$iso")"
check_equal "explain --format json agrees with the database" \
    "settled|$(q "select count(*) from absence.notification where student_id = '$student'")" \
    "$(ctl explain "$student" --format json | python3 -c '
import json, sys
e = json.load(sys.stdin)
print(e["trigger"]["state"] + "|" + str(len(e["texts"])))')"
late=$(awk -F'\t' '$1 == "trigger" && $5 == "register-late" {print $2; exit}' "$RUN/expect")
check "explain says a late register blocked the text" \
    grep -q "no text: the register was taken at .* after the lesson ended at" <<<"$(ctl explain "$late")"
ineligible=$(awk -F'\t' '$1 == "trigger" && $5 == "status-not-eligible" {print $2; exit}' "$RUN/expect")
check "explain says the status was not eligible" \
    grep -q "does not match student-status-pattern C__" <<<"$(ctl explain "$ineligible")"
skipped=$(awk -F'\t' '$1 == "skip" && $5 == "attendance-hidden" {print $2; exit}' "$RUN/expect")
check "explain names a skipped guardian's reason" \
    grep -q "skipped: attendance-hidden" <<<"$(ctl explain "$skipped")"
present=$(q "select student_id from absence.student s where not exists (select 1 from absence.attendance_mark m
             where m.student_id = s.student_id and m.mark = 'O') limit 1")
check "explain says when there was no absence" \
    grep -q "none: no absent mark that day, so no text" <<<"$(ctl explain "$present")"

# ---- preview ----------------------------------------------------------------------

before=$(fingerprint)
check_equal "preview now plans nothing more: every due day is settled" \
    "0 texts would be planned" "$(ctl preview | tail -1 | cut -d, -f1)"
later_texts=$(comm -13 <(expected text 2,3 | sort) <(awk -F'\t' '$1 == "text" {print $2 "|" $3}' "$RUN/expect-later" | sort))
check_equal "preview half an hour on shows exactly the texts falling due by then" \
    "$later_texts" \
    "$(ctl preview --at "$(TZ=$E2E_TZ date -d "$LATER" '+%Y-%m-%d %H:%M')" --format csv |
       awk -F, 'NR > 1 && $5 == "text" {print $1 "|" $2}' | sort)"
check "the preview has texts to show" test -n "$later_texts"
later_local=$(TZ=$E2E_TZ date -d "$LATER" '+%Y-%m-%d %H:%M')
check_equal "preview --at takes ISO 8601's T between date and time" \
    "$(ctl preview --at "$later_local" --format csv | md5sum)" \
    "$(ctl preview --at "${later_local/ /T}" --format csv | md5sum)"
check_equal "preview --at takes the instant with its UTC offset as the exports write it" \
    "$(ctl preview --at "$later_local" --format csv | md5sum)" \
    "$(ctl preview --at "$(TZ=$E2E_TZ date -d "$LATER" '+%Y-%m-%dT%H:%M:00%:z')" --format csv | md5sum)"
check_equal "preview writes nothing" "$before" "$(fingerprint)"

# ---- plan ---------------------------------------------------------------------------

soon=$(TZ=$E2E_TZ date -d '+1 hour' '+%Y-%m-%d %H:%M')
planned=$(ctl plan --at "$soon" 2>&1)
check_equal "plan --at an hour ahead is refused with one line and status 1" "1|1" \
    "$?|$(grep -c "^absencectl: planning at .* would settle [0-9]* student-days ahead of the database's clock" <<<"$planned")"
check_equal "the refused plan wrote nothing" "$before" "$(fingerprint)"

# ---- export-pastoral ----------------------------------------------------------------

pastoral=$(q "select count(*) from absence.pastoral_log")
check_equal "export-pastoral --format csv has every entry" "$((pastoral + 1))" \
    "$(ctl export-pastoral --since "$TODAY" --format csv | python3 -c 'import csv,sys; print(len(list(csv.reader(sys.stdin))))')"
check_equal "export-pastoral --format xml is well-formed, counted, with ISO times" \
    "$pastoral|$pastoral|True" \
    "$(ctl export-pastoral --since "$TODAY" --format xml | python3 -c '
import re, sys, xml.etree.ElementTree as ET
ns = {"p": "urn:absencebox:pastoral-log:1"}
root = ET.parse(sys.stdin).getroot()
entries = root.findall("p:entry", ns)
iso = all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", e.find("p:logged-at", ns).text) for e in entries)
print(root.get("count") + "|" + str(len(entries)) + "|" + str(iso))')"
check_equal "export-pastoral --until before any delivery is empty" "1" \
    "$(ctl export-pastoral --since 2020-01-01 --until 2020-01-02 | wc -l)"
check_equal "an empty XML export still gives its window in ISO 8601 with the offset" \
    "0|2020-01-01T00:00:00$(TZ=$E2E_TZ date -d 2020-01-01 +%:z)|2020-01-02T00:00:00$(TZ=$E2E_TZ date -d 2020-01-02 +%:z)" \
    "$(ctl export-pastoral --since 2020-01-01 --until 2020-01-02 --format xml | python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.stdin).getroot()
print(root.get("count") + "|" + root.get("since") + "|" + root.get("until"))')"

# ---- resend and cancel ------------------------------------------------------------------

expired=($(q "select notification_id from absence.notification where status = 'expired' order by 1 limit 3"))
check "resend puts an expired text back to pending" ctl resend "${expired[0]}" --reason "parent asked for it"
status_of() {
    q "select status from absence.notification where notification_id = $1"
}
check "the box sends the resent text and it is delivered" \
    wait_until 30 eval '[ "$(status_of '"${expired[0]}"')" = delivered ]'
check_equal "the SMSC received the resent text once" "1" \
    "$(fakesmsc_texts | grep -cF "$(q "select body from absence.notification where notification_id = ${expired[0]}")")"
check_equal "the resend is recorded with who and why" "resend|root|parent asked for it|expired" \
    "$(q "select action || '|' || actor || '|' || reason || '|' || status_before from absence.notification_action
           where notification_id = ${expired[0]}")"
check "cancel closes an expired text" ctl cancel "${expired[1]}" --reason "checked with the tutor"
check_equal "report shows the cancellation" "expired|cancelled by staff" \
    "$(ctl report --format csv | awk -F, -v id="${expired[1]}" '$1 == id {print $6 "|" $9}' | tr -d '\r')"

# ---- bad input: one line, exit status 1, nothing changed -------------------------------

delivered=$(q "select notification_id from absence.notification where status = 'delivered' limit 1")
before=$(fingerprint)
bad() {
    local expected=$1
    shift
    check_equal "absencectl $* fails with one clear line and status 1" \
        "absencectl: $expected"$'\n'"status 1" "$(ctl "$@" 2>&1 >/dev/null; echo "status $?")"
}
bad "there is no student 'NOSUCH01'" explain NOSUCH01
bad "--date '2026-02-30' is not a date like 2026-11-23" report --date 2026-02-30
bad "--date '23/11/2026' is not a date like 2026-11-23" report --date 23/11/2026
bad "--format 'xml' is not one of table,csv,json" report --format xml
bad "--status 'sending' is not one of pending, submitted, sent, delivered, failed, expired, unconfirmed" report --status sending
bad "--at 'tomorrow' is not a date and time like '2026-11-23 10:30' or 2026-11-23T10:30+00:00" preview --at tomorrow
bad "--since '2026-11-23T25:00' is not a date and time like '2026-11-23 10:30' or 2026-11-23T10:30+00:00" export-pastoral --since 2026-11-23T25:00
bad "--at '2026-11-23T10:30+1' is not a date and time like '2026-11-23 10:30' or 2026-11-23T10:30+00:00" preview --at 2026-11-23T10:30+1
bad "notification $delivered is delivered: only failed, unconfirmed or expired texts can be resent (it was delivered: resending would text the parent twice)" resend "$delivered" --reason "again"
bad "notification ${expired[1]} was cancelled by root: it will never be sent" cancel "${expired[1]}" --reason "twice"
bad "notification ${expired[1]} was cancelled by root: it will never be sent" resend "${expired[1]}" --reason "parent asked"
bad "usage: absencectl resend ID --reason WHY" resend "$delivered"
bad "'12x' is not a notification id (a number, as absencectl report shows)" resend 12x --reason r
bad "there is no notification 999999" cancel 999999 --reason r
bad "report: unknown option '--colour' (options: --date,--status,--student,--format)" report --colour red
check_equal "the refused commands changed nothing" "$before" "$(fingerprint)"

# ---- the box's admin interface --------------------------------------------------------------

admin() { curl -s -o "$RUN/admin.body" -w '%{http_code}' "http://127.0.0.1:$ADMIN$1"; }
check_equal "/status with the password answers 200 with the box's state" "200|1|1" \
    "$(admin '/status?password=s3cret')|$(grep -c '^bearerbox: connected to' "$RUN/admin.body")|$(grep -c 'box id absencebox' "$RUN/admin.body")"
check_equal "/status.html is a page" "200|1" \
    "$(admin '/status.html?password=s3cret')|$(grep -c '<html>' "$RUN/admin.body")"
check "/status gives the last report in ISO 8601 with the college's offset" \
    grep -qE ', last [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}$' "$RUN/admin.body"
check_equal "/status.xml is well-formed and says connected" "200|true" \
    "$(admin '/status.xml?password=s3cret')|$(python3 -c 'import sys, xml.etree.ElementTree as ET; print(ET.parse(sys.argv[1]).getroot().find("bearerbox/connected").text)' "$RUN/admin.body")"
wait_until 15 eval "admin '/metrics?password=s3cret' >/dev/null; grep -q 'absencebox_texts{status=\"delivered\"} $(q "select count(*) from absence.notification where status = 'delivered'")\$' '$RUN/admin.body'"
check_equal "/metrics counts today's delivered texts in Prometheus form" "200|1|1" \
    "$(admin '/metrics?password=s3cret')|$(grep -c "^absencebox_texts{status=\"delivered\"} $(q "select count(*) from absence.notification where status = 'delivered'")$" "$RUN/admin.body")|$(grep -c '^# TYPE absencebox_bearerbox_up gauge$' "$RUN/admin.body")"
check_equal "/metrics says the box's version and schema version" "1" \
    "$(grep -cE '^absencebox_build_info\{box="absencebox",version="[0-9]+\.[0-9]+\.[0-9]+",schema="[0-9]+"\} 1$' "$RUN/admin.body")"
check_equal "a wrong password gets 403 and nothing else" "403|0" \
    "$(admin '/status?password=guess')|$(wc -c <"$RUN/admin.body")"
check_equal "no password gets 403 and nothing else" "403|0" "$(admin '/metrics')|$(wc -c <"$RUN/admin.body")"
check_equal "an unknown page is 404" "404" "$(admin '/reboot?password=s3cret')"

# ---- contacts: the audit, and a bad contacts file --------------------------------------------

ctl contacts-audit >"$RUN/audit.out"
check_equal "contacts-audit's table ends with the counts by kind" \
    "$(q "select sum(n) || ' findings: ' || string_agg(n || ' ' || kind, ', ' order by listed)
            from (select kind, listed, count(*) n
                    from absence.contacts_audit(absence.policy_settings())
                    join absence.audit_kinds() using (kind) group by kind, listed) t")" \
    "$(tail -1 "$RUN/audit.out")"
check "the generated college has landlines, invalid numbers and unreachable students" \
    grep -qE '^[0-9]+ findings: [0-9]+ invalid-mobile, [0-9]+ landline-as-mobile, .*[0-9]+ unreachable-student' "$RUN/audit.out"
check_equal "contacts-audit --format csv: a header and one line per finding" \
    "kind,student_id,guardian_id,guardian,number,action|$(q "select count(*) + 1 from absence.contacts_audit(absence.policy_settings())")" \
    "$(ctl contacts-audit --format csv | head -1 | tr -d '\r')|$(ctl contacts-audit --format csv | wc -l)"
check_equal "contacts-audit --format json: a list of objects with kind, student, guardian, number and action" \
    "True|$(q "select count(*) from absence.contacts_audit(absence.policy_settings()) where kind = 'landline-as-mobile'")" \
    "$(ctl contacts-audit --format json | python3 -c '
import json, sys
rows = json.load(sys.stdin)
print(str(all({"kind", "student_id", "guardian_id", "number", "action"} <= set(r) for r in rows))
      + "|" + str(sum(1 for r in rows if r["kind"] == "landline-as-mobile")))')"
check_equal "contacts-audit masks every number in every format" "||" \
    "$(unmasked_numbers "$RUN/audit.out")|$(ctl contacts-audit --format csv | unmasked_numbers /dev/stdin)|$(ctl contacts-audit --format json | unmasked_numbers /dev/stdin)"
before=$(q "select md5(string_agg(g::text, '' order by guardian_id)) from absence.guardian g")
printf '<?xml version="1.0"?>\n<CTfile>\n<CTFpupilData>\n<Pupil><UPN>A1</UPN><Contacts>\n<Contact><Order>first</Order></Contact>\n</Contacts></Pupil>\n</CTFpupilData>\n</CTfile>\n' >"$RUN/bad-ctf.xml"
check_equal "import-contacts refuses a bad file with its line, status 1, nothing imported" \
    "1|absencectl: $RUN/bad-ctf.xml:5: Order 'first' is not a number: nothing was imported" \
    "$(ctl import-contacts "$RUN/bad-ctf.xml" 2>"$RUN/import.err"; echo $?)|$(cat "$RUN/import.err")"
check_equal "the refused file changed no guardian and recorded no run" "$before|0" \
    "$(q "select md5(string_agg(g::text, '' order by guardian_id)) from absence.guardian g")|$(q "select count(*) from absence.contact_import")"
check_equal "import-contacts of a missing file says so, status 1" \
    "1|absencectl: $RUN/none.xml: cannot read: No such file or directory: nothing was imported" \
    "$(ctl import-contacts "$RUN/none.xml" 2>"$RUN/import.err"; echo $?)|$(cat "$RUN/import.err")"

# ---- pause and resume: the kill switch ----------------------------------------------------

check_equal "pause stops all sending and says so" "0|1" \
    "$(ctl pause --reason "bad register import" >"$RUN/pause.out"; echo $?)|$(grep -c '^sending is paused from .* (recorded as paused by root): no text is planned or sent until it is resumed$' "$RUN/pause.out")"
check_equal "a second pause is refused with one line" "1|1" \
    "$(ctl pause --reason again 2>"$RUN/pause.err"; echo $?)|$(grep -c '^absencectl: sending is already paused, since .* by root: bad register import$' "$RUN/pause.err")"
ctl status >"$RUN/status.out"
check_equal "status says sending is paused, with exit status 3" "3|1|1" \
    "$?|$(grep -c '^sending:           PAUSED since .* by root: bad register import$' "$RUN/status.out")|$(grep -c '^sending is paused since .* by root: bad register import (absencectl resume ends it)$' "$RUN/status.out")"
ctl resend "${expired[2]}" --reason "parent asked for it" >/dev/null
sleep 3
check_equal "a text resent while paused waits, pending" "pending" "$(status_of "${expired[2]}")"
check "the admin interface shows the pause" \
    wait_until 15 eval "admin '/status?password=s3cret' >/dev/null; grep -qE '^sending: PAUSED since [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2} by root: bad register import$' '$RUN/admin.body'"
check_equal "/metrics has the pause as an unlabelled gauge" "1" \
    "$(admin '/metrics?password=s3cret' >/dev/null; grep -c '^absencebox_sending_paused 1$' "$RUN/admin.body")"
check_equal "/resume from the admin interface ends the pause" "200|1" \
    "$(admin '/resume?password=s3cret')|$(grep -c '^sending is resumed; it had been paused since .* (recorded as resumed by admin interface (127.0.0.1))$' "$RUN/admin.body")"
check "the text resent during the pause goes out after it" \
    wait_until 30 eval '[ "$(status_of '"${expired[2]}"')" = delivered ]'
check_equal "/resume when not paused is a conflict" "409" "$(admin '/resume?password=s3cret')"
check_equal "/suspend pauses, with its reason" "200|1" \
    "$(admin '/suspend?password=s3cret&reason=incident')|$(q "select count(*) from absence.sending_pause where resumed_at is null and reason = 'incident' and paused_by = 'admin interface (127.0.0.1)'")"
check_equal "absencectl resume ends it" "0" "$(ctl resume --reason "all clear" >/dev/null; echo $?)"
check_equal "every pause is kept with who and why" \
    "root|bad register import|admin interface (127.0.0.1)
admin interface (127.0.0.1)|incident|root" \
    "$(q "select paused_by || '|' || reason || '|' || resumed_by from absence.sending_pause order by pause_id")"

# ---- status ---------------------------------------------------------------------------------

check_equal "status is all well while the box runs" "0|all well" \
    "$(ctl status >"$RUN/status.out"; echo "$?")|$(tail -1 "$RUN/status.out")"
check_equal "a second box with the same id is refused, with one line and status 1" "1|1" \
    "$(timeout 30 "$E2E_BIN/absencebox" "$RUN/box.conf" 2>"$RUN/second.err" >/dev/null; echo $?)|$(grep -c "^absencebox: another absencebox is running with box id 'absencebox' against this database (pid $BOX_PID): bearerbox would share its reports between them at random; give each box its own id$" "$RUN/second.err")"
check_equal "/metrics counts texts whose final report is missing" "1" \
    "$(admin '/metrics?password=s3cret' >/dev/null; grep -c '^absencebox_texts_without_report 0$' "$RUN/admin.body")"
check_equal "status --format json gives times in ISO 8601 with the college's offset" "True" \
    "$(ctl status --format json | python3 -c '
import json, re, sys
s, iso = json.load(sys.stdin), re.compile(sys.argv[1])
print(bool(iso.match(s["summary"]["now"]) and iso.match(s["summary"]["last_report_at"])
           and all(iso.match(b["started"]) for b in s["boxes"])))' "$iso")"
check_equal "status --format json agrees with the database" \
    "$(q "select count(*) from absence.notification where status = 'delivered'")|True" \
    "$(ctl status --format json | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(str(s["summary"]["delivered"]) + "|" + str(s["boxes"][0]["connected"]))')"
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
q "update absence.box_status set heartbeat_at = now() - interval '3 minutes'" >/dev/null
q "update absence.notification set status = 'pending', due_at = now() - interval '10 minutes'
    where notification_id = ${expired[1]}" >/dev/null
ctl status >"$RUN/status.out"
check_equal "status exits 3 when the box is silent and a text overdue" "3" "$?"
check "status names both problems" \
    grep -q "box absencebox has sent no heartbeat for" "$RUN/status.out"
check "status names the overdue text" \
    grep -q "^1 texts are pending more than 5 minutes past their due time" "$RUN/status.out"
q "update absence.notification set status = 'sent', delivered_at = null,
          sent_at = now() - interval '20 minutes'
    where notification_id in (select notification_id from absence.notification
                               where status = 'delivered' order by 1 limit 6)" >/dev/null
ctl status >"$RUN/status.out"
check_equal "status raises lost delivery reports, exit status 3" "3|1" \
    "$?|$(grep -cE '^[0-9]+ of [0-9]+ texts sent in the last 2 hours have had no final delivery report for 10 minutes or more: is bearerbox storing its DLRs\?$' "$RUN/status.out")"
e2e_done
