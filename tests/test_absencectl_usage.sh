#!/bin/bash
# absencectl's command line, checked before any configuration or database:
# every command's --help (exit 0, its usage first), every command with a
# missing argument, each option without its value, an unknown option and an
# unexpected argument (one line, exit 1). The commands and their options are
# read from absencectl --help, so a new command is checked as it lands.
# Last, a configuration line gwlib would PANIC on, refused by both programs.
bin=${abs_top_builddir:-$(cd "$(dirname "$0")/.." && pwd)/build}
count=0
failed=0
# No configuration file is readable here: none of this may need one.
ctl() { "$bin/absencectl" -c /nonexistent/absencebox.conf "$@"; }

check_equal() {
    count=$((count + 1))
    if [ "$2" == "$3" ]; then
        echo "ok $count - $1"
    else
        failed=$((failed + 1))
        echo "not ok $count - $1"
        diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/# /'
    fi
}

# "command<TAB>its usage" for every command absencectl --help lists.
usages=$("$bin/absencectl" --help | awk '/^commands:/ {c = 1; next}
    c && /^  [a-z]/ {sub(/^  /, ""); name = $1; print name "\t" $0}')
check_equal "absencectl --help lists every command" \
    "migrate check-config report explain preview status export-pastoral resend cancel pause resume plan import-contacts contacts-audit concerns concern log-contact replies opt-out opt-in opt-outs quarantine" \
    "$(echo "$usages" | cut -f1 | tr '\n' ' ' | sed 's/ $//')"

while IFS=$'\t' read -r name usage; do
    check_equal "$name --help gives its usage and exit 0 without a configuration" \
        "usage: absencectl [-c CONFFILE] $usage|0" "$(ctl "$name" --help | head -1)|$?"
    check_equal "$name --bogus is an unknown option" "1" \
        "$(ctl "$name" --bogus x 2>&1 | grep -c "^absencectl: $name: unknown option '--bogus' ")"
    for option in $(echo "$usage" | grep -oE -- '--[a-z-]+' | sort -u); do
        if [[ "$usage" == *"[$option]"* ]]; then   # a flag, "[--dry-run]"
            check_equal "$name $option takes no value" \
                "absencectl: $name: $option takes no value|1" "$(ctl "$name" "$option=x" 2>&1)|$?"
        else
            check_equal "$name $option without its value" \
                "absencectl: $name: $option needs a value|1" "$(ctl "$name" "$option" 2>&1)|$?"
        fi
    done
    # the positional arguments the usage names before the options: upper
    # case (ID), or words to choose from (meeting|close)
    arguments=$(echo "$usage" | cut -d' ' -f2- | sed 's/ *\[*--.*//' |
                grep -oE '[A-Z_]+|[a-z]+(\|[a-z]+)+' | wc -l)
    if [ "$arguments" -gt 0 ] || echo "$usage" | grep -qE ' --[a-z-]+ [A-Z]+( |$)'; then
        check_equal "$name with nothing says its usage" \
            "absencectl: usage: absencectl $usage|1" "$(ctl "$name" 2>&1)|$?"
    fi
    extra=$(printf 'x %.0s' $(seq 0 "$arguments"))
    check_equal "$name with one argument too many names it" "1" \
        "$(ctl "$name" $extra 2>&1 | grep -c "^absencectl: $name: unexpected argument 'x' ")"
done <<<"$usages"

check_equal "absencectl --version says its version and schema version" "1|0" \
    "$(ctl --version | grep -cE '^absencectl [0-9]+\.[0-9]+\.[0-9]+ \(schema version [0-9]+\)$')|$?"
check_equal "absencebox --version says the same, without a configuration" \
    "$(ctl --version | sed 's/^absencectl/absencebox/')" "$("$bin/absencebox" --version)"
check_equal "an unknown command is named" \
    "absencectl: unknown command 'frobnicate' (absencectl --help lists them)|1" \
    "$(ctl frobnicate 2>&1)|$?"
check_equal "no command at all says so" \
    "absencectl: no command given (absencectl --help lists them)|1" "$(ctl 2>&1)|$?"
check_equal "a flag before the argument is read as a flag, not as taking it" "1" \
    "$(ctl import-contacts --dry-run contacts.xml 2>&1 | grep -c '^absencectl: /nonexistent/absencebox.conf: cannot read the configuration file')"
check_equal "--format text and table are one format" "1|1" \
    "$(ctl contacts-audit --format table 2>&1 | grep -c 'cannot read the configuration')|$(ctl report --format text 2>&1 | grep -c 'cannot read the configuration')"
check_equal "a well-formed command line then needs the configuration" "1" \
    "$(ctl report --date 2026-11-23 2>&1 | grep -c '^absencectl: /nonexistent/absencebox.conf: cannot read the configuration file')"

# A configuration line with "include" anywhere in it, which Kannel's reader
# takes for an include directive, stops both programs with one line naming
# it, not with gwlib's PANIC.
conf=$(mktemp /tmp/absencebox-include.XXXXXX)
trap 'rm -f "$conf"' EXIT
include_error="$conf:4: this line contains the letters 'include', and Kannel's configuration reader would take it for an include directive and stop: reword it (in a URL, %69nclude is the same path)"
for line in 'message-template = "Student {student_id} missed {lesson_time}; please include a note"' \
            'report-link = https://college.example/include/absence'; do
    printf 'group = absencebox\npgsql-id = db\nsender = College\n%s\n\ngroup = pgsql-connection\nid = db\n' \
        "$line" >"$conf"
    check_equal "check-config names a ${line%% =*} line with 'include' in it" \
        "absencectl: $include_error|1" "$("$bin/absencectl" -c "$conf" check-config 2>&1)|$?"
    check_equal "absencebox names it too, without a PANIC" \
        "absencebox: $include_error|1" "$("$bin/absencebox" "$conf" 2>&1)|$?"
done
echo "1..$count"
[ "$failed" -eq 0 ]
