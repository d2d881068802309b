#!/bin/bash
# scripts/generate-college and tests/college_oracle.py: deterministic for a
# seed, Ofcom drama-range numbers only, and their options checked.
. "$(dirname "$0")/lib.sh"
e2e_init generator 120

gen() { "$E2E_SRC/scripts/generate-college" "$@" 2>/dev/null; }
oracle() { "$E2E_SRC/tests/college_oracle.py" "$@" 2>/dev/null; }
NOW=2026-06-15T12:00:00+00:00
gen --seed 5 --students 3000 --now "$NOW" --sql "$RUN/a.sql"
oracle --seed 5 --students 3000 --now "$NOW" >"$RUN/a.expect"
gen --seed 5 --students 3000 --now "$NOW" --sql "$RUN/b.sql"
oracle --seed 5 --students 3000 --now "$NOW" >"$RUN/b.expect"
gen --seed 6 --students 3000 --now "$NOW" --sql "$RUN/c.sql"
check "the oracle expects texts of the seed's college" \
    test "$(grep -c '^text' "$RUN/a.expect")" -gt 100
check "the same seed gives the same college and expectations" eval 'cmp -s "$RUN/a.sql" "$RUN/b.sql" && cmp -s "$RUN/a.expect" "$RUN/b.expect"'
check "another seed gives another college" eval '! cmp -s "$RUN/a.sql" "$RUN/c.sql"'
# Every run of seven or more digits in a guardian's mobile (spaces, dots,
# dashes and brackets removed) belongs to a drama range: 07700 900xxx
# (mobile), 01632 960xxx, 020 7946 0xxx (landlines).
mobiles=$(awk '/^copy absence.guardian /{g=1; next} /^\\\./{g=0} g' "$RUN/a.sql" | cut -f3)
check "the college has thousands of guardians' numbers" test "$(echo "$mobiles" | wc -l)" -gt 4000
check_equal "every number is from Ofcom's drama ranges" "" \
    "$(echo "$mobiles" | tr -d ' .()-' | grep -oE '[0-9]{7,}' |
       grep -vE '^(00)?(44)?0?(7700900[0-9]{0,4}|1632960[0-9]{3}|207946[0-9]{4})$' | head)"
check_equal "a bad option is refused with a clear message" \
    "generate-college: error: --students must be at least 1" \
    "$("$E2E_SRC/scripts/generate-college" --students 0 2>&1 | tail -1)"
check_equal "an unknown time zone is refused" \
    "generate-college: error: --timezone 'Europe/Lundon' is not a known time zone" \
    "$("$E2E_SRC/scripts/generate-college" --timezone Europe/Lundon 2>&1 | tail -1)"
check_equal "the oracle refuses what the generator refuses" \
    "college_oracle.py: error: --students must be at least 1" \
    "$("$E2E_SRC/tests/college_oracle.py" --students 0 2>&1 | tail -1)"
e2e_done
