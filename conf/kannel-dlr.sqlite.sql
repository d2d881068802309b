-- kannel-dlr.sqlite.sql - the table for bearerbox's "dlr-storage = sqlite3"
-- (see conf/bearerbox-*.conf, groups dlr-db and sqlite3-connection).
--
-- bearerbox keeps here which SMSC message id belongs to which text, so that
-- a delivery report arriving after a bearerbox restart still finds its way
-- back to absencebox. Create it once, before starting bearerbox:
--     sqlite3 /var/spool/kannel/dlr.sqlite < conf/kannel-dlr.sqlite.sql
-- (The file must be writable by the user bearerbox runs as.)
-- Write-ahead logging (a setting the file keeps): a reader never blocks
-- bearerbox's writes, and each write costs one sync instead of several.
pragma journal_mode = wal;

create table if not exists kannel_dlr (
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
