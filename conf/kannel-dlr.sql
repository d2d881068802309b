-- kannel-dlr.sql - the table for bearerbox's "dlr-storage = pgsql" on
-- PostgreSQL 12 and later (see conf/bearerbox-*.conf, group dlr-db).
--
-- bearerbox keeps here which SMSC message id belongs to which text, so that
-- a delivery report arriving after a bearerbox restart still finds its way
-- back to absencebox. Kannel 1.4.5 updates and deletes these rows with
-- "WHERE oid = (SELECT oid ...)"; PostgreSQL 12 removed the hidden oid
-- column, so this table carries a real column named oid for Kannel to use.
-- Run it once in the database bearerbox's pgsql-connection points at:
--     psql -d college -f conf/kannel-dlr.sql
create table if not exists kannel_dlr (
    oid         bigint generated always as identity primary key,
    smsc        text,
    ts          text,
    source      text,
    destination text,
    service     text,
    url         text,
    mask        integer,
    status      integer,
    boxc        text
);
-- bearerbox looks a report's text up by SMSC id and SMSC message id.
create index if not exists kannel_dlr_smsc_ts_idx on kannel_dlr (smsc, ts);
