#!/bin/bash
# The box killed with SIGKILL while PostgreSQL runs its claim: the claim is
# a transaction the box commits only once its batch is packed for
# bearerbox, so the server rolls it back and the texts stay pending; the
# restarted box sends every one, none held unconfirmed, none twice. (An
# autocommitted claim would be committed for the dead box, its texts never
# written and held for a person.)
. "$(dirname "$0")/lib.sh"
E2E_CONFIRM_TIMEOUT=5
e2e_begin kill-in-claim 180
e2e_bearerbox_conf bearerbox-fakesmsc.conf
e2e_box_conf "max-pending = 20"
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 300-student college" e2e_generate 9 300
# Test instrumentation, not the product's: every update of notification
# takes 3 s, so the first claim is still running when the box is killed.
q "create function public.slow_claim() returns trigger language plpgsql as
   \$\$ begin perform pg_sleep(3); return null; end \$\$;
   create trigger slow_claim before update on absence.notification for each statement
   when (pg_trigger_depth() = 0) execute function public.slow_claim()" >/dev/null
check "bearerbox starts" e2e_start_bearerbox
e2e_start_fakesmsc
e2e_start_box
claiming() {
    [ "$(q "select count(*) from pg_stat_activity where query like '%claim_texts%'
              and application_name = 'absencebox' and state = 'active'")" -ge 1 ]
}
check "the box is in its claim statement" wait_until 30 claiming
kill -KILL "$BOX_PID"
wait "$BOX_PID" 2>/dev/null
gone() {
    [ "$(q "select count(*) from pg_stat_activity where application_name = 'absencebox'")" = 0 ]
}
check "PostgreSQL ends the dead box's session" wait_until 20 gone
q "drop trigger slow_claim on absence.notification; drop function public.slow_claim()" >/dev/null
check_equal "the claim was rolled back: no text is claimed" "0" \
    "$(q "select count(*) from absence.notification where status <> 'pending'
            and status <> 'expired'")"
e2e_start_box
total=$(($(expected_count text) + $(expected_count expired)))
check "every text reaches a final state after the restart" e2e_wait_settled 60 "$total"
assert_no_loss fakesmsc_texts
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
e2e_done
