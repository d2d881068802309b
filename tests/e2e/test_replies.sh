#!/bin/bash
# Parents' replies end to end: texts from phones sent by the SMPP simulator
# (deliver_sm) to the college's reply number, routed by bearerbox's
# smsbox-route of the example configuration to absencebox, stored once each
# and matched to the latest text sent to that number; stop and start words
# opt the number out and in with one confirmation text each; replies sent
# while the box is stopped, or frozen with bearerbox's write unacknowledged,
# are stored exactly once after its restart; UCS-2 bodies keep their emoji.
# Texts to the college's other numbers still go to the college's smsbox.
. "$(dirname "$0")/lib.sh"
e2e_begin replies 200
e2e_bearerbox_conf bearerbox-smpp.conf
REPLY_NUMBER=447700900000
OFFICE_NUMBER=447700900555
check "the example configuration routes the reply number, as sent and international, to absencebox" \
    grep -qxF "shortcode = $REPLY_NUMBER;+$REPLY_NUMBER" "$RUN/bearerbox.conf"
# The college's smsbox beside it answers texts to any other number.
conf_set "$RUN/bearerbox.conf" smsbox log-file "$RUN/smsbox.log"
conf_set "$RUN/bearerbox.conf" smsbox log-level 0
printf '\ngroup = sms-service\nkeyword = default\ntext = "College office: we will call you back"\n' \
    >>"$RUN/bearerbox.conf"
BOX_ADMIN=$(free_port)
e2e_box_conf "sender = $REPLY_NUMBER" "admin-port = $BOX_ADMIN" "admin-password = s3cret"
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 60-student college" e2e_generate 4 60
check "the SMPP simulator starts" e2e_start_smsc_sim 100
check "bearerbox starts with the example SMPP configuration" e2e_start_bearerbox
/usr/sbin/smsbox -v 4 "$RUN/bearerbox.conf" >>"$RUN/smsbox.out" 2>&1 &
e2e_track $!
e2e_start_box
total=$(($(expected_count text) + $(expected_count expired)))
check "every absence text reaches a final state" e2e_wait_settled 60 "$total"
check_equal "the absence texts go out from the reply number" "$REPLY_NUMBER" \
    "$(node -e '
        const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
        const sources = new Set(lines.filter((l) => l).map((l) => JSON.parse(l).source));
        console.log([...sources].join(" "))' "$RUN/smsc-sim.jsonl")"

# ---- helpers -------------------------------------------------------------------

