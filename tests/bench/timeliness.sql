-- timeliness.sql - the college of scripts/bench --mode timeliness: one whose
-- lessons end while the box runs, so that its texts fall due one after the
-- other during the run and the bench can see how long each waited.
--
--   psql -X -q -d college -v students=3000 -v lessons=150 -v first_due=20 \
--        -v due_over=150 -v send_delay=10 -f timeliness.sql
--
-- :students students (status C01, eligible), each absent (O) from exactly
-- one of :lessons lessons and marked nowhere else, with one active guardian
-- each on an active, visible, prime link and a valid mobile (the drama
-- range, +447700900000 to 999): one text per student. The lessons end
-- evenly spread so that their texts fall due (the end plus :send_delay
-- seconds, the box's send-delay) from :first_due to :first_due + :due_over
-- seconds after now; each started 50 minutes before its end and its
-- register was marked on time, 5 minutes in.
\set ON_ERROR_STOP on
begin;
insert into absence.student (student_id, status_code, forename, surname)
select 'STT' || lpad(g::text, 8, '0'), 'C01', 'Sam', 'Bench'
  from generate_series(1, :students) g;
insert into absence.lesson (lesson_id, starts_at, ends_at, title, register_marked_at)
select 5000 + i, e - interval '50 minutes', e, 'Timeliness ' || i, e - interval '45 minutes'
  from generate_series(0, :lessons - 1) i
 cross join lateral (
       select now() + make_interval(secs => :first_due - :send_delay
                                            + :due_over * i / greatest(:lessons - 1, 1)::float8)
       ) x(e);
insert into absence.attendance_mark (lesson_id, student_id, mark)
select 5000 + g % :lessons, 'STT' || lpad(g::text, 8, '0'), 'O'
  from generate_series(1, :students) g;
insert into absence.guardian (guardian_id, name, mobile, account_status)
select 900000 + g, 'Mx Parent' || g, '07700 900' || lpad((g % 1000)::text, 3, '0'), 'active'
  from generate_series(1, :students) g;
insert into absence.guardian_student (guardian_id, student_id, link_status, hide_attendance,
                                      prime, priority, source)
select 900000 + g, 'STT' || lpad(g::text, 8, '0'), 'active', false, true, 1, 'web'
  from generate_series(1, :students) g;
commit;
analyze absence.student, absence.lesson, absence.attendance_mark, absence.guardian,
        absence.guardian_student;
