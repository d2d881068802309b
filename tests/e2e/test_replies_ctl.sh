#!/bin/bash
# Parents' replies and opt-outs as staff see and make them, without
# bearerbox: texts planned with `absencectl plan --at` and marked delivered
# by SQL, replies stored as the box stores them (absence.receive_replies).
# absencectl replies in its three forms with --unmatched and --since, the
# candidates and a body's control characters; opt-out and opt-in by staff
# with their record, refusals and the already-so answers; opt-outs; and
# explain's replies and opted-out guardians. No number is shown unmasked.
. "$(dirname "$0")/lib.sh"
e2e_begin replies_ctl 120
BOX_PORT=$(free_port)
e2e_box_conf
ctl() { "$E2E_BIN/absencectl" -c "$RUN/box.conf" "$@"; }
OUT=$RUN/outputs   # everything absencectl printed, for the unmasked-number check
# run: ctl with its output and errors kept in $OUT too
run() { ctl "$@" 2>&1 | tee -a "$OUT"; return "${PIPESTATUS[0]}"; }
check "absencectl migrate creates the schema" e2e_migrate
TODAY=$(TZ=$E2E_TZ date +%Y-%m-%d)
ME=$(id -un)

# receive AT FROM BODY_SQL: one reply stored as the box stores it, received
# at AT (college time), BODY_SQL an SQL expression.
receive() {
    q "select received || '|' || matched || '|' || opted_out
         from absence.receive_replies(absence.policy_settings('{\"timezone\": \"$E2E_TZ\"}'),
                'absencebox', array[gen_random_uuid()],
                array[extract(epoch from '$1'::timestamp at time zone '$E2E_TZ')::bigint],
                array['$2'], array['60123'], array[$3], array[0],
                array[encode(convert_to($3, 'UTF8'), 'hex')], array['fake'])"
}
# day OFFSET: the college date OFFSET days from today; at OFFSET HH:MI that day's time
day() { date -d "$TODAY $1 days" +%Y-%m-%d; }
at() { echo "$(day "$1") $2"; }
# iso 'DATE HH:MI': that college time as absencectl writes it for programs
iso() { q "select absence.iso_local('$1'::timestamp at time zone '$E2E_TZ', '$E2E_TZ')"; }
# ids: the ids of the JSON rows on stdin, "3,2,1"
ids() { python3 -c 'import json, sys; print(",".join(str(r["id"]) for r in json.load(sys.stdin)))'; }
# The rows of a text table: replies_row ID RECEIVED FROM STUDENT GUARDIAN TEXT KEYWORD CANDIDATES BODY
replies_row() { printf '%-2s  %-16s  %-14s  %-5s  %-7s  %-8s  %-4s  %-7s  %-10s  %s\n' \
                       "$1" "$2" "$3" 60123 "$4" "$5" "$6" "$7" "$8" "$9"; }
explain_row() { printf '%-2s  %-8s  %-14s  %-7s  %-22s  %-4s  %s\n' "$@"; }

# S1 and S2 are children of guardian 101, S3 and S5 of 201, S4 of 401;
# every one absent from a lesson at nine this morning.
q "insert into absence.student (student_id, status_code) values
     ('S1', 'C01'), ('S2', 'C01'), ('S3', 'C01'), ('S4', 'C01'), ('S5', 'C01')"
q "insert into absence.guardian (guardian_id, name, mobile, account_status) values
     (101, 'Ann Parent', '07700 900101', 'active'),
     (201, 'Cat Parent', '07700 900212', 'active'),
     (401, 'Dan Parent', '07700 900423', 'active')"
q "insert into absence.guardian_student (guardian_id, student_id, link_status) values
     (101, 'S1', 'active'), (101, 'S2', 'active'), (201, 'S3', 'active'),
     (201, 'S5', 'active'), (401, 'S4', 'active')"
q "insert into absence.lesson (lesson_id, starts_at, ends_at, register_marked_at)
   values (1, '$TODAY 09:00'::timestamp at time zone '$E2E_TZ',
           '$TODAY 10:00'::timestamp at time zone '$E2E_TZ',
           '$TODAY 09:05'::timestamp at time zone '$E2E_TZ')"
q "insert into absence.attendance_mark values (1, 'S1', 'O'), (1, 'S2', 'O'), (1, 'S3', 'O'),
     (1, 'S4', 'O'), (1, 'S5', 'O')"

# ---- staff opt a number out -------------------------------------------------------

