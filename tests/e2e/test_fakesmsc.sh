#!/bin/bash
# End to end through Kannel's fakesmsc: a generated college of 600 students
# covering every policy rule, a real PostgreSQL, a real bearerbox and the
# box. The SMSC must receive exactly the texts the policy calls for, each
# text must end delivered (or expired), and the pastoral log must match.
# The box splits every planning run with a lesson to look at over three
# sessions (the other tests plan in one): the split must settle exactly
# what the policy says too.
. "$(dirname "$0")/lib.sh"
e2e_begin fakesmsc 180
e2e_bearerbox_conf bearerbox-fakesmsc.conf
e2e_box_conf "max-pending = 10" "plan-sessions = 3" "plan-split-lessons = 1"
check_equal "the box refuses to run on a database without the schema" \
    "absencebox: schema absence is at version 0 but this absencebox needs version 14: run 'absencectl migrate'"$'\n'"exit 1" \
    "$(timeout 20 "$E2E_BIN/absencebox" -v 4 "$RUN/box.conf" 2>&1; echo "exit $?")"
sed 's/^plan-interval = 1$/plan-interval = soon/' "$RUN/box.conf" >"$RUN/bad.conf"
check_equal "the box stops on a bad configuration with one line and status 1" \
    "absencebox: $RUN/bad.conf:$(grep -n '^plan-interval' "$RUN/bad.conf" | cut -d: -f1): group 'absencebox', key 'plan-interval': 'soon' is not a whole number from 1 to 3600"$'\n'"exit 1" \
    "$("$E2E_BIN/absencebox" "$RUN/bad.conf" 2>&1; echo "exit $?")"
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 600-student college" e2e_generate 7 600
note "time zone $E2E_TZ; $(expected_count text) texts, $(expected_count expired) expired, $(expected_count skip) skips expected"
check_equal "the college covers every trigger state and skip reason" \
    "expired skip:account-not-active skip:attendance-hidden skip:duplicate-number skip:invalid-mobile skip:link-not-active skip:no-mobile text trigger:due trigger:expired trigger:not-yet-due trigger:register-late trigger:register-not-marked trigger:status-not-eligible" \
    "$(awk -F'\t' '{print $1 ($1 == "trigger" || $1 == "skip" ? ":" $5 : "")}' "$RUN/expect" | sort -u | tr '\n' ' ' | sed 's/ $//')"

# the most texts submitted at once, after every statement that changes one
q "create table public.submitted_peak (texts bigint not null);
   insert into public.submitted_peak values (0);
   create function public.note_submitted_peak() returns trigger language plpgsql as \$\$
   begin
       update public.submitted_peak set texts = greatest(texts,
           (select count(*) from absence.notification where status = 'submitted'));
       return null;
   end \$\$;
   create trigger submitted_peak after insert or update on absence.notification
       for each statement execute function public.note_submitted_peak();"
check "bearerbox starts with the example fakesmsc configuration" e2e_start_bearerbox
e2e_start_fakesmsc
e2e_start_box
total=$(($(expected_count text) + $(expected_count expired)))
check "every text reaches a final state" e2e_wait_settled 60 "$total"
check "the box's first planning run was split over three sessions" \
    grep -q "absencebox: planned $(expected_count text) texts for .* over 3 sessions$" "$RUN/box.log"
note "at most $(q "select texts from public.submitted_peak") texts were submitted at once"
check "never more than max-pending (10) texts submitted at once, acks held for their reports included" \
    test "$(q "select texts from public.submitted_peak")" -le 10

check_equal "the SMSC received exactly the expected texts (recipient and body)" \
    "$(expected_texts)" "$(fakesmsc_texts)"
check_equal "every expected text is delivered, every late one expired" \
    "$( (expected text 2,3,4 | sed 's/$/|delivered/'; expected expired 2,3,4 | sed 's/$/|expired/') | sort)" \
    "$(q "select student_id || '|' || guardian_id || '|' || recipient || '|' || status
            from absence.notification" | sort)"
check_equal "every skipped guardian is recorded with the expected reason" \
    "$(expected skip 2,3,5)" \
    "$(q "select student_id || '|' || guardian_id || '|' || reason from absence.guardian_skip" | sort)"
check_equal "student-days are settled exactly where a text was due or expired" \
    "$(awk -F'\t' '$1 == "trigger" && ($5 == "due" || $5 == "expired") {
           print $2 "|" $6 "|" ($5 == "due" ? "planned" : "expired") }' "$RUN/expect" | sort)" \
    "$(q "select student_id || '|' || lesson_id || '|' || outcome from absence.student_day" | sort)"
check_equal "exactly one pastoral log entry per delivered text, none otherwise" \
    "" "$(pastoral_mismatches)"
check_equal "each delivered text has its SMSC and final delivery reports" \
    "$(q "select count(*) from absence.notification where status = 'delivered'")" \
    "$(q "select count(distinct notification_id) from absence.delivery_report r
           where dlr_type = 1 and exists (select 1 from absence.delivery_report s
                 where s.notification_id = r.notification_id and s.dlr_type = 8)")"
check_equal "the pastoral entry names the masked number and the text" "1" \
    "$(q "select count(*) from absence.pastoral_log p join absence.notification n using (notification_id)
           where p.notification_id = (select min(notification_id) from absence.pastoral_log)
             and p.entry like '%' || absence.mask_mobile(n.recipient) || '%'
             and p.entry like '%\"' || n.body || '\"' and p.category = 'Absence text'")"
check_equal "the box's heartbeat says it is connected" "t" \
    "$(q "select bearerbox_connected from absence.box_status where box_id = 'absencebox'")"

kill -HUP "$BOX_PID"
check "SIGHUP reopens the box's log file" wait_until 10 grep -q "log files reopened" "$RUN/box.log"
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
check_equal "no phone number is logged in full" "" "$(unmasked_numbers "$RUN/box.log" "$RUN/box.out")"

"$E2E_BIN/absencebox" --daemonize --pid-file "$RUN/box.pid" "$RUN/box.conf" 2>>"$RUN/box.out"
check "--daemonize returns at once and --pid-file names the running box" \
    wait_until 10 eval '[ -s "$RUN/box.pid" ] && kill -0 "$(cat "$RUN/box.pid")"'
daemon=$(cat "$RUN/box.pid")
e2e_track "$daemon"
kill -TERM "$daemon"
check "the daemon stops on SIGTERM and removes its pid file" \
    wait_until 20 eval '! kill -0 '"$daemon"' 2>/dev/null && [ ! -e "$RUN/box.pid" ]'
e2e_done
