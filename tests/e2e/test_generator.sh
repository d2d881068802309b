#!/bin/bash
# scripts/generate-college and tests/college_oracle.py: deterministic for a
# seed, Ofcom drama-range numbers only, and their options checked; with
# --ctf, a contacts file as messy as the MIS's, and the oracle's import of it;
# with --history-weeks, the terms and past school days, and the attendance
# concerns the oracle finds in them.
. "$(dirname "$0")/lib.sh"
e2e_init generator 180

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
# ---- UPNs and the contacts file (--ctf) ------------------------------------------------

# oracle_py ARGS... <<'PY' CODE PY: Python CODE with the oracle loaded as `o`
# (the generator as `o.gen`), ARGS in sys.argv[1:].
oracle_py() {
    python3 -c '
import importlib.util, sys
spec = importlib.util.spec_from_file_location("o", sys.argv[1])
o = importlib.util.module_from_spec(spec)
spec.loader.exec_module(o)
sys.argv = sys.argv[1:]
exec(compile(sys.stdin.read(), "check", "exec"), {"o": o})' "$E2E_SRC/tests/college_oracle.py" "$@"
}
check_equal "every student has a distinct UPN: twelve digits after the DfE's check letter" \
    "3000|3000|ok" "$(oracle_py "$RUN/a.sql" <<'PY'
import re, sys
block = open(sys.argv[1]).read().split("copy absence.student ")[1].split("\n\\.")[0]
upns = [line.split("\t")[4] for line in block.split("\n")[1:]]
print(len(upns), len(set(upns)), "ok" if all(
    re.fullmatch(r"[A-Z][0-9]{12}", u) and u[0] == o.gen.upn_check_letter(u[1:]) for u in upns)
    else "bad", sep="|")
PY
)"
check_equal "the oracle's number normaliser gives what tests/mobile_cases.tsv says" "" \
    "$(oracle_py "$E2E_SRC/tests/mobile_cases.tsv" <<'PY'
import re, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("#") or not line.strip("\n"):
        continue
    raw, international, expected = line.rstrip("\n").split("\t")
    raw = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                 raw.replace("\\t", "\t").encode()).decode("utf-8", "replace")
    got = o.normalise_mobile(raw, international == "1") or "-"
    if got != expected:
        print(repr(raw), international, "gives", got, "not", expected)
PY
)"

gen --seed 5 --students 3000 --now "$NOW" --sql "$RUN/ctf-a.sql" --ctf "$RUN/a.xml"
gen --seed 5 --students 3000 --now "$NOW" --sql "$RUN/ctf-b.sql" --ctf "$RUN/b.xml"
check "--ctf: the same seed gives the same file" \
    eval 'cmp -s "$RUN/a.xml" "$RUN/b.xml" && cmp -s "$RUN/ctf-a.sql" "$RUN/ctf-b.sql"'
# The day is the same with or without --ctf (students and their UPNs,
# lessons, marks); the database keeps the portal's families' guardians.
day() { awk '/^copy absence.(student|lesson|attendance_mark) /{d=1} /^\\\./{d=0} d' "$1"; }
rows() { awk -v t="$2" '$0 ~ "^copy absence." t " " {g=1; next} /^\\\./{g=0} g' "$1"; }
check "--ctf leaves the students, lessons and marks of the day as they are" \
    eval 'cmp -s <(day "$RUN/a.sql") <(day "$RUN/ctf-a.sql")'
check_equal "--ctf keeps the guardians of about 30% of the families, as they were" "yes||" \
    "$(python3 -c 'import sys; a, b = map(int, sys.argv[1:]); print("yes" if 0.25 < b / a < 0.35 else f"no: {b} of {a}")' \
           "$(rows "$RUN/a.sql" guardian | wc -l)" "$(rows "$RUN/ctf-a.sql" guardian | wc -l)")|$(
       comm -13 <(rows "$RUN/a.sql" guardian | sort) <(rows "$RUN/ctf-a.sql" guardian | sort) | head -3)|$(
       comm -13 <(rows "$RUN/a.sql" guardian_student | cut -f1-6 | sort) <(rows "$RUN/ctf-a.sql" guardian_student | cut -f1-6 | sort) | head -3)"
