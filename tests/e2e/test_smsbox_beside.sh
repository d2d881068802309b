#!/bin/bash
# The college's smsbox connected to the same bearerbox beside absencebox:
# its own text sent through sendsms is delivered and its own delivery report
# reaches its dlr-url, while every report for absencebox's texts comes to
# absencebox and none reaches smsbox.
. "$(dirname "$0")/lib.sh"
e2e_begin smsbox-beside 180
e2e_bearerbox_conf bearerbox-fakesmsc.conf
SENDSMS_PORT=$(free_port)
CALLBACK_PORT=$(free_port)
conf_set "$RUN/bearerbox.conf" smsbox sendsms-port "$SENDSMS_PORT"
conf_set "$RUN/bearerbox.conf" smsbox log-file "$RUN/smsbox.log"
conf_set "$RUN/bearerbox.conf" smsbox log-level 0
printf '\ngroup = sendsms-user\nusername = office\npassword = secret\n' >>"$RUN/bearerbox.conf"
e2e_box_conf
check "absencectl migrate creates the schema" e2e_migrate
check "the generator loads a 300-student college" e2e_generate 12 300
check "bearerbox starts" e2e_start_bearerbox
e2e_start_fakesmsc
/usr/sbin/smsbox -v 4 "$RUN/bearerbox.conf" >>"$RUN/smsbox.out" 2>&1 &
e2e_track $!
check "the college's smsbox starts beside absencebox" wait_until 20 port_open "$SENDSMS_PORT"
python3 -m http.server "$CALLBACK_PORT" --bind 127.0.0.1 --directory "$RUN" \
    >>"$RUN/callback.log" 2>&1 &
e2e_track $!
wait_until 20 port_open "$CALLBACK_PORT"
e2e_start_box

sendsms_url="http://127.0.0.1:$SENDSMS_PORT/cgi-bin/sendsms?username=office&password=secret"
sendsms_url+="&from=College&to=%2B447700900555&text=Open+evening+tonight+at+6pm"
sendsms_url+="&dlr-mask=1&dlr-url=http%3A%2F%2F127.0.0.1%3A$CALLBACK_PORT%2Fsmsbox-dlr%3Ftype%3D%25d"
check "smsbox accepts its own text through sendsms" \
    python3 -c "import sys, urllib.request; sys.exit(urllib.request.urlopen(sys.argv[1]).status != 202)" \
    "$sendsms_url"
total=$(($(expected_count text) + $(expected_count expired)))
check "every absence text reaches a final state" e2e_wait_settled 60 "$total"
check "smsbox's own delivery report reaches its dlr-url" \
    wait_until 20 grep -q "GET /smsbox-dlr?type=1 " "$RUN/callback.log"
check_equal "the SMSC received smsbox's text and exactly the absence texts" \
    "$( (expected_texts; printf '+447700900555\tOpen evening tonight at 6pm\n') | sort)" \
    "$(fakesmsc_texts)"
check_equal "every absence text is delivered" \
    "$(expected text 2,3,4 | sed 's/$/|delivered/')" \
    "$(q "select student_id || '|' || guardian_id || '|' || recipient || '|' || status
            from absence.notification where status <> 'expired'" | sort)"
check_equal "absencebox received both reports of every one of its texts" \
    "$(q "select 2 * count(*) from absence.notification where status = 'delivered'")" \
    "$(q "select count(*) from absence.delivery_report where dlr_type in (1, 8)")"
check_equal "smsbox made exactly one delivery report callback, its own" "1" \
    "$(grep -c "GET /" "$RUN/callback.log")"
check_equal "no report for an absencebox text reached smsbox" "" \
    "$(q "select token from absence.notification" | grep -F -f - "$RUN/smsbox.log" | head -3)"
check_equal "exactly one pastoral log entry per delivered text, none otherwise" \
    "" "$(pastoral_mismatches)"
e2e_stop_box
check_equal "SIGTERM stops the box with status 0" "0" "$?"
e2e_done
