#!/usr/bin/env python3
"""college_oracle.py - what the policy should make of a generated college.

Builds the very college scripts/generate-college builds from the same
options (same --seed, --students, --now, --timezone, --live, ...) and writes,
computed independently of the database's policy SQL from the rules as the
README states them, one line per outcome (tab-separated):

  trigger  student  -         -          state   lesson
  text     student  guardian  recipient  -       body
  expired  student  guardian  recipient  -       body
  skip     student  guardian  recipient  reason  -

With --ctf among the generator's options, the outcomes are for the day after
a first `absencectl import-contacts` of the generated file into it (README,
"6. Contacts from the MIS"), with the import's settings given here, and
these lines come first:

  import   -        -         -          COUNT   N       (pupils.matched,
           pupils.unknown, contacts.imported, ..., skipped.opted-out, ...)
  contact  student  upn       mobile     DECISION  order|position|forename|surname
  link     student  guardian  mobile     prime|priority|account  name

(DECISION: imported or a skip reason; mobile: the E.164 form, else as typed,
else empty; the guardian ids of imported guardians are the oracle's own.)

With --history-weeks among the generator's options, the past school days
are lessons like the day's: a past day with an absent mark on a lesson the
planner looks at from --at (ending from --at - max-lateness - 1 day to --at
- send-delay: yesterday's, at the day's --now) has its trigger line (the
earliest absent lesson of that day) and its guardians' lines, settled like
the day's. After all the outcomes come the attendance concerns (README,
"7. Attendance concerns") at --at, one line each, sorted by student, rule
and term:

  concern  student  term_id  rule  D1,D2,...  term_absence_days

A student's school days are the college dates on which they have a lesson
with a mark; an absence day is one with an absent mark (O). A day counts
once it is over (its --latest-send-time is not after --at) and only within
a term, each term on its own. consecutive: absence days on
--concern-consecutive-days of the student's school days in a row (days
without lessons do not break a run, a school day without an absent mark
does); its days are the first that many of the earliest such run.
cumulative: --concern-term-days absence days in the term; its days are the
first that many. Each at most once a student and term; term_absence_days is
the student's counted absence days in the term. As the policy's other
rules, only students whose status the policy texts (C and two characters)
have concerns.

Usage:
  tests/college_oracle.py [--at ISO] [--link L] [--max-lateness S]
      [--latest-send-time HH:MM] [--import-lower-priority yes|no]
      [--import-account-status unregistered|active] [--max-linked-adults N]
      [--allow-international yes|no] [--concern-consecutive-days N]
      [--concern-term-days N] GENERATOR-OPTIONS... > FILE

--at is the instant the outcomes are for (default: the generator's --now).
"""

import argparse
import datetime as dt
import importlib.machinery
import importlib.util
import io
import itertools
import os
import re
import sys
import xml.etree.ElementTree as ET

TEMPLATE = ("Student {student_id} did not attend their lesson today at {lesson_time}. "
            "If this is a genuine absence, please notify us here: {link}")


