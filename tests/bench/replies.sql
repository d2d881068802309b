-- replies.sql - the burst of parents' replies of scripts/bench --only replies,
-- as fakesmsc input lines "FROM TO text BODY", one per reply.
--
--   psql -X -A -t -q -d college -v replies=5000 -v known_percent=80 \
--        -v college_number=447700900000 -f replies.sql
--
-- known_percent in a hundred (four in five by default) come from numbers
-- the box has already texted (a text
-- submitted before the current second began, so that bearerbox's clock,
-- which has whole seconds, puts the reply after it: each must match a text),
-- written as a phone or an SMSC writes them (+44..., 44..., 07...); the
-- others from UK mobiles the college never texted (4479460xxxxx: they match
-- nothing). The line ends in [n], n = 1..replies, so that each reply can be
-- found exactly once among those stored; but one in a thousand is a stop
-- word alone (STOP, Stop, stop, Unsubscribe, UNSUBSCRIBE in turn, each
-- body once in 5,000), from a number never texted, so that it changes
-- nothing the box sends but each gets its confirmation text.
with texted as (
    select array_agg(distinct recipient) as numbers
      from absence.notification
     where submitted_at < date_trunc('second', now())
       and recipient ~ '^\+447[0-9]{9}$'
), line as (
    select g,
           case when g * 37 % 100 >= :known_percent or g % 1000 = 500 then null
                else t.numbers[1 + floor(random() * cardinality(t.numbers))::int] end as known,
           (array['Sorry she is ill today',
                  'He has a dentist appointment this morning, back after lunch',
                  'Thanks, I will ring the office',
                  'Who is this?',
                  'He missed the bus, on his way now',
                  'She is at a hospital appointment',
                  'ok',
                  'We are away for a family funeral, sorry for not letting you know'])
               [1 + g % 8] as body
      from texted t, generate_series(1, :replies) g
     where cardinality(t.numbers) > 0
)
select case when known is null then '4479460' || lpad((g * 7919 % 100000)::text, 5, '0')
            when g % 3 = 0 then known
            when g % 3 = 1 then ltrim(known, '+')
            else '0' || substr(known, 4) end
       || ' ' || :'college_number' || ' text '
       || case when g % 1000 = 500
               then (array['STOP', 'Stop', 'stop', 'Unsubscribe', 'UNSUBSCRIBE'])[1 + g / 1000 % 5]
               else body || ' [' || g || ']' end
  from line
 order by g;
