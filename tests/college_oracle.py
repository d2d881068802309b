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

Usage:
  tests/college_oracle.py [--at ISO] [--link L] [--max-lateness S]
      [--latest-send-time HH:MM] GENERATOR-OPTIONS... > FILE

--at is the instant the outcomes are for (default: the generator's --now).
"""

import argparse
import datetime as dt
import importlib.machinery
import importlib.util
import os
import sys

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


class Oracle:
    def __init__(self, college):
        self.college = college
        args = college.args
        self.args = args
        self.delay = dt.timedelta(seconds=args.send_delay)
        self.lateness = dt.timedelta(seconds=args.max_lateness)
        hour, minute = map(int, args.latest_send_time.split(":"))
        self.latest = dt.time(hour, minute)
        self.guardians = {g["id"]: g for g in college.guardians}
        self.links_by_student = {}
        for link in college.links:
            self.links_by_student.setdefault(link["student"], []).append(link)

    def local(self, instant):
        return instant.astimezone(self.args.zone)

    def trigger(self, student):
        lessons = self.college.group_lessons[student["group"]]
        absent = [l for l in lessons if self.college.marks.get((l["id"], student["id"])) == "O"]
        if not absent:
            return None
        return min(absent, key=lambda l: (l["starts"], l["id"]))

    def state(self, student, lesson, at):
        status = student["status"]
        if not (len(status) == 3 and status[0] == "C"):
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
            lesson = self.trigger(student)
            if lesson is None:
                continue
            state = self.state(student, lesson, at)
            yield ("trigger", student["id"], "", "", state, str(lesson["id"]))
            if state not in ("due", "expired"):
                continue
            body = TEMPLATE.format(student_id=student["id"], link=self.args.link,
                                   lesson_time=self.local(lesson["starts"]).strftime("%H:%M"))
            taken = set()
            for link in sorted(self.links_by_student.get(student["id"], []),
                               key=lambda l: l["guardian"]):
                guardian = self.guardians[link["guardian"]]
                reason = self.skip_reason(guardian, link, taken)
                recipient = e164(guardian["number"]) if guardian["number"] is not None else ""
                if reason:
                    yield ("skip", student["id"], str(guardian["id"]), recipient, reason, "")
                else:
                    taken.add(recipient)
                    kind = "text" if state == "due" else "expired"
                    yield (kind, student["id"], str(guardian["id"]), recipient, "", body)

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
        if guardian["number"] is None:
            return "invalid-mobile"
        if e164(guardian["number"]) in taken:
            return "duplicate-number"
        return None



def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--at", help="ISO instant the outcomes are for (default: --now)")
    parser.add_argument("--link", default="https://tinyurl.com/runabs")
    parser.add_argument("--max-lateness", type=int, default=10800)
    parser.add_argument("--latest-send-time", default="19:00")
    args = gen.parse_args(argv, parser)
    args.at = dt.datetime.fromisoformat(args.at) if args.at else args.now
    return args


def main(argv):
    args = parse_args(argv)
    college = gen.College(args).build()
    for row in Oracle(college).outcomes(args.at):
        sys.stdout.write("\t".join(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
