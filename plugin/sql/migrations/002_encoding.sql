-- 002_encoding.sql: the policy counts and compares characters (GSM septets,
-- UCS-2 units, the text's exact words), so the database must hold UTF-8.
-- Until release 0.1.0 this version also created the policy's functions;
-- they now live in plugin/sql/functions/, re-applied whenever they change.

do $$
begin
    if current_setting('server_encoding') <> 'UTF8' then
        raise exception 'database % uses encoding %, absencebox needs UTF8',
            current_database(), current_setting('server_encoding')
            using hint = 'create the database with ENCODING ''UTF8''';
    end if;
end $$;