def load_generator():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts",
                        "generate-college")
    loader = importlib.machinery.SourceFileLoader("generate_college", path)
    spec = importlib.util.spec_from_loader("generate_college", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


gen = load_generator()
e164 = gen.e164
ABSENT_MARKS = {"O"}


class Oracle:
    def __init__(self, college):
        self.college = college
        args = college.args
        self.args = args
        self.delay = dt.timedelta(seconds=args.send_delay)
        self.lateness = dt.timedelta(seconds=args.max_lateness)
        hour, minute = map(int, args.latest_send_time.split(":"))
        self.latest = dt.time(hour, minute)
        self.guardians = {g["id"]: g for g in college.guardians + college.imported_guardians}
        self.links_by_student = {}
        for link in college.links + college.imported_links:
            self.links_by_student.setdefault(link["student"], []).append(link)
        if college.history:
            self.read_history()

    def local(self, instant):
        return instant.astimezone(self.args.zone)

    def read_history(self):
        """The college as the database holds it, past days and the day
        alike: school[student] is the set of dates on which the student has
        a mark, absent[student][date] the lessons of that date they are
        marked absent on. Dates are the college's (the lesson's start)."""
        history = self.college.history
        self.lessons = {l["id"]: dict(l, day=self.local(l["starts"]).date())
                        for l in self.college.lessons}
        self.past = set()
        for lesson in history.lessons():
            lesson["day"] = self.local(lesson["starts"]).date()
            self.lessons[lesson["id"]] = lesson
            self.past.add(lesson["id"])
        self.school, self.absent = {}, {}
        marks = ((lesson, student, mark) for (lesson, student), mark in self.college.marks.items())
        for lesson_id, student_id, mark in itertools.chain(marks, history.marks()):
            lesson = self.lessons[lesson_id]
            self.school.setdefault(student_id, set()).add(lesson["day"])
            if mark in ABSENT_MARKS:
                self.absent.setdefault(student_id, {}).setdefault(lesson["day"], []).append(lesson)

    def trigger(self, student):
        lessons = self.college.group_lessons[student["group"]]
        absent = [l for l in lessons if self.college.marks.get((l["id"], student["id"])) == "O"]
        if not absent:
            return None
        return min(absent, key=lambda l: (l["starts"], l["id"]))

    def past_triggers(self, student, at):
        """The trigger lessons of the student's past days that the planner
        looks at from AT: days with an absent mark on a past lesson ending in
        its window; the trigger is the day's earliest absent lesson."""
        if not self.college.history:
            return []
        first, last = at - self.lateness - dt.timedelta(days=1), at - self.delay
        triggers = []
        for day, lessons in sorted(self.absent.get(student["id"], {}).items()):
            lessons = [l for l in lessons if l["id"] in self.past]
            if any(first <= l["ends"] <= last for l in lessons):
                triggers.append(min(lessons, key=lambda l: (l["starts"], l["id"])))
        return triggers

    def state(self, student, lesson, at):
        if not eligible(student):
            return "status-not-eligible"
        if lesson["marked"] is None:
            return "register-not-marked"
        if lesson["marked"] > lesson["ends"]:
            return "register-late"
        due = lesson["ends"] + self.delay
        day = self.local(lesson["starts"]).date()
        latest = dt.datetime.combine(day, self.latest, tzinfo=self.args.zone)
        expires = min(lesson["ends"] + self.lateness, latest)
        if at > expires or due > expires:
            return "expired"
        if at < due:
            return "not-yet-due"
        return "due"

    def outcomes(self, at):
        """Yield (kind, student, guardian, recipient, detail, body) at instant AT."""
        for student in self.college.students:
            for lesson in self.past_triggers(student, at):
                yield from self.day_outcomes(student, lesson, at)
            lesson = self.trigger(student)
            if lesson is None:
                continue
            yield from self.day_outcomes(student, lesson, at)

    def day_outcomes(self, student, lesson, at):
        """The lines of a student's day whose trigger is LESSON."""
        state = self.state(student, lesson, at)
        yield ("trigger", student["id"], "", "", state, str(lesson["id"]))
        if state in ("due", "expired"):
            yield from self.guardian_outcomes(student, lesson, state)

    def guardian_outcomes(self, student, lesson, state):
        body = TEMPLATE.format(student_id=student["id"], link=self.args.link,
                               lesson_time=self.local(lesson["starts"]).strftime("%H:%M"))
        taken = set()
        for link in sorted(self.links_by_student.get(student["id"], []),
                           key=lambda l: l["guardian"]):
            guardian = self.guardians[link["guardian"]]
            reason = self.skip_reason(guardian, link, taken)
            recipient = number_of(guardian) or ""
            if reason:
                yield ("skip", student["id"], str(guardian["id"]), recipient, reason, "")
            else:
                taken.add(recipient)
                kind = "text" if state == "due" else "expired"
                yield (kind, student["id"], str(guardian["id"]), recipient, "", body)

    def last_day_over(self, at):
        """The last college date whose latest-send-time is not after AT."""
        local = self.local(at).replace(tzinfo=None)
        return (local - dt.timedelta(hours=self.latest.hour, minutes=self.latest.minute)).date()

    def concerns(self, at):
        """(student, term id, rule, [date], term absence days) of every
        concern at AT, sorted by student, rule and term."""
        last = self.last_day_over(at)
        found = []
        for student in self.college.students:
            if not eligible(student) or student["id"] not in self.absent:
                continue
            school, absent = self.school[student["id"]], self.absent[student["id"]]
            for term in self.college.history.terms:
                days = sorted(d for d in school if term["starts"] <= d <= min(term["ends"], last))
                for rule, concern_days, count in patterns(
                        days, absent, self.args.concern_consecutive_days,
                        self.args.concern_term_days):
                    found.append((student["id"], term["id"], rule, concern_days, count))
        return sorted(found, key=lambda c: (c[0], c[2], c[1]))

    def concern_lines(self, at):
        for student, term, rule, days, count in self.concerns(at):
            yield ("concern", student, str(term), rule, ",".join(d.isoformat() for d in days),
                   str(count))

    @staticmethod
    def skip_reason(guardian, link, taken):
        if guardian["account"] != "active":
            return "account-not-active"
        if link["status"] != "active":
            return "link-not-active"
        if link["hide"]:
            return "attendance-hidden"
        if guardian["mobile"] is None or guardian["mobile"].strip() == "":
            return "no-mobile"
        if number_of(guardian) is None:
            return "invalid-mobile"
        if number_of(guardian) in taken:
            return "duplicate-number"
        return None


def eligible(student):
    """Whether the policy texts about the student (student-status-pattern C__)."""
    status = student["status"]
    return len(status) == 3 and status[0] == "C"


def patterns(days, absent, consecutive, term_days):
    """The concerns of one student and term: DAYS are the student's counted
    school days in the term, in order, ABSENT holds their absence days.
    Yields (rule, [date], the term's absence days)."""
    absences = [d for d in days if d in absent]
    run = []
    for day in days:
        run = run + [day] if day in absent else []
        if len(run) == consecutive:
            yield "consecutive", run, len(absences)
            break
    if len(absences) >= term_days:
        yield "cumulative", absences[:term_days], len(absences)


def number_of(guardian):
    """A guardian's number in E.164, or None when it cannot get a text."""
    if "e164" in guardian:
        return guardian["e164"]
    return e164(guardian["number"]) if guardian["number"] is not None else None


# ---- import-contacts -------------------------------------------------------------------

def normalise_mobile(raw, allow_international=False):
    """README, "4. Mobile numbers": the E.164 form of a typed number, or None."""
    if raw is None:
        return None
    s = re.sub(r"[\s.\-()\[\]\u00a0]", "", raw)
    if s.startswith("+"):
        digits = s[1:]
    elif s.startswith("00"):
        digits = s[2:]
    elif s.startswith("44"):
        digits = s
    elif s.startswith("0"):
        digits = "44" + s[1:]
    elif s.startswith("7") and len(s) == 10:
        digits = "44" + s
    else:
        return None
    if not re.fullmatch(r"[0-9]+", digits):
        return None
    if digits.startswith("440"):                  # +44 (0)7...
        digits = "44" + digits[3:]
    if digits.startswith("44"):
        return "+" + digits if re.fullmatch(r"7[1-57-9][0-9]{8}", digits[2:]) else None
    if allow_international and re.fullmatch(r"[1-9][0-9]{7,14}", digits):
        return "+" + digits
    return None


def name_key(text):
    """Lower case, every character that is not a letter or digit dropped."""
    return "".join(c for c in (text or "").lower() if c.isalnum())


SKIPS = ["opted-out", "lower-priority", "prime-exists", "already-linked", "limit-reached"]


def read_ctf(data):
    """Pupil elements of a CTF: (upn, [contact]) in file order."""
    for _, element in ET.iterparse(io.BytesIO(data)):
        if element.tag != "Pupil":
            continue
        contacts = []
        for position, contact in enumerate(element.findall("Contacts/Contact")):
            contacts.append({
                "position": position,
                "order": int(contact.findtext("Order")),
                "forename": contact.findtext("Forename") or "",
                "surname": contact.findtext("Surname") or "",
                "optout": (contact.findtext("OptOut") or "false").strip() == "true",
                "phones": [(phone.findtext("TelephoneType"), phone.findtext("PhoneNo"))
                           for phone in contact.findall("Phones/Phone")]})
        yield element.findtext("UPN"), contacts
        element.clear()


class ContactImport:
    """A first import of a CTF into the generated day (README, "6. Contacts
    from the MIS"), computed from the file and the day's tables alone."""

    def __init__(self, college, args):
        self.college = college
        self.args = args
        self.counts = {key: 0 for key in ["pupils.matched", "pupils.unknown",
                                          "contacts.imported", "contacts.updated",
                                          "contacts.unchanged", "contacts.suspended"]
                       + ["skipped." + reason for reason in SKIPS]}
        self.decisions = []       # (student, upn, mobile, decision, detail)
        self.guardians = []       # new guardians, as the generator's dicts
        self.links = []
        self.by_key = {}          # (E.164, surname key) -> new guardian
        self.next_id = max([g["id"] for g in college.guardians], default=0) + 1

    def normalise(self, raw):
        return normalise_mobile(raw, self.args.allow_international == "yes")

    def run(self, data):
        students = {s["upn"]: s for s in self.college.students}
        guardians = {g["id"]: g for g in self.college.guardians}
        links = {}
        for link in self.college.links:
            links.setdefault(link["student"], []).append(link)
        for upn, contacts in read_ctf(data):
            student = students.get(upn)
            if student is None:
                self.counts["pupils.unknown"] += 1
                continue
            self.counts["pupils.matched"] += 1
            self.pupil(student, upn, contacts, links.get(student["id"], []), guardians)
        return self

    def mobile(self, contact):
        """The first M phone that is a mobile, else the first M phone as typed."""
        typed = [number for kind, number in contact["phones"] if kind == "M"]
        for number in typed:
            if self.normalise(number):
                return number
        return typed[0] if typed else None

    def pupil(self, student, upn, contacts, links, guardians):
        numbers = {self.normalise(guardians[k["guardian"]]["mobile"]) for k in links} - {None}
        active = sum(k["status"] == "active" for k in links)
        prime = any(k["status"] == "active" and k["prime"] and k["source"] in ("web", "manual")
                    for k in links)
        free = self.args.max_linked_adults - active
        names = set()
        lower = self.args.import_lower_priority == "yes"
        for contact in sorted(contacts, key=lambda c: (c["order"], c["position"])):
            mobile = self.mobile(contact)
            number = self.normalise(mobile)
            name = (name_key(contact["forename"]), name_key(contact["surname"]))
            if name in names:
                decision = "already-linked"
            elif contact["optout"]:
                decision = "opted-out"
            elif contact["order"] >= 2 and not lower:
                decision = "lower-priority"
            elif contact["order"] == 1 and prime:
                decision = "prime-exists"
            elif number is not None and number in numbers:
                decision = "already-linked"
            elif free <= 0:
                decision = "limit-reached"
            else:
                decision = "imported"
                free -= 1
                if number is not None:
                    numbers.add(number)
                self.link(student, contact, mobile, number)
            names.add(name)
            self.counts["contacts.imported" if decision == "imported"
                        else "skipped." + decision] += 1
            self.decisions.append((student["id"], upn, number or mobile or "", decision,
                                   f"{contact['order']}|{contact['position']}|"
                                   f"{contact['forename']}|{contact['surname']}"))

    def link(self, student, contact, mobile, number):
        key = (number, name_key(contact["surname"])) if number is not None else None
        guardian = self.by_key.get(key) if key else None
        if guardian is None:
            guardian = {"id": self.next_id, "name": f"{contact['forename']} {contact['surname']}",
                        "mobile": mobile, "e164": number, "number": None,
                        "account": self.args.import_account_status}
            self.next_id += 1
            self.guardians.append(guardian)
            if key:
                self.by_key[key] = guardian
        self.links.append({"guardian": guardian["id"], "student": student["id"],
                           "status": "active", "hide": False, "prime": contact["order"] == 1,
                           "priority": contact["order"], "source": "import"})

    def lines(self):
        for key, value in self.counts.items():
            yield ("import", "-", "-", "-", key, str(value))
        for student, upn, mobile, decision, detail in self.decisions:
            yield ("contact", student, upn, mobile, decision, detail)
        guardians = {g["id"]: g for g in self.guardians}
        for link in self.links:
            guardian = guardians[link["guardian"]]
            yield ("link", link["student"], str(guardian["id"]),
                   guardian["e164"] or guardian["mobile"] or "",
                   f"{str(link['prime']).lower()}|{link['priority']}|{guardian['account']}",
                   guardian["name"])



def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--at", help="ISO instant the outcomes are for (default: --now)")
    parser.add_argument("--link", default="https://tinyurl.com/runabs")
    parser.add_argument("--max-lateness", type=int, default=10800)
    parser.add_argument("--latest-send-time", default="19:00")
    parser.add_argument("--import-lower-priority", choices=["yes", "no"], default="no")
    parser.add_argument("--import-account-status", choices=["unregistered", "active"],
                        default="unregistered")
    parser.add_argument("--max-linked-adults", type=int, default=4)
    parser.add_argument("--allow-international", choices=["yes", "no"], default="no")
    parser.add_argument("--concern-consecutive-days", type=int, default=3)
    parser.add_argument("--concern-term-days", type=int, default=5)
    args = gen.parse_args(argv, parser)
    if args.concern_consecutive_days < 1 or args.concern_term_days < 1:
        parser.error("--concern-consecutive-days and --concern-term-days must be at least 1")
    args.at = dt.datetime.fromisoformat(args.at) if args.at else args.now
    return args


def main(argv):
    args = parse_args(argv)
    college = gen.College(args).build()
    college.imported_guardians, college.imported_links = [], []
    if args.ctf:
        # The file as the generator writes it, read back as the importer reads it.
        data = "".join(gen.ctf_stream(college)).encode("utf-8")
        imported = ContactImport(college, args).run(data)
        college.imported_guardians, college.imported_links = imported.guardians, imported.links
        for row in imported.lines():
            sys.stdout.write("\t".join(row) + "\n")
    oracle = Oracle(college)
    for row in oracle.outcomes(args.at):
        sys.stdout.write("\t".join(row) + "\n")
    if college.history:
        for row in oracle.concern_lines(args.at):
            sys.stdout.write("\t".join(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
