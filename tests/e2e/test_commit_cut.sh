#!/bin/bash
# A claim whose commit reaches PostgreSQL while the answer never reaches the
# box (the connection cut just after the COMMIT, as when a primary dies
# and its synchronous standby is promoted with the commit): the box knows
# it never wrote that batch to bearerbox, so once it is connected again it
# puts those texts back to pending and sends them; none is held
# unconfirmed, none is sent twice.
. "$(dirname "$0")/lib.sh"
E2E_CONFIRM_TIMEOUT=5
e2e_begin commit-cut 180
e2e_bearerbox_conf bearerbox-fakesmsc.conf
e2e_box_conf "max-pending = 20"
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 300-student college" e2e_generate 9 300
# the box reaches PostgreSQL through a proxy that cuts it off once, just
# after its first COMMIT has gone through
PROXY=$(free_port)
conf_set "$RUN/box.conf" pgsql-connection port "$PROXY"
"$E2E_SRC/tests/e2e/pg_commit_cut.py" "$PROXY" "$PGPORT" >"$RUN/proxy.out" 2>&1 &
e2e_track $!
check "the proxy listens" wait_until 10 port_open "$PROXY"
check "bearerbox starts" e2e_start_bearerbox
e2e_start_fakesmsc
e2e_start_box
check "the proxy cut the box off after its first claim's COMMIT" \
    wait_until 30 grep -q '^cut' "$RUN/proxy.out"
check "the box saw the commit fail and did not write the batch" \
    wait_until 10 grep -q 'committing a claim (its texts were not written) failed' "$RUN/box.log"
check "once reconnected it put the committed claim's texts back to pending" \
    wait_until 30 grep -q 'texts claimed but never written to bearerbox are pending again' \
    "$RUN/box.log"
total=$(($(expected_count text) + $(expected_count expired)))
check "every text reaches a final state" e2e_wait_settled 60 "$total"
assert_no_loss fakesmsc_texts
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
e2e_done
