#!/bin/sh
# deps.sh -- installs the Debian packages credex builds with, when missing.
# As root it runs apt-get itself; otherwise it prints the one line to run.
# The last two are for the test suite: sqlite3 loads an old registry's dump
# (tests/cli/log.sh), python3 checks that JUnit output is well-formed XML.
PACKAGES="gcc make cmake pkg-config liblua5.4-dev libsqlite3-dev libyaml-dev libpcre2-dev libjansson-dev nettle-dev libgmp-dev zlib1g-dev libmicrohttpd-dev libgraphviz-dev sqlite3 python3"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    echo "deps: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
        echo "deps: apt-get failed; run: apt-get install$missing" >&2
        exit 1
    }
else
    echo "deps: missing Debian packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
