#!/bin/bash
# Bad rows from the MIS against the real stack: rows written before the
# database's checks existed (a student ID of 2,684 characters, one with an
# escape sequence, one with an emoji) are set aside with their reasons while
# every other text of the day goes out; absencectl shows them escaped, and
# status asks for a person. Then planning fails outright: the texts already
# planned are still sent, status names the failure, and once planning works
# again the day's remaining texts are planned.
. "$(dirname "$0")/lib.sh"
e2e_begin bad-rows 240
e2e_bearerbox_conf bearerbox-fakesmsc.conf
ADMIN=$(free_port)
e2e_box_conf "admin-port = $ADMIN" "admin-password = s3cret"
ctl() { "$E2E_BIN/absencectl" -c "$RUN/box.conf" "$@"; }
SETTINGS="absence.policy_settings('{\"timezone\": \"$E2E_TZ\"}')"
ESC=$'\e'
LONG=$(printf 'STE%02681d' 7)
SHOUT="STE${ESC}[2J${ESC}]0;pwned${ESC}\\9"
SMILE=$'STE\xf0\x9f\x98\x801'
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 300-student college" e2e_generate 21 300

# Three students the MIS wrote before migration 010's checks, absent from a
# lesson whose texts are due, each linked to a parent who gets texts.
lesson=$(q "select lesson_id from absence.policy_triggers($SETTINGS, now(),
              now() - interval '1 day', now(), null, true)
             where state = 'due' order by lesson_id limit 1")