check_equal "with --ctf, the database's links are the portal's and the office's only" "manual web" \
    "$(rows "$RUN/ctf-a.sql" guardian_student | cut -f7 | sort -u | tr '\n' ' ' | sed 's/ $//')"
check_equal "the CTF is well-formed XML: a CTfile, its Header, a pupil a student or so" "CTfile|1|True" \
    "$(python3 -c 'import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); print(r.tag, len(r.findall("Header")), 2900 < len(r.findall("CTFpupilData/Pupil")) < 3050, sep="|")' "$RUN/a.xml")"
check_equal "every number in the CTF is from Ofcom's drama ranges" "" \
    "$(grep -o '<PhoneNo>[^<]*</PhoneNo>' "$RUN/a.xml" | sed 's/<[^>]*>//g' | tr -d ' .()-' |
       grep -oE '[0-9]{7,}' | grep -vE '^(00)?(44)?0?(7700900[0-9]{0,4}|1632960[0-9]{3}|207946[0-9]{4})$' | head)"
# What real exports hold, each in about the share given (of pupils or of
# contacts), as the oracle reads the file.
check_equal "the CTF is as messy as the MIS's exports" "" "$(oracle_py "$RUN/a.xml" "$RUN/ctf-a.sql" <<'PY'
import collections, re, sys
students = set(re.findall(r"\t([A-Z][0-9]{12})\n", open(sys.argv[2]).read()))
pupils = list(o.read_ctf(open(sys.argv[1], "rb").read()))
contacts = [c for _, cs in pupils for c in cs]
people = collections.defaultdict(set)    # (E.164, surname key): {(upn, as typed)}
for upn, cs in pupils:
    for c in cs:
        for kind, number in c["phones"]:
            if kind == "M" and o.normalise_mobile(number):
                people[(o.normalise_mobile(number), o.name_key(c["surname"]))].add((upn, number))
def mobile(number):
    return o.normalise_mobile(number) is not None
def m(c):
    return [n for t, n in c["phones"] if t == "M"]
def names(cs):
    return {(o.name_key(c["forename"]), o.name_key(c["surname"])) for c in cs}
shared = [s for s in people.values() if len({u for u, _ in s}) > 1]
share = {
    "pupils whose UPN is not a student's": (sum(u not in students for u, _ in pupils), len(pupils), 0.005, 0.03),
    "students missing from the file": (len(students - {u for u, _ in pupils}), len(students), 0.01, 0.04),
    "pupils with more than 4 contacts": (sum(len(cs) > 4 for _, cs in pupils), len(pupils), 0.01, 0.08),
    "pupils with a contact twice": (sum(len(names(cs)) < len(cs) for _, cs in pupils), len(pupils), 0.005, 0.03),
    "pupils not in priority order": (sum([c["order"] for c in cs] != sorted(c["order"] for c in cs) for _, cs in pupils), len(pupils), 0.005, 0.05),
    "contacts of priority 2 and lower": (sum(c["order"] >= 2 for c in contacts), len(contacts), 0.4, 0.7),
    "opted-out contacts": (sum(c["optout"] for c in contacts), len(contacts), 0.02, 0.04),
    "landlines or broken numbers in M": (sum(bool(m(c)) and not any(map(mobile, m(c))) for c in contacts), len(contacts), 0.03, 0.09),
    "a landline, then the mobile, in M": (sum(len(m(c)) > 1 and not mobile(m(c)[0]) and mobile(m(c)[1]) for c in contacts), len(contacts), 0.005, 0.04),
    "mobiles typed as H or W with no M": (sum(not m(c) and any(mobile(n) for _, n in c["phones"]) for c in contacts), len(contacts), 0.02, 0.07),
    "contacts without a phone": (sum(not c["phones"] for c in contacts), len(contacts), 0.01, 0.05),
    "a landline beside the mobile": (sum(any(map(mobile, m(c))) and any(t != "M" and not mobile(n) for t, n in c["phones"]) for c in contacts), len(contacts), 0.1, 0.25),
    "people under two pupils or more": (len(shared), len(people), 0.03, 0.2),
    "of them, spelled two ways": (sum(len({n for _, n in s}) > 1 for s in shared), max(1, len(shared)), 0.1, 0.9),
}
for what, (count, total, low, high) in share.items():
    if not low <= count / total <= high:
        print(f"{what}: {count} of {total}, not within {low:.1%} to {high:.1%}")
