#!/bin/bash
# dlr-storage = redis, as the commented block of conf/bearerbox-smpp.conf
# gives it, on an SMPP link whose receipts come 4 s after each text. While
# receipts are in flight bearerbox is restarted, and later redis-server is
# SIGKILLed (the SMSC link down for a moment, so that no command is on its
# way to redis) and started again on its port and data, bearerbox waiting
# for it meanwhile: redis keeps which SMSC message id belongs to which text
# in its append-only file, so every receipt still finds its text. Each expected text reaches the SMSC exactly once and
# ends as the SMSC decided, with one pastoral entry per delivery, and redis
# is left holding no mapping. A mapping lost on the way would leave its text
# 'sent' for good and fail the test.
. "$(dirname "$0")/lib.sh"
e2e_begin redis-dlr 240
e2e_bearerbox_conf bearerbox-smpp.conf
check "redis-server starts (its own port and directory, append-only file)" e2e_start_redis
check "bearerbox takes the example's redis-connection block" e2e_redis_dlr_conf
conf_set "$RUN/bearerbox.conf" smsc throughput 20
conf_set "$RUN/bearerbox.conf" smsc reconnect-delay 1
e2e_box_conf
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 4000-student college" e2e_generate 21 4000
texts=$(expected_count text)
total=$((texts + $(expected_count expired)))
note "$texts texts, $(expected_count expired) expired expected; SMSC throughput 20/s"
check "the SMPP simulator starts, answering receipts after 4 s" e2e_start_smsc_sim 4000
check "bearerbox starts" e2e_start_bearerbox

# bearerbox's status page: "DLR: N queued, using redis storage".
dlr_status() {
    python3 -c '
import sys, urllib.request
url = "http://127.0.0.1:%s/status.txt?password=change-me" % sys.argv[1]
for line in urllib.request.urlopen(url, timeout=10).read().decode().splitlines():
    if line.startswith("DLR:") and "queued" in line:
        print(line)' "$ADMIN_PORT" 2>/dev/null
}
check "bearerbox keeps its DLRs in redis (status: $(dlr_status))" \
    grep -q "using redis storage" <<<"$(dlr_status)"
e2e_start_box

smsc_count() {
    if [ -f "$RUN/smsc-sim.jsonl" ]; then wc -l <"$RUN/smsc-sim.jsonl"; else echo 0; fi
}
at_smsc() {
    [ "$(smsc_count)" -ge "$1" ]
}

# Every text handed over: bearerbox has acknowledged each one (most wait
# behind the SMSC's throughput). Stopped while the box is still writing,
# bearerbox turns texts away whose answer the box, closing at its shutdown
# notice, never reads: they wait for a person (unconfirmed). This test is
# about the receipts, so it restarts bearerbox after the hand-over.
handed_over() {
    [ "$(q "select count(*) from absence.notification")" -ge "$total" ] &&
        [ "$(q "select count(*) from absence.notification
                 where status in ('pending', 'submitted')")" -eq 0 ]
}

# 1. bearerbox restarted with receipts due.
check "texts reach the SMSC, their receipts due in 4 s" wait_until 30 at_smsc 20
check "bearerbox has acknowledged every text" wait_until 30 handed_over
note "restarting bearerbox: $(smsc_count) of $texts texts at the SMSC"
e2e_stop_bearerbox
waiting=$(redis_dlr_count)
note "bearerbox stopped; mappings in redis $waiting, receipts the SMSC holds" \
    "$(smsc_sim_receipts pending)"
check "texts await their receipts in redis" test "$waiting" -gt 5
check "bearerbox starts again" e2e_start_bearerbox

# 2. redis-server SIGKILLed with receipts due and started again on the same
# port and data. Not with a command of bearerbox's on its way to redis: that
# one command would be lost (Kannel reports the write failed and drops that
# mapping, README), so the SMSC first drops its link for 1.5 s and redis is
# killed while it is down. Then bearerbox, its link back, finds redis gone
# and waits for it, texts and receipts held, until it is started again.
sent=$(smsc_count)
check "texts go out again after bearerbox's restart" wait_until 40 at_smsc $((sent + 40))
note "the SMSC drops its link for 1.5 s: $(smsc_sim_drop 1500) session(s)"
sleep 0.5
waiting=$(redis_dlr_count)
refused=$(grep -c 'REDIS: can not connect' "$RUN/bearerbox.log")
e2e_kill_redis
note "redis-server killed (SIGKILL) with $waiting mappings, $(smsc_count) of $texts texts" \
    "at the SMSC, receipts pending $(smsc_sim_receipts pending)"
check "texts awaited their receipts in redis when it was killed" test "$waiting" -gt 5
redis_refused() {
    [ "$(grep -c 'REDIS: can not connect' "$RUN/bearerbox.log")" -gt "$refused" ]
}
check "bearerbox, its link back, finds redis down and retries" wait_until 20 redis_refused
sleep 1
note "bearerbox tried redis $(($(grep -c 'REDIS: can not connect' "$RUN/bearerbox.log") - refused))" \
    "times while it was down"
check "redis-server starts again on its port with its data" e2e_start_redis
# bearerbox reconnects at once and catches up with the receipts that came
# meanwhile, so this is what is left of the reloaded mappings, not all.
note "mappings in redis just after its restart: $(redis_dlr_count)"
check "bearerbox kept running while redis was down" kill -0 "$BEARERBOX_PID"

# 3. Everything settles, nothing lost or doubled.
check "every text reaches a final state" e2e_wait_settled 90 "$total"
check_recovered smsc_sim_texts
check_equal "bearerbox acknowledged every receipt the SMSC sent" "0" "$(smsc_sim_receipts pending)"
note "receipts: $(smsc_sim_receipts)"
left=$(redis_dlr_count)
note "redis keys of the DLR table at the end: $left (bearerbox's status: $(dlr_status))"
check_equal "redis holds no DLR mapping once every receipt has come back" "0" "$left"
check_equal "bearerbox dropped no mapping (no failed redis write in its log)" "" \
    "$(grep -E 'DLR: REDIS: (Error while adding|No connection available - dropping)' \
        "$RUN/bearerbox.log" | head -5)"
note "REDIS lines in bearerbox's log (two for each refused reconnect):" \
    "$(grep -c 'REDIS' "$RUN/bearerbox.log")"
check_equal "the box's logs mask every number" "" \
    "$(unmasked_numbers "$RUN/box.log" "$RUN/box.out")"
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
e2e_done
