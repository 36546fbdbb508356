#!/bin/bash
# layering.sh -- the module map and the references hold: (a) every #include
# under runtime/ obeys the table in docs/design.md (third-party headers only
# in their module family; runtime/cli/ only credex.h, cli.h and system
# headers), (b) no reference to the old out-of-tree design document
# ("DESIGN" and a section sign) is left and every "docs/design.md §N" names a
# heading "## §N", (c) every relative link in README.md and docs/*.md exists.
# A self-test first runs the same checks on a fixture with one violation of
# each kind, so the checks are known to fail when they should.
. "$(dirname "$0")/lib.sh"

# The files of tree ROOT that git tracks, or every file when ROOT is not a
# git work tree (the fixture); build folders are never looked at.
tracked() {
    if git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
        [ "$(git -C "$1" rev-parse --show-toplevel)" = "$(cd "$1" && pwd -P)" ]; then
        git -C "$1" ls-files
    else
        (cd "$1" && find . -type f ! -path './build*' ! -path './.git/*' | sed 's|^\./||' | sort)
    fi
}

# check_includes ROOT: prints "file:line: message" for each #include under
# ROOT/runtime that the layering table in ROOT/docs/design.md forbids.
check_includes() {
    local root=$1
    local files
    mapfile -t files < <(cd "$root" && find runtime -type f \( -name '*.c' -o -name '*.h' \) | sort)
    [ "${#files[@]}" -gt 0 ] || return 0
    (cd "$root" && awk '
        # A glob (only * and ?) as an anchored regex.
        function glob_re(g,    r, i, ch) {
            r = "^"
            for (i = 1; i <= length(g); i++) {
                ch = substr(g, i, 1)
                if (ch == "*") r = r ".*"
                else if (ch == "?") r = r "."
                else if (ch ~ /[][.^$+(){}|\\]/) r = r "\\" ch
                else r = r ch
            }
            return r "$"
        }
        # The backticked words of s, into arr; returns how many.
        function ticks(s, arr,    n) {
            n = 0
            while (match(s, /`[^`]+`/)) {
                arr[++n] = substr(s, RSTART + 1, RLENGTH - 2)
                s = substr(s, RSTART + RLENGTH)
            }
            return n
        }
        FNR == 1 { table = (FILENAME == "docs/design.md") }
        table && /<!-- layering:begin -->/ { inside = 1; next }
        table && /<!-- layering:end -->/ { inside = 0; next }
        table && inside && /^\|/ {
            nf = split($0, col, "|")
            if (nf < 5 || col[3] !~ /`/) next    # the header and separator rows
            rows++
            lib[rows] = col[2]; gsub(/^ +| +$/, "", lib[rows])
            nh[rows] = ticks(col[3], h); for (i = 1; i <= nh[rows]; i++) hdr[rows, i] = h[i]
            ng[rows] = ticks(col[4], g); for (i = 1; i <= ng[rows]; i++) who[rows, i] = g[i]
            whotext[rows] = ""
            for (i = 1; i <= ng[rows]; i++) whotext[rows] = whotext[rows] (i > 1 ? " " : "") g[i]
            next
        }
        table { next }
        /^[ \t]*#[ \t]*include[ \t]*[<"]/ {
            line = $0
            sub(/^[ \t]*#[ \t]*include[ \t]*/, "", line)
            quoted = substr(line, 1, 1) == "\""
            name = substr(line, 2)
            sub(/[>"].*$/, "", name)
            third = 0
            for (r = 1; r <= rows; r++)
                for (i = 1; i <= nh[r]; i++) {
                    if (name !~ glob_re(hdr[r, i])) continue
                    third = 1
                    ok = 0
                    for (j = 1; j <= ng[r]; j++) if (FILENAME ~ glob_re(who[r, j])) ok = 1
                    if (!ok)
                        printf "%s:%d: %s (%s) may be included only by %s\n", FILENAME, FNR,
                            name, lib[r], whotext[r]
                }
            if (FILENAME ~ /^runtime\/cli\// && !third && quoted && name != "credex.h" &&
                name != "cli.h")
                printf "%s:%d: runtime/cli/ may include only \"credex.h\", \"cli.h\" and system headers, not \"%s\"\n",
                    FILENAME, FNR, name
        }
        END { if (!rows) print "docs/design.md:1: no layering table between <!-- layering:begin --> and <!-- layering:end -->" }
    ' docs/design.md "${files[@]}")
}

# The old reference, spelt so that this file does not contain it.
OLD_REF="DESIGN $(printf '\302\247')"

# check_design_refs ROOT: no $OLD_REF in the tracked files, and every
# "docs/design.md §N" resolves to a heading "## §N ..." in docs/design.md.
check_design_refs() {
    local root=$1 files
    files=$(tracked "$root")
    [ -n "$files" ] || return 0
    (
        cd "$root" || exit 1
        printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 grep -nIF -- "$OLD_REF" /dev/null |
            sed "s/^\([^:]*:[0-9]*\):.*/\1: \"$OLD_REF\" names a document outside the repository; write docs\/design.md §N/"
        printf '%s\n' "$files" | tr '\n' '\0' |
            xargs -0 grep -noIE -- 'docs/design\.md §[0-9]+((,|, and| and| or) §[0-9]+)*' /dev/null |
            while IFS=: read -r file line ref; do
                for n in $(printf '%s\n' "$ref" | grep -o '§[0-9]*' | sed 's/^§//'); do
                    grep -q "^## §$n\( \|$\)" docs/design.md 2>/dev/null ||
                        echo "$file:$line: docs/design.md §$n has no heading \"## §$n\" in docs/design.md"
                done
            done
    )
}

# check_links ROOT: every relative markdown link in README.md and
# docs/*.md names a file or folder that exists.
check_links() {
    local root=$1
    (
        cd "$root" || exit 1
        for md in README.md docs/*.md; do
            [ -f "$md" ] || continue
            dir=$(dirname "$md")
            {
                grep -no '\]([^)[:space:]]*)' "$md" | sed 's/:](/:/; s/)$//'
                grep -nE '^ {0,3}\[[^]]+\]: *[^ ]+' "$md" | sed 's/:[^:]*\]: *</:/; s/:[^:]*\]: */:/; s/[ >].*$//'
            } | while IFS=: read -r line target; do
                target=${target%%#*}
                case "$target" in
                '' | http:* | https:* | mailto:* | ftp:*) continue ;;
                esac
                case "$target" in
                /*) path=".$target" ;;
                *) path="$dir/$target" ;;
                esac
                [ -e "$path" ] || echo "$md:$line: link to $target: no such file in the repository"
            done
        done
    )
}

check_all() {
    check_includes "$1"
    check_design_refs "$1"
    check_links "$1"
}

# ------------------------------------------------------------ self-test

# A small tree with one violation of each kind (and one allowed use each).
FIX=$WORK/fixture
mkdir -p "$FIX/runtime/cli" "$FIX/docs"
cat >"$FIX/docs/design.md" <<'EOF'
# fixture
## §1 Architecture
<!-- layering:begin -->
| library | headers | files that may include them |
|---|---|---|
| SQLite | `sqlite3.h` | `runtime/registry*.c` |
| Lua | `lua.h` `lauxlib.h` | `runtime/sandbox*.c` `runtime/lua_api.c` |
| Nettle | `nettle/*` | `runtime/hash.c` |
| Graphviz | `graphviz/*` | `runtime/graph_svg.c` |
<!-- layering:end -->
See [the readme](../README.md) and [gone](missing.md#part).
[ok]: ../README.md
[old]: <../gone.txt> "a reference-style link"
EOF
cat >"$FIX/runtime/registry_read.c" <<'EOF'
#include <sqlite3.h>
EOF
cat >"$FIX/runtime/sandbox_lib.c" <<'EOF'
#include <lua.h>
#include "lauxlib.h"
EOF
cat >"$FIX/runtime/eval.c" <<'EOF'
/* docs/design.md §1 is fine; docs/design.md §1, §9 is not */
#include <stdio.h>
#  include <sqlite3.h>
EOF
cat >"$FIX/runtime/hash.c" <<'EOF'
#include <nettle/sha2.h>
EOF
cat >"$FIX/runtime/graph_svg.c" <<'EOF'
#include <graphviz/gvc.h>
EOF
cat >"$FIX/runtime/graph.c" <<'EOF'
#include <graphviz/cgraph.h>
EOF
cat >"$FIX/runtime/cli/main.c" <<'EOF'
#include <stdio.h>
#include "credex.h"
#include "cli.h"
#include "util.h"
#include <nettle/md5.h>
EOF
cat >"$FIX/README.md" <<EOF
# readme
[design](docs/design.md), [web](https://example.org/x.md), [here](#top),
[broken](docs/nope.md) and see ${OLD_REF}4 and docs/design.md §7.
EOF

OUT=$(check_all "$FIX")
expect_contains "$OUT" "runtime/eval.c:3: sqlite3.h (SQLite) may be included only by runtime/registry*.c" \
    "self-test: a third-party header outside its family"
expect_contains "$OUT" 'runtime/cli/main.c:4: runtime/cli/ may include only "credex.h", "cli.h" and system headers, not "util.h"' \
    "self-test: an internal header in the CLI"
expect_contains "$OUT" "runtime/cli/main.c:5: nettle/md5.h (Nettle) may be included only by runtime/hash.c" \
    "self-test: a third-party header in the CLI"
expect_contains "$OUT" "runtime/graph.c:1: graphviz/cgraph.h (Graphviz) may be included only by runtime/graph_svg.c" \
    "self-test: Graphviz outside graph_svg.c"
expect_contains "$OUT" "README.md:3: \"$OLD_REF\" names a document outside the repository" \
    "self-test: a reference to the old design document"
expect_contains "$OUT" 'README.md:3: docs/design.md §7 has no heading "## §7" in docs/design.md' \
    "self-test: a design reference that does not resolve"
expect_contains "$OUT" 'runtime/eval.c:1: docs/design.md §9 has no heading "## §9" in docs/design.md' \
    "self-test: the second section of a list of design references"
expect_contains "$OUT" "README.md:3: link to docs/nope.md: no such file in the repository" \
    "self-test: a broken link in README.md"
expect_contains "$OUT" "docs/design.md:11: link to missing.md: no such file in the repository" \
    "self-test: a broken link in docs/"
expect_contains "$OUT" "docs/design.md:13: link to ../gone.txt: no such file in the repository" \
    "self-test: a broken reference-style link"
expect_eq "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 10 \
    "self-test: exactly the ten violations, nothing allowed reported ($OUT)"

# ------------------------------------------------------- the real tree

REAL=$(check_all "$SRC")
if [ -z "$REAL" ]; then
    pass
else
    printf '%s\n' "$REAL" >&2
    fail "the source tree: $(printf '%s\n' "$REAL" | wc -l | tr -d ' ') violation(s), listed above"
fi
finish