text = open(sys.argv[1], encoding="utf-8").read()
for needle in ["<OptOut>true</OptOut>", "<OptOut>false</OptOut>", "<Gender>", "<Address>", "<DOB>",
               "&amp;", "&lt;", "+44 (0)", "0044", "<Email>", "<Contacts/>", "<TelephoneType>W<"]:
    if needle not in text:
        print("no", needle)
PY
)"
"$E2E_SRC/tests/college_oracle.py" --seed 5 --students 3000 --now "$NOW" --ctf "$RUN/a.xml" \
    --import-lower-priority yes --import-account-status active >"$RUN/ctf.expect" 2>/dev/null
check_equal "the oracle decides every contact of a known pupil once, each decision occurring" \
    "already-linked imported limit-reached opted-out prime-exists|$(oracle_py "$RUN/a.xml" "$RUN/ctf-a.sql" <<'PY'
import re, sys
students = set(re.findall(r"\t([A-Z][0-9]{12})\n", open(sys.argv[2]).read()))
print(sum(len(cs) for upn, cs in o.read_ctf(open(sys.argv[1], "rb").read()) if upn in students))
PY
)" "$(awk -F'\t' '$1 == "contact" {print $5}' "$RUN/ctf.expect" | sort -u | tr '\n' ' ' | sed 's/ $//')|$(grep -c '^contact' "$RUN/ctf.expect")"
check_equal "the oracle's counts add up to the contacts it decided" "$(grep -c '^contact' "$RUN/ctf.expect")" \
    "$(awk -F'\t' '$1 == "import" && $5 ~ /^(contacts.(imported|updated|unchanged)|skipped)/ {n += $6} END {print n}' "$RUN/ctf.expect")"
check "with import-account-status = active, imported parents get texts" \
    test "$(awk -F'\t' '$1 == "link" {l[$2 "|" $4] = 1} $1 == "text" && l[$2 "|" $4] {n++} END {print n + 0}' "$RUN/ctf.expect")" -gt 20
"$E2E_SRC/tests/college_oracle.py" --seed 5 --students 3000 --now "$NOW" --ctf "$RUN/a.xml" >"$RUN/ctf-default.expect" 2>/dev/null
check_equal "by default, imported parents are unregistered and get no texts, lower priorities are skipped" \
    "0|0|yes" "$(awk -F'\t' '$1 == "link" {l[$2 "|" $4] = 1; if ($5 !~ /^true\|1\|unregistered$/) bad++}
                        $1 == "text" && l[$2 "|" $4] {n++}
                        $1 == "import" && $5 == "skipped.lower-priority" {lower = $6 > 1000 ? "yes" : "no"}
                        END {print n + 0 "|" bad + 0 "|" lower}' "$RUN/ctf-default.expect")"
check_equal "without --ctf, the oracle's lines are the day's outcomes alone" "expired skip text trigger" \
    "$(cut -f1 "$RUN/a.expect" | sort -u | tr '\n' ' ' | sed 's/ $//')"

# ---- the weeks before (--history-weeks) --------------------------------------------------

