#!/bin/bash
# absencectl import-contacts end to end: a generated college whose families
# are in a Common Transfer File (scripts/generate-college --ctf), most of
# them not yet in the database. The import's counts and links must be what
# tests/college_oracle.py computes from the rules (README, "6. Contacts from
# the MIS"), a dry run and a second import must change nothing, and the box
# must then text exactly the parents the oracle expects: the imported ones
# too with import-account-status = active, none of them with the default
# (unregistered), the portal's parents in both.
. "$(dirname "$0")/lib.sh"
e2e_begin import_contacts 300
e2e_bearerbox_conf bearerbox-fakesmsc.conf
CTF=$RUN/contacts.xml

ctl() { "$E2E_BIN/absencectl" -c "$RUN/box.conf" "$@"; }

# college SEED [ORACLE OPTIONS]: a new database 'college' holding a
# 300-student day and its families' CTF in $CTF; what should become of both
# in $RUN/expect.
college() {
    local seed=$1 options
    shift
    options=(--seed "$seed" --students 300 --absence-rate 0.5 --timezone "$E2E_TZ"
             --now "$(date -u +%Y-%m-%dT%H:%M:%S+00:00)" --ctf "$CTF")
    dropdb --if-exists college && createdb college && e2e_migrate &&
        "$E2E_SRC/scripts/generate-college" "${options[@]}" --dbname college 2>>"$RUN/generate.out" &&
        "$E2E_SRC/tests/college_oracle.py" "${options[@]}" "$@" >"$RUN/expect" 2>>"$RUN/generate.out"
}

# The counts of an `import-contacts --format json` report (on stdin), named
# as the oracle names them, "name=count" a line.
json_counts() {
    python3 -c '
import json, sys
report = json.load(sys.stdin)
counts = [("pupils." + k, v) for k, v in report["pupils"].items()]
counts += [("contacts." + k, v) for k, v in report["contacts"].items() if k != "skipped"]
counts += [("skipped." + k, v) for k, v in report["contacts"]["skipped"].items()]
print("\n".join(sorted(f"{k}={v}" for k, v in counts)))'
}

expected_counts() {
    awk -F'\t' '$1 == "import" { print $5 "=" $6 }' "$RUN/expect" | sort
}

# One field of a JSON report on stdin: json_field dry_run
json_field() {
    python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[sys.argv[1]]))' "$1"
}

# The imported links as the oracle writes them: student|mobile|prime|priority|account|name.
expected_links() {
    awk -F'\t' '$1 == "link" { print $2 "|" $4 "|" $5 "|" $6 }' "$RUN/expect" | sort
}

imported_links() {
    q "select gs.student_id || '|' || coalesce(absence.normalise_mobile(g.mobile), g.mobile, '') || '|' ||
              gs.prime::text || '|' || gs.priority || '|' || g.account_status || '|' || g.name
         from absence.guardian_student gs join absence.guardian g using (guardian_id)
        where gs.source = 'import'" | sort
}

# Every guardian and link as they stand (a digest), and those the portal or
# the office made.
guardians_digest() {
    q "select md5(coalesce(string_agg(g::text, ',' order by guardian_id), '')) from absence.guardian g"
    q "select md5(coalesce(string_agg(k::text, ',' order by guardian_id, student_id), ''))
         from absence.guardian_student k"
}

portal_digest() {
    q "select md5(coalesce(string_agg(g::text, ',' order by guardian_id), '')) from absence.guardian g
        where guardian_id in (select guardian_id from absence.guardian_student where source <> 'import')"
    q "select md5(coalesce(string_agg(k::text, ',' order by guardian_id, student_id), ''))
         from absence.guardian_student k where source <> 'import'"
}

# The oracle's texts whose recipient is an imported guardian of the student.
expected_imported_texts() {
    awk -F'\t' '$1 == "link" { l[$2 "|" $4] = 1 } $1 == "text" && l[$2 "|" $4] { n++ } END { print n + 0 }' \
        "$RUN/expect"
}

# Texts fakesmsc received after line FROM of its output, as fakesmsc_texts.
texts_after() {
    tail -n +"$(($1 + 1))" "$RUN/fakesmsc.out" |
        sed -n 's/^.*Got message [0-9]*: <\([^ ]*\) \([^ ]*\) text \(.*\)>$/\2\t\3/p' | sort
}

# run_box: the box until every expected text is final; checks what the SMSC
# received against the oracle.
run_box() {
    local from total
    from=$(wc -l <"$RUN/fakesmsc.out" 2>/dev/null || echo 0)
    total=$(($(expected_count text) + $(expected_count expired)))
    e2e_start_box
    check "every text reaches a final state ($total)" e2e_wait_settled 60 "$total"
    check_equal "the SMSC received exactly the expected texts (recipient, student and body)" \
        "$(expected_texts)" "$(texts_after "$from")"
    check_equal "every skipped guardian is recorded with the expected reason, per student" \
        "$(expected skip 2,5)" "$(q "select student_id || '|' || reason from absence.guardian_skip" | sort)"
    e2e_stop_box
}

