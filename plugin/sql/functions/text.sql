-- text.sql: the text itself (README, "The rules": the message): its
-- wording, and how much of an SMS it takes.

-- GSM 03.38 septets a text takes (extension characters count two), or null
-- when it holds a character outside the alphabet. Twin of gsm.c; both are
-- held to tests/septet_cases.tsv. Null for null, though not declared
-- strict: PostgreSQL inlines a SQL function into the query calling it only
-- if it is not strict or its body is (a case expression is not), and a
-- call costs microseconds, once for each text planned.
create function absence.gsm_septets(p_text text)
returns integer
language sql immutable
as $$
    -- regular expressions, which PostgreSQL compiles once per session:
    -- translate() with the whole alphabet cost a tenth of a millisecond a
    -- text, the largest part of planning one. First, what nearly every
    -- text is made of: printable ASCII but for ` and the extension's
    -- characters, one septet each.
    select case
        when p_text !~ '[^ -Z_a-z]' then length(p_text)
        when p_text !~ ('^[@£$¥èéùìòÇ' || chr(10) || 'Øø' || chr(13)
                        || 'ÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&''()*+,./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà'
                        || chr(12) || '{}~|€\^\[\]\\-]*$') then null
        else length(p_text)
             + length(p_text) - length(regexp_replace(p_text,
                   '[' || chr(12) || '{}~|€\^\[\]\\]', '', 'g'))
    end
$$;

-- UTF-16 code units the text takes as UCS-2 (characters beyond U+FFFF take two).
create function absence.ucs2_units(p_text text)
returns integer
language sql immutable strict
as $$
    select length(p_text) + length(regexp_replace(p_text, '[\u0001-\uffff]', '', 'g'))
$$;

-- What P_SEGMENTS concatenated SMS hold: GSM septets, or UCS-2 units when
-- P_UCS2 (one SMS holds a little more than each part of a longer one).
-- Twin of gsm_septet_budget() and gsm_ucs2_budget() in gsm.c, held to the
-- same values. Null for a null argument (not declared strict, so that it
-- is inlined: see gsm_septets()).
create function absence.segment_budget(p_segments integer, p_ucs2 boolean)
returns integer
language sql immutable
as $$
    select case when p_segments is null or p_ucs2 is null then null
                when p_segments <= 1 then case when p_ucs2 then 70 else 160 end
                else p_segments * case when p_ucs2 then 67 else 153 end end
$$;

-- Whether a text fits P_SEGMENTS SMS: in the GSM alphabet, or as UCS-2
-- when P_UCS2 (allow-ucs2) is set.
create function absence.text_fits(p_body text, p_segments integer, p_ucs2 boolean)
returns boolean
language sql immutable
as $$
    select coalesce(absence.gsm_septets(p_body) <= absence.segment_budget(p_segments, false),
                    false)
        or (p_ucs2 and absence.ucs2_units(p_body) <= absence.segment_budget(p_segments, true))
$$;

-- Whether an absence text fits max-segments SMS.
create function absence.message_fits(p_body text, p_cfg absence.policy_config)
returns boolean
language sql immutable
as $$
    select absence.text_fits(p_body, (p_cfg).max_segments, (p_cfg).allow_ucs2)
$$;

-- Whether a concern text fits its one SMS.
create function absence.concern_fits(p_body text, p_cfg absence.policy_config)
returns boolean
language sql immutable
as $$
    select absence.text_fits(p_body, 1, (p_cfg).allow_ucs2)
$$;

-- A template with its placeholders filled: {link}, the text's own
-- placeholder P_NAME (e.g. '{lesson_time}') with P_VALUE, and {student_id}
-- last, so that an ID is carried verbatim and never read as a placeholder;
-- the link holds no braces (the config loader refuses them). Twin of
-- template.c.
create function absence.render_template(p_template text, p_link text, p_student_id text,
                                        p_name text, p_value text)
returns text
language sql immutable
as $$
    select replace(replace(replace(p_template,
        '{link}', coalesce(p_link, '')),
        p_name, p_value),
        '{student_id}', p_student_id)
$$;

-- An absence text (message-template).
create function absence.render_message(p_template text, p_link text, p_student_id text,
                                       p_lesson_time text)
returns text
language sql immutable
as $$
    select absence.render_template(p_template, p_link, p_student_id, '{lesson_time}',
                                   p_lesson_time)
$$;

-- An instant as ISO 8601 in the college's time zone, with its UTC offset:
-- 2026-06-15T10:21:03+01:00. For exports other systems read.
create function absence.iso_local(p_at timestamptz, p_timezone text)
returns text
language sql immutable
as $$
    with o(seconds) as (
        select extract(epoch from (p_at at time zone p_timezone) - (p_at at time zone 'UTC'))::int)
    select to_char(p_at at time zone p_timezone, 'YYYY-MM-DD"T"HH24:MI:SS')
           || case when seconds < 0 then '-' else '+' end
           || lpad((abs(seconds) / 3600)::text, 2, '0') || ':'
           || lpad((abs(seconds) % 3600 / 60)::text, 2, '0')
      from o
$$;

-- An instant as absencectl shows it: for programs (p_machine: JSON, CSV),
-- ISO 8601 with the college's UTC offset; for people, the college's local
-- time by p_pattern. No instant stays null, which each format shows its one
-- way (JSON null, an empty CSV field or table cell).
create function absence.shown_time(p_at timestamptz, p_timezone text, p_machine boolean,
                                   p_pattern text)
returns text
language sql immutable
as $$
    select case when p_at is null then null
                when p_machine then absence.iso_local(p_at, p_timezone)
                else to_char(p_at at time zone p_timezone, p_pattern) end
$$;
