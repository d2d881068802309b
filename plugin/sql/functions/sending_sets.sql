-- sending_sets.sql: the pending texts (absence.text_queue) and the texts in
-- flight (absence.text_in_flight) kept from every statement on
-- absence.notification (migration 013 says why they are tables of their
-- own). A text is in the queue exactly while its status is pending, and in
-- flight exactly while it is submitted or sent. Statement triggers, from
-- the statement's transition tables: a trigger for each row would cost a
-- call of PL/pgSQL per text on the box's busiest path. As the owner, so
-- that no other role needs to write the two tables.

-- The statuses of a text on its way: what absence.text_in_flight holds.
create function absence.is_in_flight(p_status text)
returns boolean
language sql immutable
as $$
    select p_status in ('submitted', 'sent')
$$;

create function absence.sets_after_insert()
returns trigger
language plpgsql
security definer set search_path = pg_catalog, pg_temp
as $$
begin
    insert into absence.text_queue (due_at, notification_id, expires_at, recipient)
    select n.due_at, n.notification_id, n.expires_at, n.recipient from new_texts n
     where n.status = 'pending';
    insert into absence.text_in_flight (notification_id, message_id, box_id)
    select n.notification_id, n.message_id, n.box_id from new_texts n
     where absence.is_in_flight(n.status);
    return null;
end
$$;

-- An update moves the texts whose status it changed out of a set they
-- left and into a set they entered; a change of what a set holds of a
-- text (due instant, expiry, number; message id, box) is copied. One
-- statement: the four changes touch different rows (a text leaves the queue
-- under its old key when its due instant changes, and enters under the
-- new), so they can run side by side over one pass of the transition
-- tables. Planned afresh each time (execute): a plan kept from a statement
-- of one row would join the two transition tables of a batch row by row.
create function absence.sets_after_update()
returns trigger
language plpgsql
security definer set search_path = pg_catalog, pg_temp
as $$
begin
    execute '
        with moved as materialized (
            select * from (
                select o.notification_id, o.status as was, o.due_at as was_due, n.status,
                       n.due_at, n.expires_at, n.recipient, n.message_id, n.box_id,
                       o.due_at <> n.due_at or o.expires_at <> n.expires_at
                           or o.recipient <> n.recipient as requeued,
                       o.message_id is distinct from n.message_id
                           or o.box_id is distinct from n.box_id as relabelled
                  from old_texts o
                  join new_texts n on n.notification_id = o.notification_id) c
             where c.was <> c.status or c.requeued or c.relabelled
        ), unqueued as (
            delete from absence.text_queue q using moved m
             where m.was = ''pending'' and (m.status <> ''pending'' or m.due_at <> m.was_due)
               and q.due_at = m.was_due and q.notification_id = m.notification_id
        ), queued as (
            insert into absence.text_queue as q (due_at, notification_id, expires_at, recipient)
            select m.due_at, m.notification_id, m.expires_at, m.recipient from moved m
             where m.status = ''pending'' and (m.was <> ''pending'' or m.requeued)
            on conflict (due_at, notification_id) do update
               set expires_at = excluded.expires_at, recipient = excluded.recipient
        ), landed as (
            delete from absence.text_in_flight f using moved m
             where absence.is_in_flight(m.was) and not absence.is_in_flight(m.status)
               and f.notification_id = m.notification_id
        )
        insert into absence.text_in_flight as f (notification_id, message_id, box_id)
        select m.notification_id, m.message_id, m.box_id from moved m
         where absence.is_in_flight(m.status) and (not absence.is_in_flight(m.was) or m.relabelled)
        on conflict (notification_id) do update
           set message_id = excluded.message_id, box_id = excluded.box_id';
    return null;
end
$$;

create function absence.sets_after_delete()
returns trigger
language plpgsql
security definer set search_path = pg_catalog, pg_temp
as $$
begin
    delete from absence.text_queue q using old_texts o
     where o.status = 'pending' and q.due_at = o.due_at and q.notification_id = o.notification_id;
    delete from absence.text_in_flight f using old_texts o
     where f.notification_id = o.notification_id;
    return null;
end
$$;

create function absence.sets_after_truncate()
returns trigger
language plpgsql
security definer set search_path = pg_catalog, pg_temp
as $$
begin
    truncate absence.text_queue, absence.text_in_flight;
    return null;
end
$$;

create trigger notification_sets_inserted
    after insert on absence.notification
    referencing new table as new_texts
    for each statement execute function absence.sets_after_insert();
create trigger notification_sets_updated
    after update on absence.notification
    referencing old table as old_texts new table as new_texts
    for each statement execute function absence.sets_after_update();
create trigger notification_sets_deleted
    after delete on absence.notification
    referencing old table as old_texts
    for each statement execute function absence.sets_after_delete();
create trigger notification_sets_truncated
    after truncate on absence.notification
    for each statement execute function absence.sets_after_truncate();