check_equal "opt-out by staff: the number masked, no text was pending" \
    "opted out +4477009****23 (no pending texts)|0" \
    "$(run opt-out '07700 900423' --reason 'asked at parents evening')|$?"
check_equal "it is on absence.opt_out, via staff, with who and why" \
    "+447700900423|staff||$ME|asked at parents evening|t" \
    "$(q "select recipient, via, reply_id, recorded_by, reason,
                 opted_out_at between now() - interval '1 minute' and now()
            from absence.opt_out")"
check_equal "and in its history" "+447700900423|out|staff|$ME|asked at parents evening" \
    "$(q "select recipient, action, via, recorded_by, reason from absence.opt_out_change")"
SAID=$(q "select to_char(opted_out_at at time zone '$E2E_TZ', 'YYYY-MM-DD HH24:MI')
            from absence.opt_out")
check_equal "explain, before the day is planned, says how the guardian opted out" \
    "skipped: opted-out (by staff on $SAID: asked at parents evening)" \
    "$(run explain S4 --format json | python3 -c 'import json, sys
print(json.load(sys.stdin)["guardians"][0]["outcome"])')"

check_equal "a landline is refused, nothing recorded" \
    "absencectl: 016****60 is not a mobile number: only a mobile (a UK one, or another country's with its +) can be opted out|1|1" \
    "$(run opt-out '01632 960960' --reason 'x')|$?|$(q "select count(*) from absence.opt_out_change")"
check_equal "opt-in refuses a landline too" \
    "absencectl: 016****60 is not a mobile number: only a mobile (a UK one, or another country's with its +) can be opted in|1" \
    "$(run opt-in '01632 960960' --reason 'x')|$?"
check_equal "--reason is required" "absencectl: usage: absencectl opt-out NUMBER --reason TEXT|1" \
    "$(run opt-out '07700 900212')|$?"
check_equal "a blank reason is refused, nothing recorded" \
    "absencectl: say why with --reason \"...\"; every opt-out and opt-in by staff is recorded|1|1" \
    "$(run opt-out '07700 900212' --reason '  ')|$?|$(q "select count(*) from absence.opt_out")"

# ---- the morning's texts, and a staff opt-out stopping pending ones ---------------

ctl plan --at "$TODAY 10:20" >/dev/null
check_equal "the plan texts 101 about S1 and S2, 201 about S3 and S5, skips 401" \
    "S1|101|pending,S2|101|pending,S3|201|pending,S5|201|pending|S4|401|opted-out" \
    "$(q "select string_agg(student_id || '|' || guardian_id || '|' || status, ','
                            order by student_id) from absence.notification")|$(q "select student_id || '|' || guardian_id || '|' || reason from absence.guardian_skip")"
check_equal "opt-out of 201's number stops its two pending texts" \
    "opted out +4477009****12 (2 pending texts stopped)|0" \
    "$(run opt-out '+44 7700 900212' --reason 'mother: texts upset her')|$?"
check_equal "they are expired, saying why" \
    "S3|expired|not sent: the number opted out (through staff) before it went out
S5|expired|not sent: the number opted out (through staff) before it went out" \
    "$(q "select student_id, status, failure_reason from absence.notification
           where guardian_id = 201 order by student_id")"
# 101's texts went out at 10:21 (S2) and 10:22 (S1): its replies match S1
q "update absence.notification
      set status = 'delivered',
          submitted_at = case student_id when 'S1' then '$TODAY 10:22' else '$TODAY 10:21' end
                         ::timestamp at time zone '$E2E_TZ',
          sent_at = now(), delivered_at = now()
    where guardian_id = 101"
TEXT1=$(q "select notification_id from absence.notification where student_id = 'S1'")

# ---- replies ------------------------------------------------------------------------

check_equal "a reply with control characters matches S1's text, S2 its candidate" "1|1|0" \
    "$(receive "$TODAY 10:40" 447700900101 "E'Ill today\\nback tomorrow\\u001b[2J'")"
check_equal "a reply from a number never texted matches nothing" "1|0|0" \
    "$(receive "$TODAY 11:00" 07700900999 "'who is this?'")"
check_equal "STOP from 101's number opts it out" "1|1|1" \
    "$(receive "$TODAY 12:00" +447700900101 "' Stop '")"
check_equal "a reply three days ago, unmatched" "1|0|0" \
    "$(receive "$(at -3 09:30)" 447700900888 "'wrong number'")"
check_equal "a reply ten days ago" "1|0|0" "$(receive "$(at -10 09:30)" 447700900888 "'hello'")"
check_equal "stored: senders in E.164, keywords" \
    "1|+447700900101|S1|101||S2
2|+447700900999||||
3|+447700900101|S1|101|stop|S2
4|+447700900888||||
5|+447700900888||||" \
    "$(q "select r.reply_id, r.sender, r.student_id, r.guardian_id, r.keyword,
                 coalesce((select string_agg(student_id, ',') from absence.reply_candidate c
                            where c.reply_id = r.reply_id), '')
            from absence.reply r order by r.reply_id")"

ESCAPED='Ill today\nback tomorrow\x1b[2J'
check_equal "replies: the last 7 days, newest first, numbers masked, the body escaped" \
    "$(replies_row id received from student guardian text keyword candidates body | sed 's/60123/to   /')
$(replies_row -- ---------------- -------------- ------- -------- ---- ------- ---------- \
              "$(printf -- '-%.0s' $(seq ${#ESCAPED}))" | sed 's/60123/-----/')
$(replies_row 3 "$TODAY 12:00" '+4477009****01' S1 101 "$TEXT1" stop S2 ' Stop ')
$(replies_row 2 "$TODAY 11:00" '+4477009****99' '' '' '' '' '' 'who is this?')
$(replies_row 1 "$TODAY 10:40" '+4477009****01' S1 101 "$TEXT1" '' S2 "$ESCAPED")
$(replies_row 4 "$(at -3 09:30)" '+4477009****88' '' '' '' '' '' 'wrong number')" \
    "$(run replies)"
check_equal "replies --format csv: the times in ISO 8601, the body as written" \
    "id,received,from,to,student,guardian,text,keyword,candidates,body
3,$(iso "$TODAY 12:00"),+4477009****01,60123,S1,101,$TEXT1,stop,S2, Stop 
2,$(iso "$TODAY 11:00"),+4477009****99,60123,,,,,,who is this?
1,$(iso "$TODAY 10:40"),+4477009****01,60123,S1,101,$TEXT1,,S2,\"Ill today
back tomorrow"$'\e'"[2J\"
4,$(iso "$(at -3 09:30)"),+4477009****88,60123,,,,,,wrong number" \
    "$(run replies --format csv | tr -d '\r')"
check_equal "replies --format json: nulls for what is not known, numbers typed" \
    "[{\"id\": 3, \"received\": \"$(iso "$TODAY 12:00")\", \"from\": \"+4477009****01\", \"to\": \"60123\", \"student\": \"S1\", \"guardian\": 101, \"text\": $TEXT1, \"keyword\": \"stop\", \"candidates\": \"S2\", \"body\": \" Stop \"}
|None|None|None|Ill today
back tomorrow"$'\e'"[2J|4" \
    "$(run replies --format json | python3 -c 'import json, sys
text = sys.stdin.read()
print(text.splitlines()[0].rstrip(","))
r = json.loads(text)
print("", r[1]["student"], r[1]["text"], r[1]["keyword"], r[2]["body"], len(r), sep="|")')"
check_equal "--unmatched: only the replies with no student" "2,4" \
    "$(run replies --unmatched --format json | ids)"
check_equal "absencectl status counts today's replies (3, 2, 1), and the one matched to no text (2)" \
    "replies today:     3 received, 1 matched to no text (absencectl replies --unmatched)|3|1" \
    "$(ctl status | grep '^replies today:')|$(ctl status --format json | python3 -c 'import json, sys
s = json.load(sys.stdin)["summary"]; print(s["replies_today"], s["unmatched_replies_today"], sep="|")')"
check_equal "--since a date: on or after that day at the college" "3,2,1|3,2,1,4,5" \
    "$(run replies --since "$TODAY" --format json | ids)|$(run replies --since "$(day -10)" --format json | ids)"
check_equal "nothing since tomorrow, said so" "no unmatched replies since $(day 1)|0" \
    "$(run replies --unmatched --since "$(day 1)")|$?"
check_equal "a bad date is refused" \
    "absencectl: --since 'yesterday' is not a date like 2026-11-23|1
absencectl: --since '2026-02-30' is not a date like 2026-11-23|1" \
    "$(run replies --since yesterday)|$?
$(run replies --since 2026-02-30)|$?"

# ---- opted out by reply, staff opt in -----------------------------------------------

check_equal "opt-out of a number that opted out by reply says so, changes nothing" \
    "+4477009****01 was already opted out since $TODAY 12:00 (by reply)|0|1" \
    "$(run opt-out 07700900101 --reason 'father asked')|$?|$(q "select count(*) from absence.opt_out_change where recipient = '+447700900101'")"
check_equal "opt-in by staff takes it off" \
    "opted in +4477009****01 (opted out since $TODAY 12:00 by reply)|0" \
    "$(run opt-in '(07700) 900-101' --reason 'father called: wants texts again')|$?"
check_equal "its history: out by reply, in by staff with the reason" \
    "out|reply|3|absencebox|
in|staff||$ME|father called: wants texts again" \
    "$(q "select action, via, reply_id, recorded_by, reason from absence.opt_out_change
           where recipient = '+447700900101' order by change_id")"
check_equal "opt-in again: it was not opted out" "+4477009****01 was not opted out|0" \
    "$(run opt-in 07700900101 --reason again)|$?"
check_equal "staff changes send no confirmation: only the STOP's (then expired by the opt-in)" \
    "3|stop|expired" \
    "$(q "select reply_id, kind, status from absence.confirmation_text")"
check_equal "already opted out by staff: the reason too" \
    "+4477009****23 was already opted out since $SAID (by staff: asked at parents evening)|0" \
    "$(run opt-out 07700900423 --reason again)|$?"

OPTED=$(q "select to_char(opted_out_at at time zone '$E2E_TZ', 'YYYY-MM-DD HH24:MI')
             from absence.opt_out where recipient = '+447700900212'")
check_equal "opt-outs --format csv" \
    "number,since,via,recorded_by,reason,students
+4477009****12,$(q "select absence.iso_local(opted_out_at, '$E2E_TZ') from absence.opt_out where recipient = '+447700900212'"),staff,$ME,mother: texts upset her,\"S3,S5\"
+4477009****23,$(q "select absence.iso_local(opted_out_at, '$E2E_TZ') from absence.opt_out where recipient = '+447700900423'"),staff,$ME,asked at parents evening,S4" \
    "$(run opt-outs --format csv | tr -d '\r')"
check_equal "opt-outs in text: the college's time" "2|$OPTED|$SAID" \
    "$(run opt-outs | tail -n +3 | wc -l)|$(run opt-outs | sed -n 3p | cut -c17-32)|$(run opt-outs | sed -n 4p | cut -c17-32)"
check_equal "opt-outs --format json" "S3,S5|staff|mother: texts upset her" \
    "$(run opt-outs --format json | python3 -c 'import json, sys
o = json.load(sys.stdin)[0]; print(o["students"], o["via"], o["reason"], sep="|")')"

# ---- explain ------------------------------------------------------------------------

check_equal "explain S4 after the plan: skipped, opted out by staff, with the reason" \
    "skipped: opted-out (by staff on $SAID: asked at parents evening)" \
    "$(run explain S4 --format json | python3 -c 'import json, sys
print(json.load(sys.stdin)["guardians"][0]["outcome"])')"
check_equal "explain S1 --format json: its replies that day, matched" \
    "1|10:40:00|+4477009****01|None|matched|$TEXT1|Ill today
back tomorrow"$'\e'"[2J
3|12:00:00|+4477009****01|stop|matched|$TEXT1| Stop " \
    "$(run explain S1 --format json | python3 -c 'import json, sys
for r in json.load(sys.stdin)["replies"]:
    print(r["id"], r["at"][11:19], r["from"], r["keyword"], r["match"], r["text"], r["body"], sep="|")')"
TEXT2=$(q "select notification_id from absence.notification where student_id = 'S2'")
check_equal "explain S2: the same replies, S2 a candidate" \
    "Replies that day (matched to the student, or the student a candidate)
$(explain_row id at from keyword match text body)
$(explain_row -- -------- -------------- ------- ---------------------- ---- \
              "$(printf -- '-%.0s' $(seq ${#ESCAPED}))")
$(explain_row 1 10:40:00 '+4477009****01' '' 'candidate (matched S1)' "$TEXT2" "$ESCAPED")
$(explain_row 3 12:00:00 '+4477009****01' stop 'candidate (matched S1)' "$TEXT2" ' Stop ')" \
    "$(run explain S2 | sed -n '/^Replies that day/,$p')"
check_equal "explain S3: no replies" "Replies that day (matched to the student, or the student a candidate)
  none" "$(run explain S3 | sed -n '/^Replies that day/,$p')"
check_equal "explain of another day: none" "  none" \
    "$(run explain S1 --date "$(day -1)" | sed -n '/^Replies that day/,$p' | tail -1)"

check_equal "no number is shown unmasked" "" "$(unmasked_numbers "$OUT")"
e2e_done