guardian=$(q "select guardian_id from absence.guardian where account_status = 'active'
               order by guardian_id limit 1")
usable=$(q "select pg_get_constraintdef(oid) from pg_constraint where conname = 'student_id_usable'")
old_student() {
    q "alter table absence.student drop constraint student_id_usable;
       insert into absence.student (student_id, status_code) values (\$q\$$1\$q\$, 'C01');
       alter table absence.student add constraint student_id_usable $usable;
       insert into absence.attendance_mark values ($lesson, \$q\$$1\$q\$, 'O');
       insert into absence.guardian_student (guardian_id, student_id, link_status)
           values ($guardian, \$q\$$1\$q\$, 'active')" >/dev/null
}
check "a due lesson and a parent are found for the bad rows" test -n "$lesson$guardian"
old_student "$LONG"
old_student "$SHOUT"
old_student "$SMILE"
check_equal "the database refuses such an ID now, naming its check" \
    "student_id_usable" \
    "$(q "insert into absence.student values (E'S\\t1', 'C01')" 2>&1 | grep -o student_id_usable)"

check "bearerbox starts" e2e_start_bearerbox
e2e_start_fakesmsc
e2e_start_box
total=$(($(expected_count text) + $(expected_count expired)))
check "every other text of the day reaches a final state" e2e_wait_settled 90 "$total"
check_equal "every expected text reached the SMSC once, nothing else" \
    "$(expected_texts | cut -f1 | sort)" "$(fakesmsc_texts | cut -f1 | sort)"
check_equal "no text names a bad ID" "0" \
    "$(q "select count(*) from absence.notification where student_id !~ '^STE[0-9]{8}$'")"
check_equal "the three days are set aside, each with its reason" \
    "5|bad-student-id|the student ID has a character outside the GSM alphabet (U+1F600) at position 4, and allow-ucs2 is off
19|bad-student-id|the student ID has a control or invisible character (U+001B) at position 4
2684|bad-student-id|the student ID is 2684 characters long; an ID may have at most 64" \
    "$(q "select length(student_id), kind, reason from absence.plan_quarantine
           where resolved_at is null order by reason")"

status=$(ctl status)
check_equal "absencectl status asks for a person (exit 3)" "3" "$(ctl status >/dev/null; echo $?)"
check "status names the days set aside" \
    grep -qF "3 student-days are set aside, not planned: their data cannot be texted (absencectl quarantine says why)" <<<"$status"
listed=$(ctl quarantine)
check "absencectl quarantine lists the three, the escape sequence escaped" \
    grep -qF 'STE\x1b[2J\x1b]0;pwned\x1b\9' <<<"$listed"
check "absencectl quarantine cuts the long ID, saying its length" \
    grep -qF "STE00000000000000000000000000000... (2684 characters)" <<<"$listed"
check_equal "no raw control character reaches the terminal from quarantine or explain" "0" \
    "$({ ctl quarantine; ctl explain "$SHOUT"; } | tr -d '\n' | LC_ALL=C grep -c '[[:cntrl:]]')"
check "explain says why the day is set aside" \
    grep -qF "no text: the student ID has a control or invisible character (U+001B) at position 4" \
    <(ctl explain "$SHOUT")
check "explain lists the day as set aside by the planner, with its reason" \
    grep -qE "^bad-student-id +the student ID has a control or invisible character \(U\+001B\) at position 4" \
    <(ctl explain "$SHOUT")
check_equal "quarantine --format json keeps the ID as it is" "$SHOUT" \
    "$(ctl quarantine --format json | python3 -c '
import json, sys
print([r["student_id"] for r in json.load(sys.stdin) if r["student_id"].endswith("\\9")][0])')"

# ---- planning fails outright -------------------------------------------------
# Every student-day write fails, and so does setting one aside: plan() raises.
q "create function public.refuse() returns trigger language plpgsql as
       \$\$ begin raise exception 'the disk is full (a test)'; end \$\$;
   create trigger refuse before insert on absence.student_day
       for each row execute function public.refuse();
   create trigger refuse before insert or update on absence.plan_quarantine
       for each row execute function public.refuse();" >/dev/null
planning_failed() {
    [ -n "$(q "select last_plan_error from absence.box_status where box_id = 'absencebox'")" ]
}
check "the box records that planning fails" wait_until 20 planning_failed
q "insert into absence.notification (student_id, guardian_id, lesson_id, school_day, recipient,
                                   body, status, due_at, expires_at)
   select student_id, guardian_id, lesson_id, school_day, '+447700900998',
          'Planned before planning broke', 'pending', now(), now() + interval '1 hour'
     from absence.notification order by notification_id limit 1" >/dev/null
planted_delivered() {
    [ "$(q "select status from absence.notification where recipient = '+447700900998'")" = delivered ]
}
check "a text planned before is still sent and delivered while planning fails" \
    wait_until 30 planted_delivered
check_equal "it reached the SMSC once" "1" \
    "$(fakesmsc_texts | grep -c 'Planned before planning broke')"
status=$(ctl status)
check "status names the failed planning run and its error" \
    grep -qF "box absencebox's last planning run failed (texts already planned are still sent): the disk is full (a test)" <<<"$status"
check "the box logged the failure without stopping" \
    grep -q "planning failed (texts already planned are still sent" "$RUN/box.log"
check "/metrics counts the failed planning runs" \
    grep -qE '^absencebox_plan_failures_total\{box="absencebox"\} [1-9]' <(curl -s "http://127.0.0.1:$ADMIN/metrics?password=s3cret")
check_equal "/metrics counts the days set aside" "absencebox_days_set_aside 3" \
    "$(curl -s "http://127.0.0.1:$ADMIN/metrics?password=s3cret" | grep '^absencebox_days_set_aside ')"
q "drop trigger refuse on absence.student_day; drop trigger refuse on absence.plan_quarantine" \
    >/dev/null
planning_works() {
    [ -z "$(q "select last_plan_error from absence.box_status where box_id = 'absencebox'")" ]
}
check "planning works again once the fault is gone" wait_until 20 planning_works
check_equal "status no longer names a planning failure" "0" \
    "$(ctl status | grep -c 'planning run failed')"
check_equal "every delivered text has one pastoral entry, nothing else has one" "" \
    "$(pastoral_mismatches)"
check_equal "the log names no whole number" "" "$(unmasked_numbers "$RUN/box.log")"
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
e2e_done
