#!/bin/bash
# Two boxes sharing one database, each with its own id, its own bearerbox and
# its own SMSC: box-a through bearerbox A to the SMPP simulator (receipts a
# second late, some texts failed or refused), box-b through bearerbox B to
# fakesmsc. A college of a few thousand texts keeps both busy; box-a is
# killed with SIGKILL in the middle and stays down while box-b claims every
# text still pending and settles its own, unaffected. Reports are routed to
# the box id that sent the text, so box-a's reports wait in bearerbox A until
# box-a comes back; once it does, every expected text has reached one SMSC
# exactly once, ended as that SMSC decided, and every delivered text has
# exactly one pastoral log entry. Nothing is resent and nothing is lost.
# Both boxes start at once on a college no run has planned: the first
# planning run is split over two sessions (the defaults) and each text is
# planned once between the two boxes.
# Only the batch box-a had just written when it was killed may never reach
# bearerbox A: the dead box's socket is reset and bearerbox drops what it
# had not yet read (seen as "Connection to box broke"). Those texts get no
# ack and no report; the box cannot know they were lost, so the rules hold
# them unconfirmed for a person (after confirm-timeout, short here) and
# they are counted apart as "held for a person".
. "$(dirname "$0")/lib.sh"
E2E_CONFIRM_TIMEOUT=20
E2E_HELD_ALLOWED=1
e2e_begin two-boxes 300
STUDENTS=8000
ABSENCE_RATE=0.6

# Each stack's files are in $RUN/a or $RUN/b: lib.sh's helpers, which work in
# $RUN, serve a stack when called through in_stack.
mkdir -p "$RUN/a" "$RUN/b"
chmod 755 "$RUN/a" "$RUN/b"

# in_stack NAME COMMAND...: COMMAND with RUN (and BOX_PORT) of stack NAME.
in_stack() {
    local RUN=$RUN/$1 port_var=BOX_PORT_$1
    local BOX_PORT=${!port_var:-}
    shift
    "$@"
}

# stack_conf NAME SOURCE: bearerbox's configuration for box-NAME from
# conf/SOURCE, and the box's own; the box port in BOX_PORT_NAME.
stack_conf() {
    local RUN=$RUN/$1 BOX_PORT
    e2e_bearerbox_conf "$2"
    printf -v "BOX_PORT_$1" '%s' "$BOX_PORT"
    conf_set "$RUN/bearerbox.conf" smsbox-route smsbox-id "box-$1"
    e2e_box_conf "id = box-$1" "max-pending = 50"
}

start_bearerbox() {
    in_stack "$1" e2e_start_bearerbox || return 1
    printf -v "BEARERBOX_PID_$1" '%s' "$BEARERBOX_PID"
}

start_box() {
    in_stack "$1" e2e_start_box
    printf -v "BOX_PID_$1" '%s' "$BOX_PID"
}

# Texts the two SMSCs received, "recipient<TAB>body" per line, sorted.
received_a() { in_stack a smsc_sim_texts; }
received_b() { in_stack b fakesmsc_texts; }
received_all() { (received_a; received_b) | sort; }

count_where() {
    q "select count(*) from absence.notification where $1"
}

by_box_and_status() {
    q "select coalesce(string_agg(what || ' ' || n, ', ' order by what), 'none')
         from (select coalesce(box_id, '-') || ':' || status as what, count(*) n
                 from absence.notification group by 1) s"
}

# Texts a box sent, as "recipient<TAB>body", sorted: those whose fate the
# SMSC decided (delivered or failed).
sent_by() {
    q "select recipient || E'\t' || body from absence.notification
        where box_id = '$1' and status in ('delivered', 'failed')" | sort
}

stack_conf a bearerbox-smpp.conf
stack_conf b bearerbox-fakesmsc.conf
conf_set "$RUN/b/bearerbox.conf" smsc throughput 100

# setup NAME COMMAND...: check, and end the test at once, failed, when a
# step everything else needs fails.
setup() {
    check "$@" || { e2e_done; exit 1; }
    [ "$E2E_FAILED" -eq 0 ] || { e2e_done; exit 1; }
}

setup "absencectl migrate creates the schema" in_stack a e2e_migrate
setup "the generator loads an $STUDENTS-student college" \
    e2e_generate 13 "$STUDENTS" --absence-rate "$ABSENCE_RATE"
texts=$(expected_count text)
expired=$(expected_count expired)
total=$((texts + expired))
note "$texts texts and $expired expired expected"
check "the college calls for a few thousand texts" test "$texts" -ge 2000
setup "the SMPP simulator starts for bearerbox A" in_stack a e2e_start_smsc_sim 1000
setup "bearerbox A starts" start_bearerbox a
setup "bearerbox B starts" start_bearerbox b
in_stack b e2e_start_fakesmsc
started=$(date +%s)
start_box a
start_box b

both_delivering() {
    [ "$(count_where "box_id = 'box-a' and status = 'delivered'")" -ge 20 ] &&
        [ "$(count_where "box_id = 'box-b' and status = 'delivered'")" -ge 20 ]
}
check "both boxes are claiming and delivering texts" wait_until 60 both_delivering
# Both boxes start on a college no run has planned: its first run is split
# over two sessions (the defaults), each box's shares giving way to the
# other's, and whichever box runs it, each text is planned once.
planned_lines=$(grep -h "absencebox: planned [0-9]* texts" "$RUN/a/box.log" "$RUN/b/box.log")
note "$planned_lines"
check "the first planning run was split over two sessions" \
    grep -q "over 2 sessions$" <<<"$planned_lines"
