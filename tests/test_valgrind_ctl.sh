#!/bin/bash
# absencectl's commands under valgrind (memcheck): against a migrated
# database holding a generated college, each command a person runs (the
# looks: status, report, explain, preview, replies, the lists; the acts:
# plan, cancel, pause and resume, opt-out and opt-in, import-contacts,
# log-contact; and the errors: usage, bad values, a missing configuration)
# must end with the exit status it has without valgrind, and with no
# memory error and no definite leak (valgrind --error-exitcode=99). A
# failure shows valgrind's log (rerun by hand with --track-origins=yes for
# where an uninitialised value came from: it makes every run slower). Not
# run by scripts/test --sanitize, whose binaries valgrind cannot run.
. "$(dirname "$0")/e2e/lib.sh"
e2e_begin valgrind-ctl 900
BOX_PORT=$(free_port)
e2e_box_conf
if ! command -v valgrind >/dev/null; then
    not_ok "valgrind is installed (scripts/setup installs it)"
    e2e_done
    exit 1
fi

VG_COUNT=0
# vg NAME EXPECTED_STATUS ARGS...: absencectl ARGS under valgrind with the
# test's configuration; ok when it exits EXPECTED_STATUS with a clean log.
vg() {
    local name=$1 expected=$2 status log
    shift 2
    VG_COUNT=$((VG_COUNT + 1))
    log=$RUN/valgrind.$VG_COUNT.log
    valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --log-file="$log" \
        "$E2E_BIN/absencectl" -c "$RUN/box.conf" "$@" >"$RUN/out.$VG_COUNT" 2>&1 </dev/null
    status=$?
    if [ "$status" -eq "$expected" ]; then
        ok "$name (absencectl $*): exit $status, no memory error or definite leak"
    else
        not_ok "$name (absencectl $*): exit $status, expected $expected"
        [ "$status" -eq 99 ] && grep -v '^==[0-9]*== *$' "$log" | head -60 | sed 's/^/# /'
        [ "$status" -ne 99 ] && head -20 "$RUN/out.$VG_COUNT" | sed 's/^/# /'
    fi
}

vg "migrate creates the schema" 0 migrate
vg "migrate again changes nothing" 0 migrate
check "the generator loads a 60-student college" e2e_generate 7 60
STUDENT=$(q "select student_id from absence.student order by 1 limit 1")
TODAY=$(TZ=$E2E_TZ date +%Y-%m-%d)
NOW=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)

# ---- what staff look at ----------------------------------------------------------
vg "check-config" 0 check-config
vg "preview" 0 preview
vg "preview as JSON, later" 0 preview --at "$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%S+00:00)" --format json
vg "plan" 0 plan
vg "plan again" 0 plan --at "$NOW"
vg "status (no box running: needs attention)" 3 status
vg "status as JSON" 3 status --format json
vg "report" 0 report
vg "report as CSV, filtered" 0 report --date "$TODAY" --status pending --format csv
vg "report as JSON" 0 report --format json --student "$STUDENT"
vg "explain" 0 explain "$STUDENT"
vg "explain as JSON" 0 explain "$STUDENT" --format json --date "$TODAY"
vg "export-pastoral as CSV" 0 export-pastoral --since "$TODAY"
vg "export-pastoral of the communication log as XML" 0 export-pastoral --since "$TODAY" \
    --what communication-log --format xml
vg "contacts-audit" 0 contacts-audit
vg "contacts-audit as JSON" 0 contacts-audit --format json
vg "concerns" 0 concerns --all
vg "concerns as CSV" 0 concerns --format csv
vg "replies" 0 replies
vg "replies as JSON, unmatched" 0 replies --unmatched --format json --since "$TODAY"
vg "opt-outs" 0 opt-outs
vg "quarantine" 0 quarantine --all --format json

# ---- what staff do ---------------------------------------------------------------
ID=$(q "select notification_id from absence.notification where status = 'pending'
         order by 1 limit 1")
[ -n "$ID" ] && vg "cancel a pending text" 0 cancel "$ID" --reason "valgrind test"
vg "resend of a text that does not exist" 1 resend "$(q "select coalesce(max(notification_id), 0) + 1
                                                     from absence.notification")" --reason x
vg "pause" 0 pause --reason "valgrind test"
vg "resume" 0 resume --reason "done"
vg "opt-out" 0 opt-out "07700 900461" --reason "asked at parents evening"
vg "opt-in" 0 opt-in "07700 900461" --reason "asked again"
vg "log-contact" 0 log-contact "$STUDENT" --method phone --outcome "spoke to mother"
vg "import-contacts, dry run" 0 import-contacts "$E2E_SRC/tests/ctf/sample.xml" --dry-run
vg "import-contacts as JSON" 0 import-contacts "$E2E_SRC/tests/ctf/sample.xml" --format json

# ---- errors ----------------------------------------------------------------------
vg "an unknown command" 1 frobnicate
vg "a missing argument" 1 explain
vg "an unknown option" 1 report --bogus x
vg "a bad date" 1 report --date yesterday
vg "an unknown student" 1 explain NOBODY
vg "a concern that does not exist" 1 concern close 999999 --note x
vg "a file that does not exist" 1 import-contacts /nonexistent/contacts.xml
vg "--help" 0 status --help
check_equal "a missing configuration, under valgrind" "1" \
    "$(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite -q \
        "$E2E_BIN/absencectl" -c /nonexistent/absencebox.conf status >/dev/null 2>&1; echo $?)"
e2e_done