# Without --history-weeks the generator writes what it wrote before the
# option existed: the generator of the last commit, run beside it.
if git -C "$E2E_SRC" show HEAD:scripts/generate-college >"$RUN/generate-college.head" 2>/dev/null; then
    python3 "$RUN/generate-college.head" --seed 5 --students 3000 --now "$NOW" --sql "$RUN/head-a.sql" 2>/dev/null
    python3 "$RUN/generate-college.head" --seed 7 --students 500 --now "$NOW" --live \
        --timezone America/New_York --sql "$RUN/head-b.sql" --ctf "$RUN/head-b.xml" 2>/dev/null
    gen --seed 7 --students 500 --now "$NOW" --live --timezone America/New_York \
        --sql "$RUN/new-b.sql" --ctf "$RUN/new-b.xml"
    check "without --history-weeks, the SQL and the CTF are byte for byte the last commit's" \
        eval 'cmp -s "$RUN/a.sql" "$RUN/head-a.sql" && cmp -s "$RUN/new-b.sql" "$RUN/head-b.sql" && cmp -s "$RUN/new-b.xml" "$RUN/head-b.xml"'
else
    ok "without --history-weeks, the SQL is the last commit's # SKIP not in a git work tree"
fi

# A Wednesday: three weeks of history, this week's Monday and Tuesday, and
# yesterday's lessons still in the planner's window.
HNOW=2026-06-17T12:00:00+00:00
HOPTS=(--seed 5 --students 3000 --now "$HNOW" --history-weeks 3)
gen "${HOPTS[@]}" --sql "$RUN/h.sql"
gen "${HOPTS[@]}" --sql "$RUN/h2.sql"
oracle "${HOPTS[@]}" >"$RUN/h.expect"
oracle "${HOPTS[@]}" >"$RUN/h2.expect"
gen --seed 5 --students 3000 --now "$HNOW" --sql "$RUN/d.sql"
oracle --seed 5 --students 3000 --now "$HNOW" >"$RUN/d.expect"
check "--history-weeks: the same seed gives the same college and expectations" \
    eval 'cmp -s "$RUN/h.sql" "$RUN/h2.sql" && cmp -s "$RUN/h.expect" "$RUN/h2.expect"'
check_equal "--history-weeks truncates, writes and analyses absence.term; without it, no term" "1 1 1|0" \
    "$(grep -c '^truncate .*, absence.term;$' "$RUN/h.sql") $(grep -c '^copy absence.term ' "$RUN/h.sql") $(
       grep -c '^analyze .*, absence.term;$' "$RUN/h.sql")|$(grep -c 'absence.term' "$RUN/d.sql")"
# The day is the same with or without --history-weeks: students, guardians,
# links, and the day's lessons (ids below 100000) and their marks.
today_rows() { rows "$1" "$2" | awk -F'\t' -v t="$2" 't == "student" || t ~ /^guardian/ || $1 < 100000'; }
check "--history-weeks leaves the day as it is" eval '
    for t in student lesson attendance_mark guardian guardian_student; do
        cmp -s <(today_rows "$RUN/d.sql" $t) <(today_rows "$RUN/h.sql" $t) || exit 1
    done'
check_equal "--history-weeks leaves the day's outcomes as they are; yesterday's absences have expired" \
    "same|expired status-not-eligible" \
    "$(cmp -s <(awk -F'\t' '$1 == "trigger" && $6 < 100000' "$RUN/h.expect") <(grep '^trigger' "$RUN/d.expect") && echo same || echo differ)|$(
       awk -F'\t' '$1 == "trigger" && $6 > 100000 {print $5}' "$RUN/h.expect" | sort -u | tr '\n' ' ' | sed 's/ $//')"

# The terms, the holiday and the past days, read back from the SQL.
check_equal "the terms, the holiday week and the past school days are as specified" "ok" \
    "$(oracle_py "$RUN/h.sql" "$HNOW" <<'PY'
import datetime as dt, re, sys, zoneinfo
sql = open(sys.argv[1]).read()
def rows(table):
    block = sql.split(f"copy absence.{table} ")[1].split("\n\\.")[0]
    return [line.split("\t") for line in block.split("\n")[1:]]
zone = zoneinfo.ZoneInfo("Europe/London")
today = dt.datetime.fromisoformat(sys.argv[2]).astimezone(zone).date()
monday = today - dt.timedelta(days=today.weekday())
terms = sorted((dt.date.fromisoformat(a), dt.date.fromisoformat(b), int(i)) for i, _, a, b in rows("term"))
(pstart, pend, pid), (cstart, cend, cid) = terms
problems = []
if (cstart, cend) != (monday - dt.timedelta(weeks=3), today + dt.timedelta(weeks=8)):
    problems.append(f"current term {cstart} to {cend}")
