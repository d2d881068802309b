-- 003_box.sql: what the box records beyond the texts themselves: the index
-- by which an ack finds its text, and each box's heartbeat. Until release
-- 0.1.0 this version also created the box's steps as functions; they now
-- live in plugin/sql/functions/texts.sql.

-- The box finds a text by the Kannel message id of its ack.
create index notification_message_id_idx on absence.notification (message_id)
    where message_id is not null;

-- One row per box id: what absencectl status and monitoring read.
create table absence.box_status (
    box_id              text primary key,
    pid                 integer,
    started_at          timestamptz not null,
    heartbeat_at        timestamptz not null,
    bearerbox_connected boolean not null,
    bearerbox           text,
    texts_in_flight     integer not null default 0,
    reports_received    bigint not null default 0,
    last_report_at      timestamptz
);
comment on table absence.box_status is
    'Each box''s last heartbeat (every plan interval) and its bearerbox connection state.';