# ---- import-account-status = active, lower priorities too -----------------------------

e2e_box_conf "import-account-status = active" "import-lower-priority = yes"
check "a 300-student college and its families' CTF" \
    college 31 --import-account-status active --import-lower-priority yes
check "python's XML parser reads the CTF" \
    python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$CTF"
note "time zone $E2E_TZ; expected: $(expected_counts | tr '\n' ' ')"
note "$(expected_count text) texts ($(expected_imported_texts) to imported parents), $(expected_count expired) expired"

before=$(guardians_digest)
ctl import-contacts --dry-run --format json "$CTF" >"$RUN/dry.json" 2>"$RUN/dry.err"
status=$?
check_equal "--dry-run exits 0 and says it was dry" "0|true" "$status|$(json_field dry_run <"$RUN/dry.json")"
check_equal "--dry-run counts what the import would do" "$(expected_counts)" "$(json_counts <"$RUN/dry.json")"
check_equal "--dry-run changes no guardian and no link" "$before" "$(guardians_digest)"

ctl import-contacts --format json "$CTF" >"$RUN/first.json" 2>"$RUN/first.err"
status=$?
check_equal "import-contacts exits 0, not dry, with the file's SHA-256" \
    "0|false|\"$(sha256sum "$CTF" | cut -d' ' -f1)\"" \
    "$status|$(json_field dry_run <"$RUN/first.json")|$(json_field sha256 <"$RUN/first.json")"
check_equal "the import's counts are the oracle's" "$(expected_counts)" "$(json_counts <"$RUN/first.json")"
check_equal "the imported links are the oracle's (student, mobile, prime, priority, account, name)" \
    "$(expected_links)" "$(imported_links)"
check_equal "one guardian per person: siblings' contacts share one" \
    "$(awk -F'\t' '$1 == "link" { print $3 }' "$RUN/expect" | sort -u | wc -l)" \
    "$(q "select count(*) from absence.guardian where source = 'import'")"
check_equal "imported links are active, not hidden, source import" "active|false|$(expected_links | wc -l)" \
    "$(q "select string_agg(distinct link_status, ',') || '|' || string_agg(distinct hide_attendance::text, ',') || '|' || count(*)
            from absence.guardian_student where source = 'import'")"
check_equal "the portal's and the office's guardians and links are untouched" \
    "$(printf '%s\n' "$before")" "$(portal_digest)"

after=$(guardians_digest)
ctl import-contacts --format json "$CTF" >"$RUN/second.json" 2>"$RUN/second.err"
status=$?
check_equal "a second import of the same file imports, updates and suspends nothing" \
    "0|contacts.imported=0|contacts.suspended=0|contacts.updated=0" \
    "$status|$(json_counts <"$RUN/second.json" | grep -E '^contacts.(imported|updated|suspended)=' | tr '\n' '|' | sed 's/|$//')"
check_equal "... every contact imported the first time is unchanged the second" \
    "$(expected_counts | grep '^contacts.imported=' | cut -d= -f2)" \
    "$(json_counts <"$RUN/second.json" | grep '^contacts.unchanged=' | cut -d= -f2)"
check_equal "... it counts every contact of a known pupil once" "$(grep -c '^contact' "$RUN/expect")" \
    "$(json_counts <"$RUN/second.json" | grep -E '^(contacts.(imported|updated|unchanged)|skipped\.)' | cut -d= -f2 | paste -sd+ | bc)"
check_equal "... and changes no guardian and no link" "$after" "$(guardians_digest)"
check_equal "every run is recorded, the dry one as dry" "true,false,false" \
    "$(q "select string_agg(dry_run::text, ',' order by import_id) from absence.contact_import")"

check "bearerbox starts" e2e_start_bearerbox
e2e_start_fakesmsc
run_box
check_equal "imported parents were texted as the oracle expects" "$(expected_imported_texts)" \
    "$(q "select count(*) from absence.notification n join absence.guardian g using (guardian_id)
           where g.source = 'import' and n.status <> 'expired'")"
check "... and some were" test "$(expected_imported_texts)" -gt 0

# ---- the default: import-account-status = unregistered, priority 1 only ----------------

e2e_box_conf
check "another college and its CTF, in a new database" college 32
check_equal "the import's counts are the oracle's" "$(expected_counts)" \
    "$(ctl import-contacts --format json "$CTF" 2>"$RUN/default.err" | json_counts)"
check_equal "the imported links are the oracle's: priority 1, unregistered" \
    "$(expected_links)" "$(imported_links)"
check "... and there are some" test "$(expected_links | wc -l)" -gt 50
run_box
check_equal "no imported parent was texted" "0" \
    "$(q "select count(*) from absence.notification n join absence.guardian g using (guardian_id)
           where g.source = 'import'")"
check "the portal's parents were" test "$(q "select count(*) from absence.notification where status <> 'expired'")" -gt 0
check_equal "no phone number is logged in full" "" \
    "$(unmasked_numbers "$RUN/box.log" "$RUN/box.out" "$RUN"/*.err)"
e2e_done