if pend.weekday() != 4 or pend + dt.timedelta(days=3) != cstart - dt.timedelta(weeks=1) or pid == cid:
    problems.append(f"previous term {pstart} to {pend}: no week's holiday before {cstart}")
days, per_group = set(), {}
for lesson_id, starts, ends, title, marked in rows("lesson"):
    if int(lesson_id) < 100000:
        continue
    starts, ends, marked = (dt.datetime.fromisoformat(t).astimezone(zone) for t in (starts, ends, marked))
    day = starts.date()
    days.add(day)
    per_group[(day, title.split()[-1])] = per_group.get((day, title.split()[-1]), 0) + 1
    if not (day.weekday() < 5 and day < today and (pstart <= day <= pend or cstart <= day <= cend)):
        problems.append(f"lesson {lesson_id} on {day}")
    if not (dt.time(9) <= starts.time() and ends.time() <= dt.time(16, 30) and starts < marked < ends):
        problems.append(f"lesson {lesson_id} at {starts.time()}-{ends.time()}, marked {marked.time()}")
expected = {d for d in (cstart + dt.timedelta(days=n) for n in range((today - cstart).days)) if d.weekday() < 5}
if not expected <= days or days - expected != {pend - dt.timedelta(days=n) for n in range(5)}:
    problems.append(f"school days {sorted(days)}")
if not all(3 <= n <= 5 for n in per_group.values()):
    problems.append("a group with fewer than 3 or more than 5 lessons a day")
print("\n".join(problems[:5]) or "ok")
PY
)"
check_equal "part-time students (about 8%) have lessons on their own weekdays only" "ok" \
    "$(oracle_py "$RUN/h.sql" "${HOPTS[@]}" <<'PY'
import datetime as dt, sys, zoneinfo
sql = open(sys.argv[1]).read()
def rows(table):
    block = sql.split(f"copy absence.{table} ")[1].split("\n\\.")[0]
    return [line.split("\t") for line in block.split("\n")[1:]]
zone = zoneinfo.ZoneInfo("Europe/London")
weekday = {int(l[0]): dt.datetime.fromisoformat(l[1]).astimezone(zone).weekday()
           for l in rows("lesson") if int(l[0]) > 100000}
seen = {}
for lesson, student, _ in rows("attendance_mark"):
    if int(lesson) in weekday:
        seen.setdefault(student, set()).add(weekday[int(lesson)])
college = o.gen.College(o.parse_args(sys.argv[2:])).build()
problems = []
part = 0
for student, (weekdays, _, _) in zip(college.students, college.history.plans):
    part += len(weekdays) < 5
    if seen.get(student["id"]) != set(weekdays):
        problems.append(f"{student['id']}: on {sorted(seen.get(student['id'], ()))}, not {weekdays}")
if not 0.06 <= part / len(college.students) <= 0.10:
    problems.append(f"{part} part-time students of {len(college.students)}")
print("\n".join(problems[:5]) or "ok")
PY
)"
# What the concerns are made of, as the oracle's model holds it: concerns of
# both rules, runs across a weekend and over a part-timer's days, absence
# days with one absent lesson among present ones, and none from the
# previous term's absences, though they would make concerns if counted.
check_equal "the oracle's concerns: both rules, across weekends, part-timers, none from the previous term" \
    "ok" "$(oracle_py "$RUN/h.expect" "${HOPTS[@]}" <<'PY'
import sys
args = o.parse_args(sys.argv[2:])
college = o.gen.College(args).build()
college.imported_guardians, college.imported_links = [], []
oracle = o.Oracle(college)
lines = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.startswith("concern\t")]
concerns = oracle.concerns(args.at)
history = college.history
plans = {s["id"]: plan for s, plan in zip(college.students, history.plans)}
students = {s["id"]: s for s in college.students}
problems = []
if [[str(c[0]), str(c[1]), c[2], ",".join(d.isoformat() for d in c[3]), str(c[4])] for c in concerns] != \
        [l[1:] for l in lines]:
    problems.append("the concern lines are not the model's")