# Numbers texted about one student only, whose texts were delivered.
delivered_numbers=($(q "select recipient from absence.notification where status = 'delivered'
                         group by recipient having count(distinct student_id) = 1
                         order by recipient"))
note "${#delivered_numbers[@]} numbers with a delivered text"
PARENT=${delivered_numbers[0]}       # replies
TWO=${delivered_numbers[1]}          # texted about a second student
STOPPER=${delivered_numbers[2]}      # stop words, then start
UNSUB=${delivered_numbers[3]}        # unsubscribe
LATE=${delivered_numbers[4]}         # replies while the box is down
UNKNOWN=+447700900998
check "the college has five numbers with delivered texts, and the unknown number has none" \
    test "${#delivered_numbers[@]}" -ge 5 -a \
    "$(q "select count(*) from absence.notification where recipient = '$UNKNOWN'")" = 0

# new_absence STUDENT NUMBER: a new student, linked to the guardian texted at
# NUMBER, absent from a lesson that ended 30 minutes ago, register taken on
# time: the box plans a text (or a skip) for it.
new_absence() {
    q "insert into absence.student (student_id, status_code) values ('$1', 'C01');
       insert into absence.lesson (lesson_id, starts_at, ends_at, title, register_marked_at)
       select max(lesson_id) + 1, now() - interval '80 minutes', now() - interval '30 minutes',
              'Replies test', now() - interval '75 minutes'
         from absence.lesson;
       insert into absence.attendance_mark (lesson_id, student_id, mark)
       select max(lesson_id), '$1', 'O' from absence.lesson;
       insert into absence.guardian_student (guardian_id, student_id, link_status)
       select guardian_id, '$1', 'active' from absence.notification
        where recipient = '$2' limit 1" >/dev/null
}

replies_with() {
    q "select count(*) from absence.reply where $1"
}

# reply_count_is N CONDITION
reply_count_is() {
    [ "$(replies_with "$2")" -eq "$1" ]
}

# The reply from NUMBER with BODY as "notification|student|guardian|receiver".
reply_row() {
    q "select coalesce(notification_id::text, '-') || '|' || coalesce(student_id, '-') || '|' ||
              coalesce(guardian_id::text, '-') || '|' || receiver
         from absence.reply where sender = '$1' and body = \$body\$$2\$body\$"
}

# The latest text to NUMBER as "notification|student|guardian".
latest_text() {
    q "select notification_id || '|' || student_id || '|' || guardian_id
         from absence.notification where recipient = '$1' and submitted_at is not null
        order by submitted_at desc, notification_id desc limit 1"
}

# Texts the SMSC received for NUMBER containing WORDS.
smsc_texts_to() {
    smsc_sim_texts | grep -c "^$1"$'\t'".*$2"
}

bearerbox_status() {
    curl -s -m 5 "http://127.0.0.1:$ADMIN_PORT/status.txt?password=change-me"
}

# Replies bearerbox holds for absencebox, written to it or waiting.
queued_for_box() {
    bearerbox_status | sed -n 's/.*smsbox:absencebox, IP [^ ]* (\([0-9]*\) queued).*/\1/p'
}

box_connected() {
    [ -n "$(queued_for_box)" ]
}

# ---- a reply is stored and matched -----------------------------------------------

check "the simulator delivers a parent's reply to bearerbox" \
    smsc_sim_mo "${PARENT#+}" "$REPLY_NUMBER" "He is ill, back tomorrow"
check "the reply is stored" wait_until 20 reply_count_is 1 "body = 'He is ill, back tomorrow'"
check_equal "the reply keeps the sender in E.164, the receiver and the body, and matches the parent's latest text" \
    "$(latest_text "$PARENT")|$REPLY_NUMBER" "$(reply_row "$PARENT" "He is ill, back tomorrow")"
check_equal "the matched reply is in the communication log as a text in" \
    "sms|in|reply received|He is ill, back tomorrow" \
    "$(q "select l.method || '|' || l.direction || '|' || l.outcome || '|' || l.note
            from absence.communication_log l join absence.reply r using (reply_id)
           where r.body = 'He is ill, back tomorrow'")"
check "bearerbox got the box's acknowledgement" wait_until 10 eval '[ "$(queued_for_box)" = 0 ]'

check "a reply to the reply number written as international (\"+\") reaches the box too" \
    smsc_sim_mo "+${PARENT#+}" "+$REPLY_NUMBER" "Sorry, that was his brother"
check_equal "it is stored with the receiver as bearerbox wrote it" "$(latest_text "$PARENT")|+$REPLY_NUMBER" \
    "$(wait_until 20 reply_count_is 1 "body = 'Sorry, that was his brother'";
       reply_row "$PARENT" "Sorry, that was his brother")"

# ---- a parent of two -------------------------------------------------------------

first_text=$(latest_text "$TWO")
new_absence STE09990002 "$TWO"
two_texted() {
    [ "$(q "select count(*) from absence.notification
             where student_id = 'STE09990002' and status = 'delivered'")" -eq 1 ]
}
check "a second student's absence is texted to the same parent" wait_until 30 two_texted
# bearerbox gives a reply's time in whole seconds: one stamped in the second
# the text went out would seem to come before it (see the report).
second_passed() {
    [ "$(q "select now() >= date_trunc('second', max(submitted_at)) + interval '1 second'
              from absence.notification where recipient = '$TWO'")" = t ]
}
wait_until 5 second_passed
smsc_sim_mo "${TWO#+}" "$REPLY_NUMBER" "Which of my two do you mean?"
wait_until 20 reply_count_is 1 "body = 'Which of my two do you mean?'"
check_equal "the reply of a parent of two matches the latest text, about the second student" \
    "$(latest_text "$TWO")|$REPLY_NUMBER" "$(reply_row "$TWO" "Which of my two do you mean?")"
check "that latest text is the second student's" \
    test "$(latest_text "$TWO" | cut -d'|' -f2)" = STE09990002
check_equal "the other student is listed as a candidate with the latest text about them" \
    "$first_text" \
    "$(q "select c.notification_id || '|' || c.student_id || '|' || c.guardian_id
            from absence.reply_candidate c join absence.reply r using (reply_id)
           where r.body = 'Which of my two do you mean?'")"

# ---- an unknown number --------------------------------------------------------------

smsc_sim_mo "${UNKNOWN#+}" "$REPLY_NUMBER" "Who is this?"
check "a reply from a number the college never texted is stored" \
    wait_until 20 reply_count_is 1 "body = 'Who is this?'"
check_equal "it matches no text, has no candidates and no communication log entry" \
    "-|-|-|$REPLY_NUMBER|0|0" \
    "$(reply_row "$UNKNOWN" "Who is this?")|$(q "select count(*) from absence.reply_candidate c
            join absence.reply r using (reply_id) where r.sender = '$UNKNOWN'")|$(q "select
            count(*) from absence.communication_log l join absence.reply r using (reply_id)
            where r.sender = '$UNKNOWN'")"

# ---- texts to the college's other numbers --------------------------------------------

smsc_sim_mo "+447700900988" "$OFFICE_NUMBER" "Is the office open?"
check "a text to another college number goes to the college's smsbox, which answers it" \
    wait_until 20 eval '[ "$(smsc_texts_to +447700900988 "College office")" -eq 1 ]'
check_equal "absencebox never got it" "0" "$(replies_with "receiver = '$OFFICE_NUMBER'")"

# ---- stop and start -------------------------------------------------------------------

smsc_sim_mo "${STOPPER#+}" "$REPLY_NUMBER" "stop"
check "\"stop\" puts the number on the opt-out list, by reply" \
    wait_until 20 eval '[ "$(q "select via from absence.opt_out where recipient = '"'$STOPPER'"'")" = reply ]'
smsc_sim_mo "${STOPPER#+}" "$REPLY_NUMBER" "  Stop  "
smsc_sim_mo "${STOPPER#+}" "$REPLY_NUMBER" "STOP"
check "\"  Stop  \" and \"STOP\" are stored as stop words too" \
    wait_until 20 reply_count_is 3 "sender = '$STOPPER' and keyword = 'stop'"
smsc_sim_mo "+${UNSUB#+}" "$REPLY_NUMBER" "unsubscribe"
check "\"unsubscribe\" opts its number out too" \
    wait_until 20 eval '[ "$(q "select count(*) from absence.opt_out where recipient = '"'$UNSUB'"'")" = 1 ]'
confirmed() {
    [ "$(q "select count(*) from absence.confirmation_text
             where recipient = '$1' and kind = '$2' and status = 'delivered'")" -ge 1 ] &&
        [ "$(smsc_texts_to "$1" "$3")" -ge 1 ]
}
check "the stop confirmation reaches the SMSC and is delivered" \
    wait_until 30 confirmed "$STOPPER" stop "reply START"
check "so does the unsubscribe one" wait_until 30 confirmed "$UNSUB" stop "reply START"
check_equal "exactly one confirmation for three stop words, saying to reply START" \
    "1|1" \
    "$(q "select count(*) from absence.confirmation_text where recipient = '$STOPPER'")|$(smsc_texts_to "$STOPPER" "reply START")"
check_equal "the SMSC received the confirmation's text" \
    "$(q "select recipient || E'\t' || body from absence.confirmation_text where recipient = '$STOPPER'")" \
    "$(smsc_sim_texts | grep "^$STOPPER"$'\t'".*START")"

new_absence STE09990003 "$STOPPER"
skipped() {
    [ "$(q "select reason from absence.guardian_skip where student_id = 'STE09990003'")" = opted-out ]
}
check "a later absence for the opted-out parent's other student is skipped as opted-out" \
    wait_until 30 skipped
check_equal "and no text is planned for it" "0" \
    "$(q "select count(*) from absence.notification where student_id = 'STE09990003'")"

smsc_sim_mo "${STOPPER#+}" "$REPLY_NUMBER" "START"
check "\"START\" takes the number off the opt-out list" \
    wait_until 20 eval '[ "$(q "select count(*) from absence.opt_out where recipient = '"'$STOPPER'"'")" = 0 ]'
check "the start confirmation reaches the SMSC" wait_until 30 confirmed "$STOPPER" start "reply STOP"
check_equal "the number got exactly two confirmations, the stop one and the start one" \
    "stop|start|1|1" \
    "$(q "select string_agg(kind, '|' order by confirmation_id) from absence.confirmation_text
           where recipient = '$STOPPER'")|$(smsc_texts_to "$STOPPER" "reply START")|$(smsc_texts_to "$STOPPER" "reply STOP")"
check_equal "the number's opt-out history: out by reply, in by reply" "out|in" \
    "$(q "select string_agg(action || '|' || via, '|' order by change_id) from absence.opt_out_change
           where recipient = '$STOPPER'" | sed 's/|reply//g')"

# ---- replies while the box is down ------------------------------------------------------

e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
check "bearerbox takes a reply while the box is stopped" \
    smsc_sim_mo "${LATE#+}" "$REPLY_NUMBER" "Sent while the box was stopped"
e2e_start_box
check "the reply is stored after the box restarts" \
    wait_until 30 reply_count_is 1 "body = 'Sent while the box was stopped'"

check "the box is connected again" wait_until 20 box_connected
# bearerbox's debug line for each message it wrote to a box
writes_to_boxes() {
    grep -c "boxc_sender: sent message to" "$RUN/bearerbox.log"
}
written_before=$(writes_to_boxes)
kill -STOP "$BOX_PID"
smsc_sim_mo "${LATE#+}" "$REPLY_NUMBER" "Sent while the box was frozen"
written_to_frozen_box() {
    [ "$(queued_for_box)" = 1 ] && [ "$(writes_to_boxes)" -gt "$written_before" ]
}
check "bearerbox writes the reply to the frozen box and waits for its acknowledgement" \
    wait_until 20 written_to_frozen_box
kill -KILL "$BOX_PID"
wait "$BOX_PID" 2>/dev/null
e2e_start_box
check "the reply bearerbox wrote to the killed box is stored after the restart" \
    wait_until 30 reply_count_is 1 "body = 'Sent while the box was frozen'"
check "bearerbox holds no reply for the box any more" \
    wait_until 20 eval '[ "$(queued_for_box)" = 0 ]'
check_equal "each reply sent while the box was down is stored exactly once" "1 1" \
    "$(replies_with "body = 'Sent while the box was stopped'") $(replies_with "body = 'Sent while the box was frozen'")"

# ---- UCS-2 ----------------------------------------------------------------------------------

EMOJI_TEXT="Thanks 👍 she's at the dentist"
smsc_sim_mo "${PARENT#+}" "$REPLY_NUMBER" "$EMOJI_TEXT" ucs2
check "a UCS-2 reply is stored" wait_until 20 reply_count_is 1 "coding = 2"
check_equal "with its emoji, in UTF-8, and its UTF-16BE bytes as sent" \
    "$EMOJI_TEXT|$(printf '%s' "$EMOJI_TEXT" | iconv -f UTF-8 -t UTF-16BE | od -An -tx1 | tr -d ' \n')" \
    "$(q "select body || '|' || encode(raw, 'hex') from absence.reply where coding = 2")"
check_equal "and it matches the parent's latest text" "$(latest_text "$PARENT")|$REPLY_NUMBER" \
    "$(reply_row "$PARENT" "$EMOJI_TEXT")"

# ---- the admin interface ----------------------------------------------------------------

metrics() {
    curl -s "http://127.0.0.1:$BOX_ADMIN/metrics?password=s3cret" |
        grep -E '^absencebox_replies_(today|received_total|unmatched_total)' | sed 's/{box="absencebox"}//'
}
expected_metrics() {
    q "select 'absencebox_replies_received_total ' || count(*) filter (where stored_at >= b.started_at)
               || E'\nabsencebox_replies_unmatched_total '
               || count(*) filter (where stored_at >= b.started_at and student_id is null)
               || E'\nabsencebox_replies_today{matched=\"yes\"} ' || count(*) filter (where student_id is not null)
               || E'\nabsencebox_replies_today{matched=\"no\"} ' || count(*) filter (where student_id is null)
         from absence.reply, absence.box_status b"
}
metrics_match() { [ "$(metrics | sort)" == "$(expected_metrics | sort)" ]; }
wait_until 10 metrics_match
check_equal "/metrics counts the replies since the box started and today's, matched and not" \
    "$(expected_metrics | sort)" "$(metrics | sort)"
check_equal "/status says today's replies, received and unmatched" \
    "replies today: $(q "select count(*) || ' received, ' || count(*) filter (where student_id is null)
                           || ' unmatched' from absence.reply")" \
    "$(curl -s "http://127.0.0.1:$BOX_ADMIN/status?password=s3cret" | grep '^replies today:')"

# ---- all told ---------------------------------------------------------------------------

# Each text from a phone is one line of the simulator's MO log; all but the
# office's one went to absencebox.
check_equal "bearerbox accepted every text from a phone, and the box stored each reply once" \
    "0|$(wc -l <"$RUN/smsc-sim-mo.jsonl")" \
    "$(smsc_sim_mo_pending)|$(($(q "select count(*) from absence.reply") + 1))"
check_equal "the SMSC received the absence texts, the confirmations and the office's answer, each once" \
    "" "$(double_texts smsc_sim_texts)"
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
check_equal "no phone number is logged in full" "" "$(unmasked_numbers "$RUN/box.log" "$RUN/box.out")"
e2e_done
