#!/bin/bash
# The Debian package: built by scripts/package from this build, its contents
# and owners, lintian without errors, then installed on this machine (as
# root), used (absencectl --version, check-config as Kannel's user), its
# systemd unit verified and rated, and purged, leaving nothing behind.
src=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$src/tests/e2e/lib.sh"
e2e_init package 300
cd "$src" || exit 1

if [ "$(id -u)" -ne 0 ]; then
    not_ok "the package test runs as root (it installs the package, then purges it)"
    e2e_done
    exit 1
fi
purge() { dpkg --purge absencebox >/dev/null 2>&1; }
trap 'purge; e2e_cleanup' EXIT

deb=$(scripts/package --no-build 2>"$RUN/package.err")
check "scripts/package builds the .deb" test -f "$deb"
contents=$(dpkg-deb --contents "$deb" | awk '{print $1, $2, $6}' | sed 's#\./#/#')
check_equal "the package holds the programs, the configuration, the unit, logrotate, the DLR script and the documents" \
    "-rw------- root/root /etc/kannel/absencebox.conf
-rw-r--r-- root/root /etc/logrotate.d/absencebox
-rw-r--r-- root/root /lib/systemd/system/absencebox.service
-rwxr-xr-x root/root /usr/bin/absencebox
-rwxr-xr-x root/root /usr/bin/absencectl
-rw-r--r-- root/root /usr/share/absencebox/kannel-dlr.sqlite.sql
-rw-r--r-- root/root /usr/share/doc/absencebox/README.md
-rw-r--r-- root/root /usr/share/doc/absencebox/changelog.Debian.gz
-rw-r--r-- root/root /usr/share/doc/absencebox/copyright
-rw-r--r-- root/root /usr/share/doc/absencebox/examples/absence-roles.sql
-rw-r--r-- root/root /usr/share/doc/absencebox/examples/absencebox.conf
-rw-r--r-- root/root /usr/share/doc/absencebox/examples/bearerbox-fakesmsc.conf
-rw-r--r-- root/root /usr/share/doc/absencebox/examples/bearerbox-gsm-modem.conf
-rw-r--r-- root/root /usr/share/doc/absencebox/examples/bearerbox-smpp.conf
-rw-r--r-- root/root /usr/share/lintian/overrides/absencebox" \
    "$(grep -v '^d' <<<"$contents" | cut -d' ' -f1,2,3 | sort -k3)"
check_equal "the configuration and logrotate snippet are conffiles" \
    "/etc/kannel/absencebox.conf
/etc/logrotate.d/absencebox" "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)"
check_equal "it depends on Kannel and the libraries the programs link" "1|1|1" \
    "$(dpkg-deb --field "$deb" Depends | grep -c 'kannel')|$(dpkg-deb --field "$deb" Depends | grep -c 'libpq5')|$(dpkg-deb --field "$deb" Depends | grep -c 'libxml2')"
if command -v lintian >/dev/null; then
    lintian --tag-display-limit 0 "$deb" >"$RUN/lintian.out" 2>&1
    check_equal "lintian finds no error" "" "$(grep '^E:' "$RUN/lintian.out")"
    note "lintian: $(grep -c '^W:' "$RUN/lintian.out") warnings ($(grep '^W:' "$RUN/lintian.out" | cut -d' ' -f3 | sort -u | tr '\n' ' '))"
fi

purge
[ -d /var/spool/kannel ] && spool_before=1 || spool_before=0
quietly() { "$@" >>"$RUN/dpkg.out" 2>&1; }
check "the package installs" quietly dpkg -i "$deb"
check_equal "absencectl --version runs from the package" \
    "absencectl $(sed -n 's/^AC_INIT(\[absencebox\], \[\(.*\)\])$/\1/p' configure.ac)" \
    "$(/usr/bin/absencectl --version | cut -d' ' -f1,2)"
check_equal "the configuration is Kannel's user's alone; the spool is theirs" \
    "kannel root 600|kannel 750" \
    "$(stat -c '%U %G %a' /etc/kannel/absencebox.conf)|$(stat -c '%U %a' /var/spool/kannel)"
check_equal "Kannel's user (the unit's User=, group nogroup) reads the configuration" \
    "/etc/kannel/absencebox.conf: configuration is valid" \
    "$(runuser -u kannel -g nogroup -- /usr/bin/absencectl -c /etc/kannel/absencebox.conf check-config 2>&1)"
check_equal "the unit's user and group exist" "kannel|nogroup" \
    "$(getent passwd kannel | cut -d: -f1)|$(getent group "$(getent passwd kannel | cut -d: -f4)" | cut -d: -f1)"
check_equal "systemd-analyze finds nothing wrong with the unit" "" \
    "$(systemd-analyze verify /lib/systemd/system/absencebox.service 2>&1 | grep -v 'kannel.service\|postgresql.service')"
exposure=$(systemd-analyze security --offline=true /lib/systemd/system/absencebox.service 2>/dev/null |
    sed -n 's/^→ Overall exposure level for absencebox.service: \([0-9.]*\).*/\1/p')
check "the unit is hardened: systemd-analyze security rates it $exposure, below 5" \
    awk -v e="$exposure" 'BEGIN { exit !(e != "" && e < 5) }'
check_equal "the unit does not migrate on every start" "0" \
    "$(grep -c '^ExecStart.*migrate' /lib/systemd/system/absencebox.service)"

check "the package purges" quietly dpkg --purge absencebox
check_equal "purging leaves nothing behind" "" \
    "$(ls -d /usr/bin/absencebox /usr/bin/absencectl /etc/kannel/absencebox.conf \
           /etc/logrotate.d/absencebox /lib/systemd/system/absencebox.service \
           /usr/share/absencebox /usr/share/doc/absencebox 2>/dev/null
         [ "$spool_before" -eq 0 ] && ls -d /var/spool/kannel 2>/dev/null)"
e2e_done
