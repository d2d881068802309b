#!/bin/bash
# Texts out on time: with plan-interval at a minute, the box plans when a
# text falls due (absence.next_due) and when the MIS writes a register
# (NOTIFY absence_plan from the triggers noting the change), so a text
# reaches bearerbox within a second of falling due, not at the next
# plan-interval tick.
. "$(dirname "$0")/lib.sh"
e2e_begin on-time 120
e2e_bearerbox_conf bearerbox-fakesmsc.conf
e2e_box_conf "plan-interval = 60" "send-delay = 3"
check "absencectl migrate creates the schema" e2e_migrate

# S1 is absent from a lesson that ends in 6 s: the text falls due 3 s later.
q "insert into absence.student (student_id, status_code) values ('S1', 'C01'), ('S2', 'C01')"
q "insert into absence.guardian (guardian_id, name, mobile, account_status) values
     (101, 'Ann Parent', '07700 900101', 'active'), (201, 'Cat Parent', '07700 900201', 'active')"
q "insert into absence.guardian_student (guardian_id, student_id, link_status) values
     (101, 'S1', 'active'), (201, 'S2', 'active')"
q "insert into absence.lesson (lesson_id, starts_at, ends_at, register_marked_at) values
     (1, now() - interval '50 minutes', now() + interval '6 seconds', now() - interval '45 minutes'),
     (2, now() - interval '70 minutes', now() - interval '10 minutes', now() - interval '65 minutes')"
q "insert into absence.attendance_mark values (1, 'S1', 'O'), (2, 'S2', '/')"

check "bearerbox starts" e2e_start_bearerbox
e2e_start_fakesmsc
e2e_start_box
sent() { [ "$(q "select count(*) from absence.notification
                 where student_id = '$1' and submitted_at is not null")" = 1 ]; }
check "S1's text is submitted" wait_until 30 sent S1
late=$(q "select round(extract(epoch from submitted_at - due_at)::numeric, 3)
            from absence.notification where student_id = 'S1'")
note "S1's text was submitted $late s after it fell due (plan-interval 60 s)"
check "it was submitted within a second of falling due" \
    test "$(q "select submitted_at - due_at < interval '1 second'
                 from absence.notification where student_id = 'S1'")" = t

# The MIS corrects S2's register, long due: the change wakes the box.
sleep 2
written=$(q "select clock_timestamp()")
q "update absence.attendance_mark set mark = 'O' where lesson_id = 2 and student_id = 'S2'"
check "S2's text is submitted" wait_until 30 sent S2
after=$(q "select round(extract(epoch from submitted_at - '$written'::timestamptz)::numeric, 3)
             from absence.notification where student_id = 'S2'")
note "S2's text was submitted $after s after the MIS corrected the register"
check "within two seconds of the correction, not at the next plan-interval tick" \
    test "$(q "select submitted_at - '$written'::timestamptz < interval '2 seconds'
                 from absence.notification where student_id = 'S2'")" = t
check "the note of changes is empty once planned" \
    test "$(q "select count(*) from absence.plan_change")" = 0
check "both texts are delivered" wait_until 20 eval \
    '[ "$(q "select count(*) from absence.notification where status = '"'delivered'"'")" = 2 ]'
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
e2e_done