check_equal "the two boxes' runs planned each expected text once between them" "$texts" \
    "$(sed -E 's/.*planned ([0-9]+) texts.*/\1/' <<<"$planned_lines" | paste -sd+ | bc)"
kill -KILL "$BOX_PID_a"
wait "$BOX_PID_a" 2>/dev/null
killed=$(date +%s)
claimed_by_a=$(count_where "box_id = 'box-a'")
pending_at_kill=$(count_where "status = 'pending'")
b_done_at_kill=$(count_where "box_id = 'box-b' and status in ('delivered', 'failed')")
note "killed box-a after $((killed - started)) s: $(by_box_and_status)"

# box-b alone: it claims whatever is still pending and settles its own texts.
b_finished() {
    [ "$(count_where "status = 'pending'")" -eq 0 ] &&
        [ "$(count_where "box_id = 'box-b' and status in ('submitted', 'sent')")" -eq 0 ] &&
        [ "$(count_where "status <> 'expired'")" -ge "$texts" ]
}
check "box-b claims every pending text and settles its own while box-a is down" \
    wait_until 120 b_finished
note "box-b done $(($(date +%s) - killed)) s after the kill: $(by_box_and_status)"
check "box-b kept delivering after the kill" \
    test "$(count_where "box_id = 'box-b' and status in ('delivered', 'failed')")" -gt "$b_done_at_kill"
check_equal "box-a claimed nothing more after its death" "$claimed_by_a" \
    "$(count_where "box_id = 'box-a'")"
a_waiting=$(count_where "box_id = 'box-a' and status in ('submitted', 'sent')")
note "$pending_at_kill texts were pending at the kill; box-a's texts awaiting its reports: $a_waiting"
check "box-a's texts wait for box-a: their reports are routed to its id" test "$a_waiting" -gt 0

sleep 5
note "restarting box-a $(($(date +%s) - killed)) s after the kill"
start_box a
check "every text reaches a final state once box-a is back" e2e_wait_settled 90 "$total"
note "settled $(($(date +%s) - started)) s after the start: $(by_box_and_status)"

# Against both SMSCs' own records, text by text: the fate each SMSC decided.
fates_both() { received_a | smsc_sim_fates; received_b | delivered_fates; }
assert_no_loss received_all fates_both
# held for a person (see above): box-a's, unconfirmed for want of an ack
held() {
    q "select recipient || E'\t' || body from absence.notification
        where box_id = 'box-a' and status = 'unconfirmed'
          and failure_reason like 'no acknowledgement%'" | sort
}
# the expected texts less those held
expected_sent() { comm -23 <(expected_texts) <(held); }

# The figures, across both SMSCs.
received=$(received_all)
received_count=$(printf '%s' "$received" | grep -c .)
duplicates=$(printf '%s\n' "$received" | uniq -d | grep -c .)
lost=$(comm -23 <(expected_sent) <(printf '%s\n' "$received" | sort -u) | grep -c .)
delivered=$(count_where "status = 'delivered'")
entries=$(q "select count(*) from absence.pastoral_log")
note "texts expected $texts, received $received_count (A $(received_a | grep -c .), B $(received_b | grep -c .)), duplicates $duplicates, lost $lost, held for a person $(held | grep -c .); delivered $delivered, pastoral entries $entries"

check_equal "no text reached an SMSC twice" "0" "$duplicates"
check_equal "no expected text was lost" "0" "$lost"
check_equal "the SMSCs received exactly the expected texts (less those held), once each" \
    "$(expected_sent)" "$received"
check_equal "SMSC A received exactly box-a's delivered and failed texts" \
    "$(sent_by box-a)" "$(received_a)"
check_equal "SMSC B received exactly box-b's delivered and failed texts" \
    "$(sent_by box-b)" "$(received_b)"
check_equal "every text the policy called for exists, once" \
    "$(expected text 2,3,4)" \
    "$(q "select student_id || '|' || guardian_id || '|' || recipient
            from absence.notification where status <> 'expired'" | sort)"
check_equal "the expired texts are the expected ones" \
    "$(expected expired 2,3,4)" \
    "$(q "select student_id || '|' || guardian_id || '|' || recipient
            from absence.notification where status = 'expired'" | sort)"
check_equal "box-a's texts ended as the SMPP simulator decided" "" \
    "$(q "select notification_id || ' ' || status from absence.notification
           where box_id = 'box-a' and status <> 'expired'
             and not (status = 'unconfirmed' and failure_reason like 'no acknowledgement%')
             and status <> case when right(recipient, 1) in ('3', '7') then 'failed'
                                else 'delivered' end")"
check_equal "box-b's texts were all delivered (fakesmsc)" "" \
    "$(q "select notification_id || ' ' || status from absence.notification
           where box_id = 'box-b' and status <> 'delivered'")"
check_equal "no text is unconfirmed but those held for want of an ack" "0" \
    "$(count_where "status = 'unconfirmed' and failure_reason not like 'no acknowledgement%'")"
check_equal "exactly one pastoral log entry per delivered text, none otherwise" \
    "" "$(pastoral_mismatches)"
check_equal "as many pastoral log entries as delivered texts" "$delivered" "$entries"
check_equal "bearerbox A's DLR table is empty once every receipt has come back" "0" \
    "$(in_stack a kannel_dlr_count)"
check_equal "bearerbox B's DLR table is empty once every receipt has come back" "0" \
    "$(in_stack b kannel_dlr_count)"
BOX_PID=$BOX_PID_a e2e_stop_box
check_equal "SIGTERM stops the restarted box-a with status 0" "0" "$?"
BOX_PID=$BOX_PID_b e2e_stop_box
check_equal "SIGTERM stops box-b with status 0" "0" "$?"
e2e_done
