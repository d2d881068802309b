#!/bin/bash
# Attendance concerns rebuilt from the registers: a generated college with
# three weeks of history (and the last week of the term before), replayed
# with `absencectl plan --at` every weekday morning and evening as a box
# would plan. The concerns are those tests/college_oracle.py finds
# independently of the SQL, and a second replay over the emptied outputs
# gives the same concerns, concern texts and communication log, to the
# second.
. "$(dirname "$0")/lib.sh"
e2e_init concern-replay 300
E2E_TZ=Europe/London
e2e_start_postgres || { not_ok "PostgreSQL starts"; e2e_done; exit 1; }
BOX_PORT=$(free_port)
e2e_box_conf
ctl() { "$E2E_BIN/absencectl" -c "$RUN/box.conf" "$@"; }
check "absencectl migrate creates the schema" e2e_migrate
NOW=2026-06-19T12:00:00+01:00   # a Friday, long past
check "the generator loads 1,200 students with three weeks of registers" \
    e2e_generate 11 1200 --now "$NOW" --history-weeks 3
# The oracle's concerns once the last evening before --now is over.
"$E2E_SRC/tests/college_oracle.py" --seed 11 --students 1200 --timezone "$E2E_TZ" --now "$NOW" \
    --history-weeks 3 --at 2026-06-18T19:05:00+01:00 >"$RUN/concerns.expect" 2>>"$RUN/generate.out"

# replay: plan at 09:35 and 19:05 on every weekday from the first lesson day
# to the day before --now, as a box planning all along would
replay() {
    local first day
    first=$(q "select min(starts_at at time zone '$E2E_TZ')::date from absence.lesson")
    for day in $(q "select d::date from generate_series('$first'::date, '2026-06-18', interval '1 day') d
                     where extract(isodow from d) < 6 order by d"); do
        ctl plan --at "$day 09:35" >/dev/null && ctl plan --at "$day 19:05" >/dev/null || return 1
    done
}
# what the replay made, every instant and text included
made() {
    q "select student_id, term_id, rule, absence_days, detected_at, state, text_due_at,
              text_expires_at, texts_planned_at, term_absence_days
         from absence.attendance_concern order by 1, 2, 3"
    q "select kind, student_id, guardian_id, school_day, recipient, body, status, due_at,
              expires_at, status_changed_at
         from absence.notification order by 1, 2, 3, 4"
    q "select student_id, guardian_id, outcome, occurred_at from absence.communication_log
        order by 1, 2, 4, 3"
}
check "a replay of the three weeks runs" replay
made >"$RUN/first.made"
check_equal "the concerns are the oracle's (student, term, rule, days)" \
    "$(awk -F'\t' '$1 == "concern" {print $2 "|" $3 "|" $4 "|{" $5 "}"}' "$RUN/concerns.expect" | sort)" \
    "$(q "select student_id || '|' || term_id || '|' || rule || '|' || absence_days::text
            from absence.attendance_concern" | sort)"
check "the college has concerns of both rules" \
    test "$(q "select count(distinct rule) from absence.attendance_concern")" = 2
check "some concern texts were planned, each due at 09:30 on a weekday" \
    test "$(q "select count(*) from absence.notification where kind = 'concern'
                 and to_char(due_at at time zone '$E2E_TZ', 'HH24:MI') = '09:30'
                 and extract(isodow from due_at at time zone '$E2E_TZ') < 6")" -gt 0
check_equal "no concern text is due outside its window" "0" \
    "$(q "select count(*) from absence.notification where kind = 'concern'
            and status = 'pending' and due_at > expires_at")"
q "truncate absence.communication_log, absence.concern_skip, absence.concern_action,
     absence.concern_check, absence.mark_change, absence.pastoral_log, absence.delivery_report,
     absence.notification_action, absence.guardian_skip, absence.student_day,
     absence.attendance_concern, absence.reply_candidate, absence.opt_out,
     absence.opt_out_change, absence.confirmation_text, absence.reply,
     absence.notification" >/dev/null
check "the replay runs again over the emptied outputs" replay
made >"$RUN/second.made"
check "and makes exactly the same concerns, texts and log" cmp -s "$RUN/first.made" "$RUN/second.made"
e2e_done
