-- numbers.sql: mobile numbers as parents type them (README, "The rules":
-- numbers), and as staff and logs see them.

-- The E.164 form of a typed mobile number, or null when it cannot receive a
-- text. Held to tests/mobile_cases.tsv.
create function absence.normalise_mobile(p_raw text, p_allow_international boolean default false)
returns text
language plpgsql immutable
as $$
declare
    s text;
    d text;
begin
    -- what people type between digits: spaces, dots, dashes, brackets
    s := translate(p_raw, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)
                          || '.-()[]' || chr(160), '');
    d := case
        when s like '+%' then substr(s, 2)
        when s like '00%' then substr(s, 3)
        when s like '44%' then s
        when s like '0%' then '44' || substr(s, 2)
        when s like '7%' and length(s) = 10 then '44' || s   -- a spreadsheet ate the 0
    end;
    if d is null or d !~ '^[0-9]+$' then
        return null;
    end if;
    if d like '440%' then            -- "+44 (0)7..."
        d := '44' || substr(d, 4);
    end if;
    if d like '44%' then             -- UK: mobiles only, not 070 or 076
        return case when substr(d, 3) ~ '^7[1-57-9][0-9]{8}$' then '+' || d end;
    end if;
    return case when p_allow_international and d ~ '^[1-9][0-9]{7,14}$' then '+' || d end;
end
$$;

-- A guardian's mobile in E.164 form, as normalise_mobile() gives it, from
-- the number kept with the row (p_e164, worked out from p_e164_of) when it
-- is the guardian's mobile now, else worked out afresh. A UK number is the
-- same whether international numbers are allowed or not.
create function absence.guardian_mobile(p_mobile text, p_e164 text, p_e164_of text,
                                        p_allow_international boolean)
returns text
language sql immutable
as $$
    select case when p_e164_of is not distinct from p_mobile
                then case when p_allow_international or p_e164 like '+44%' then p_e164 end
                else absence.normalise_mobile(p_mobile, p_allow_international) end
$$;

-- Keeps guardian.mobile_e164 with the mobile it was worked out from.
create function absence.keep_guardian_mobile()
returns trigger
language plpgsql
security definer set search_path = pg_catalog, pg_temp
as $$
begin
    new.mobile_e164 := absence.normalise_mobile(new.mobile, true);
    new.mobile_e164_of := new.mobile;
    return new;
end
$$;

create trigger guardian_mobile_kept
    before insert or update of mobile on absence.guardian
    for each row execute function absence.keep_guardian_mobile();

-- Every guardian's kept number worked out again with the rules above, which
-- may have changed with this file.
update absence.guardian
   set mobile = mobile
 where mobile_e164_of is distinct from mobile
    or mobile_e164 is distinct from absence.normalise_mobile(mobile, true);

-- A phone number as logs and staff reports show it: +4477009****23.
-- Twin of phone_mask() in phone.c; both are held to tests/mask_cases.tsv.
-- No number (null) stays null, as every other missing value in a report
-- (the expression gives null for null: not declared strict, so that it is
-- inlined, as gsm_septets() in text.sql).
create function absence.mask_mobile(p_number text)
returns text
language sql immutable
as $$
    select case
        when length(p_number) = 0 then '(none)'
        else left(p_number, case when length(p_number) >= 12 then 8 else length(p_number) / 3 end)
             || '****'
             || case when length(p_number) >= 6 then right(p_number, 2) else '' end
    end
$$;

-- Whether a typed number is a UK landline (01, 02 or 03 and nine or ten
-- more digits, however prefixed): the audit's landline-as-mobile.
create function absence.is_uk_landline(p_raw text)
returns boolean
language sql immutable
as $$
    select coalesce(regexp_replace(translate(p_raw, ' .-()[]' || chr(9) || chr(160), ''),
                                   '^(\+|00)?44(0)?', '0') ~ '^0[123][0-9]{8,9}$', false)
$$;
