-- college-day.sql - the college day of scripts/bench --mode scale, written by
-- PostgreSQL itself so that any size loads in seconds to a minute
-- (scripts/generate-college builds its college in Python, in memory, and
-- draws each student a distinct UPN from 200,000 possible ones: it cannot
-- make more than 200,000 students).
--
--   psql -X -q -d college -v students=500000 -v absence_rate=0.3 \
--        -v now='2026-01-05 13:00+00' -f college-day.sql
--
-- The same day as generate-college's (its SLOTS, register times, marks,
-- families, numbers and links, in the same proportions), drawn by
-- random() from a fixed seed rather than by its generator, so the two
-- colleges are alike, not equal; no UPNs. Lessons end around :now:
-- "early" 215 minutes before (its texts expired), p1, p2, p3 150, 90 and 40
-- minutes before (due), p4 8 minutes before (not yet due), p5 50 minutes
-- after (no register yet); groups of 24 students each take p1 and p2 and
-- each of the others with chance 0.6. Replaces what the tables held.
\set ON_ERROR_STOP on
begin;
do $$ begin perform setseed(0.42); end $$;
truncate absence.attendance_mark, absence.guardian_student, absence.lesson, absence.guardian,
         absence.student;

create temp table slot (name text, end_offset integer, length integer) on commit drop;
insert into slot values ('early', -215, 60), ('p1', -150, 60), ('p2', -90, 50), ('p3', -40, 50),
                        ('p4', -8, 50), ('p5', 50, 60);

-- the timetable: each group's lessons
create temp table bench_lesson on commit drop as
select 1000 + row_number() over (order by g.grp, s.end_offset) as lesson_id, g.grp, s.name,
       e - make_interval(mins => s.length) as starts_at, e as ends_at, random() as roll,
       random() as pick
  from generate_series(0, greatest(1, :students / 24) - 1) g(grp)
 cross join slot s
 cross join lateral (select :'now'::timestamptz + make_interval(mins => s.end_offset) as e) x
 -- (random() tied to both sides, or it would be drawn once per slot)
 where s.name in ('p1', 'p2') or random() + 0 * g.grp < 0.6;
insert into absence.lesson (lesson_id, starts_at, ends_at, title, register_marked_at)
select lesson_id, starts_at, ends_at,
       (array['Maths', 'English', 'Biology', 'Chemistry', 'Physics', 'History', 'Psychology',
              'Sociology', 'Art', 'Business', 'Computing', 'Law'])[1 + grp % 12] || ' ' || grp + 1,
       case when starts_at > :'now'::timestamptz or name = 'p5' then null
            -- most registers are taken early; some late, a few never
            when roll < 0.06 then ends_at + make_interval(mins => (array[1, 7, 25])[1 + floor(pick * 3)::int])
            when roll < 0.09 then null
            when roll < 0.11 then ends_at
            else starts_at + make_interval(mins => 2 + floor(pick * 13)::int)
       end
  from bench_lesson;
-- a late register not yet taken at :now has no time
update absence.lesson set register_marked_at = null where register_marked_at > :'now'::timestamptz;

-- students: a group each, in turn
create temp table bench_student on commit drop as
select i, 'STE' || lpad((4000000 + i * 7 + floor(random() * 7))::text, 8, '0') as student_id,
       i % greatest(1, :students / 24) as grp, random() < :absence_rate as absent,
       random() as first_roll
  from generate_series(0, :students - 1) i;
insert into absence.student (student_id, status_code, forename, surname)
select student_id,
       case when random() < 0.07 then (array['B01', 'C1', 'c01', 'C012', 'X99', 'W01'])[1 + floor(random() * 6)::int]
            else 'C0' || 1 + floor(random() * 3)::int end,
       (array['Amir', 'Bea', 'Cal', 'Dana', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jo'])[1 + i % 10],
       (array['Ahmed', 'Brown', 'Clarke', 'Davies', 'Evans', 'Hughes', 'Jones', 'Khan'])[1 + i % 8]
  from bench_student;

-- marks on the lessons already begun: an absent student misses the first
-- absence and each later lesson with chance 0.5; a lesson with no register
-- yet has no mark for half its students
insert into absence.attendance_mark (lesson_id, student_id, mark)
select t.lesson_id, s.student_id,
       case when s.absent and t.pos >= floor(s.first_roll * t.n)
                 and (t.pos = floor(s.first_roll * t.n) or random() < 0.5) then 'O'
            else (array['/', '/', '/', '/', '/', '\', 'L'])[1 + floor(random() * 7)::int] end
  from bench_student s
  join (select l.lesson_id, b.grp, l.register_marked_at,
               row_number() over (partition by b.grp order by l.starts_at, l.lesson_id) - 1 as pos,
               count(*) over (partition by b.grp) as n
          from absence.lesson l join bench_lesson b using (lesson_id)
         where l.starts_at <= :'now'::timestamptz) t on t.grp = s.grp
 where t.register_marked_at is not null or random() + 0 * s.i < 0.5;

-- families: one student, or (one in twenty-five) two students sharing
-- their guardians; one to four guardians (40/35/20/5 in a hundred)
create temp table bench_family on commit drop as
select i as family, case when random() < 0.40 then 1 when random() < 0.58 then 2
                         when random() < 0.8 then 3 else 4 end as guardians
  from bench_student where i % 25 <> 1;
create temp table bench_guardian on commit drop as
select 50000 + row_number() over (order by f.family, p) as guardian_id, f.family, p - 1 as position,
       random() as roll, random() as pick
  from bench_family f cross join lateral generate_series(1, f.guardians) p;
insert into absence.guardian (guardian_id, name, mobile, email, account_status)
select g.guardian_id, 'Mx P. Parent' || g.guardian_id,
       case when g.roll < 0.06 then null
            when g.roll < 0.09 then (array['', '   '])[1 + floor(g.pick * 2)::int]
            when g.roll < 0.14 then '01632 960' || lpad(floor(g.pick * 1000)::text, 3, '0')
            when g.roll < 0.17 then (array['07700 9001', 'call mum', '+44 7700 9001234', '07700-900-12x'])[1 + floor(g.pick * 4)::int]
            else (array['07700 900', '07700900', '+44 7700 900', '447700900'])[1 + floor(g.pick * 4)::int]
                 -- a second guardian now and then shares the first one's number
                 || lpad(((case when g.roll < 0.21 and g.position > 0 then g.guardian_id - g.position
                                else g.guardian_id end) % 1000)::text, 3, '0')
       end,
       'parent' || g.guardian_id || '@example.org',
       case when random() < 0.86 then 'active' when random() < 0.5 then 'suspended' else 'unregistered' end
  from bench_guardian g;
insert into absence.guardian_student (guardian_id, student_id, link_status, hide_attendance, prime,
                                      priority, source)
select g.guardian_id, s.student_id, case when random() < 0.05 then 'suspended' else 'active' end,
       random() < 0.05, g.position = 0, g.position + 1,
       case when random() < 0.60 then 'web' when random() < 0.875 then 'import' else 'manual' end
  from bench_guardian g
  join bench_student s on g.family = case when s.i % 25 = 1 then s.i - 1 else s.i end;
commit;
analyze absence.student, absence.lesson, absence.attendance_mark, absence.guardian,
        absence.guardian_student;
