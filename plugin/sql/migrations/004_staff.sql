-- 004_staff.sql: what staff decide about single texts (absencectl resend
-- and cancel), each decision recorded with who, when and why. The rules of
-- those decisions are functions in plugin/sql/functions/staff.sql.

alter table absence.notification
    add column resolution text,
    add column resolved_at timestamptz,
    add constraint notification_resolution_known check (resolution in ('resent', 'cancelled'));
comment on column absence.notification.resolution is
    'A person''s last decision about a failed, unconfirmed or expired text: resent or cancelled '
    '(see absence.notification_action).';

create table absence.notification_action (
    action_id       bigint generated always as identity primary key,
    notification_id bigint not null references absence.notification,
    action          text not null,
    actor           text not null,
    reason          text not null,
    status_before   text not null,
    acted_at        timestamptz not null default now(),
    constraint notification_action_known check (action in ('resend', 'cancel')),
    constraint notification_action_has_reason check (btrim(reason) <> '')
);
create index notification_action_notification_idx on absence.notification_action (notification_id);
