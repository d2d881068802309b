-- concerns-term.sql - a 13-week term of registers for scripts/bench's
-- attendance-concern figures: :students students (a multiple of 24) in
-- groups of 24, four lessons every weekday, the term ending on the Friday
-- before the current week. 5% of students miss a fifth of their lessons,
-- the others one in fifty. Loaded as the MIS would bulk-load a term (its
-- checks and triggers off: session_replication_role = replica).
\set ON_ERROR_STOP on
set session_replication_role = replica;
create temp table span as
select date_trunc('week', current_date)::date - 3 - 7 * 12 - 4 as starts_on,
       date_trunc('week', current_date)::date - 3 as ends_on;
insert into absence.term select 1, 'Bench term', starts_on, ends_on from span;
insert into absence.student (student_id, status_code)
select format('STE%08s', g), 'C01' from generate_series(1, :students) g;
insert into absence.lesson (lesson_id, starts_at, ends_at, register_marked_at)
select grp * 1000 + (d::date - span.starts_on) * 4 + slot, t, t + interval '1 hour',
       t + interval '5 minutes'
  from span, generate_series(0, :students / 24 - 1) grp,
       generate_series(span.starts_on, span.ends_on, interval '1 day') d,
       generate_series(0, 3) slot,
       lateral (select (d::date + time '09:00' + slot * interval '90 minutes')
                       at time zone 'Europe/London' as t) x
 where extract(isodow from d) < 6;
insert into absence.attendance_mark (lesson_id, student_id, mark)
select l.lesson_id, format('STE%08s', s),
       case when random() < case when s % 20 = 0 then 0.2 else 0.02 end then 'O' else '/' end
  from absence.lesson l, generate_series(0, 23) k,
       lateral (select (l.lesson_id / 1000) + 1 + (:students / 24) * k as s) x;
reset session_replication_role;
analyze;