last = oracle.last_day_over(args.at)
count = {}
def counted(kind, n=1):
    count[kind] = count.get(kind, 0) + n
for student, term, rule, days, term_days in concerns:
    counted(rule)
    gaps = [(b - a).days for a, b in zip(days, days[1:])]
    part_time = len(plans[student][0]) < 5
    if rule == "consecutive" and not part_time and 3 in gaps:
        counted("weekend")
    if rule == "consecutive" and part_time:
        counted("part-time")
    if term != history.CURRENT_TERM or not all(d <= last for d in days) or term_days < len(days):
        problems.append(f"{student}: {term} {rule} {days} {term_days}")
    # every past day has 3 to 5 lessons: one absent lesson is among present ones
    counted("one-lesson days", sum(len(oracle.absent[student][d]) == 1 for d in days))
found = {(c[0], c[2]) for c in concerns}
# Counted as one term, the previous term's last days would open concerns.
for student, (_, absent, pattern) in plans.items():
    if pattern in ("broken", "corrected", "previous") and any(s == student for s, _ in found):
        problems.append(f"{student} ({pattern}) has a concern")
    if pattern == "previous" and o.eligible(students[student]):
        days = sorted(d for d in oracle.school[student] if d <= last)
        merged = {rule for rule, _, _ in o.patterns(days, oracle.absent[student], 3, 5)}
        counted("previous-term what-if", len(merged))
        counted("previous-term actual", sum((student, r) in found for r in merged))
for kind in ["consecutive", "cumulative", "weekend", "part-time", "one-lesson days",
             "previous-term what-if"]:
    if count.get(kind, 0) < 3:
        problems.append(f"too few {kind}: {count.get(kind, 0)}")
if count.get("previous-term actual", 0):
    problems.append(f"previous-term absences made {count['previous-term actual']} concerns")
print("\n".join(problems[:8]) or "ok")
PY
)"
date='[0-9]{4}-[0-9]{2}-[0-9]{2}'
check_equal "the oracle's concern lines: concern, student, term, rule, dates, term's absence days" "" \
    "$(grep '^concern' "$RUN/h.expect" |
       grep -vE "^concern"$'\t'"STE[0-9]{8}"$'\t'"[0-9]+"$'\t'"(consecutive|cumulative)"$'\t'"$date(,$date)*"$'\t'"[0-9]+\$" | head -3)"
check_equal "the oracle's thresholds are options" "yes|0" \
    "$(oracle "${HOPTS[@]}" --concern-consecutive-days 2 --concern-term-days 4 |
       awk -F'\t' '$1 == "concern" {n[$4]++} END {print (n["consecutive"] > 0 ? "yes" : "no")}')|$(
       oracle "${HOPTS[@]}" --at 2026-06-16T17:00:00+00:00 --concern-term-days 100 |
       awk -F'\t' '$1 == "concern" && ($4 == "cumulative" || $5 ~ /2026-06-16/) {n++} END {print n + 0}')"

check_equal "a bad option is refused with a clear message" \
    "generate-college: error: --students must be at least 1" \
    "$("$E2E_SRC/scripts/generate-college" --students 0 2>&1 | tail -1)"
check_equal "an unknown time zone is refused" \
    "generate-college: error: --timezone 'Europe/Lundon' is not a known time zone" \
    "$("$E2E_SRC/scripts/generate-college" --timezone Europe/Lundon 2>&1 | tail -1)"
check_equal "--history-weeks is refused outside 0 to 52" \
    "generate-college: error: --history-weeks must be from 0 to 52" \
    "$("$E2E_SRC/scripts/generate-college" --history-weeks -1 2>&1 | tail -1)"
check_equal "the oracle refuses what the generator refuses" \
    "college_oracle.py: error: --students must be at least 1" \
    "$("$E2E_SRC/tests/college_oracle.py" --students 0 2>&1 | tail -1)"
e2e_done
