# install.sh -- installs the current build into a temporary prefix (and
# through DESTDIR), then uses it as a user would: examples/c-api built with
# only pkg-config (shared, then --static against libcredex.a) and with CMake's
# find_package(credex), each run and its output checked; the installed
# credex run from elsewhere without LD_LIBRARY_PATH; and libcredex.so's
# exported symbols compared with the functions credex.h declares.
. "$SRC/tests/cli/lib.sh"
: "${CREDEX_BUILD:?CREDEX_BUILD must name the build tree}"
SAN=${CREDEX_SANITIZE_FLAGS:-}
P=$WORK/prefix
unset LD_LIBRARY_PATH PKG_CONFIG_PATH CMAKE_PREFIX_PATH
VERSION=$(sed -n 's/^#define CREDEX_VERSION "\(.*\)"$/\1/p' "$SRC/runtime/include/credex.h")
MAJOR=${VERSION%%.*}
EV=$WORK/ev # the example's data, copied: nothing below reads the source tree
mkdir -p "$EV" && cp -r "$SRC/examples/ev-mechanic/catalog.yaml" "$SRC/examples/ev-mechanic/rules" "$EV/"

# ----------------------------------------------------------------- install
cmake --install "$CREDEX_BUILD" --prefix "$P" >"$WORK/install.log" 2>&1
expect_eq "$?" 0 "cmake --install (see $WORK/install.log)"
for f in bin/credex include/credex.h lib/libcredex.a lib/libcredex.so "lib/libcredex.so.$MAJOR" \
    "lib/libcredex.so.$VERSION" lib/pkgconfig/credex.pc lib/cmake/credex/credexConfig.cmake \
    lib/cmake/credex/credexConfigVersion.cmake lib/cmake/credex/credexTargets.cmake; do
    if [ -e "$P/$f" ]; then pass; else fail "installed: no $f"; fi
done
expect_eq "$(readlink "$P/lib/libcredex.so")" "libcredex.so.$MAJOR" "libcredex.so is the link to the SONAME"
expect_eq "$(readlink "$P/lib/libcredex.so.$MAJOR")" "libcredex.so.$VERSION" "the SONAME links to the versioned file"
soname=$(readelf -d "$P/lib/libcredex.so.$VERSION" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
expect_eq "$soname" "libcredex.so.$MAJOR" "SONAME"
DESTDIR=$WORK/stage cmake --install "$CREDEX_BUILD" --prefix /opt/credex >/dev/null 2>&1
if [ -x "$WORK/stage/opt/credex/bin/credex" ] && [ -f "$WORK/stage/opt/credex/lib/pkgconfig/credex.pc" ]; then
    pass
else
    fail "DESTDIR: nothing under $WORK/stage/opt/credex"
fi

# ----------------------------------------------------------- the exports
# Exactly the functions credex.h declares (never cx__ or anything else).
grep -oE '^[a-z][^(;]*[ *]cx_[a-z0-9_]+\(' "$P/include/credex.h" | grep -v '^typedef' |
    grep -oE 'cx_[a-z0-9_]+\($' | tr -d '(' | sort >"$WORK/declared"
nm -D --defined-only "$P/lib/libcredex.so" | awk '{print $3}' | sort >"$WORK/exported"
expect_eq "$(comm -3 "$WORK/declared" "$WORK/exported" | tr -s ' \t\n' ' ')" "" \
    "exported symbols differ from credex.h's functions (left: declared only; right: exported only)"
expect_eq "$(grep -c '^cx__' "$WORK/exported")" 0 "internal cx__ symbols exported"
[ "$(wc -l <"$WORK/exported")" -ge 50 ] && pass || fail "only $(wc -l <"$WORK/exported") symbols exported"
expect_contains "$(cat "$WORK/exported")" "cx_audit" "cx_audit is exported"

# --------------------------------------------------------------- pkg-config
export PKG_CONFIG_PATH=$P/lib/pkgconfig
expect_eq "$(pkg-config --modversion credex)" "$VERSION" "pkg-config --modversion"
libs=$(pkg-config --libs credex)
expect_contains "$libs" "-lcredex" "pkg-config --libs"
expect_not_contains "$libs" "-llua5.4" "pkg-config --libs: the dependencies of the shared library are private"
static_libs=$(pkg-config --static --libs credex)
for l in -lcredex -llua5.4 -lsqlite3 -lyaml -lpcre2-8 -ljansson -lnettle; do
    expect_contains "$static_libs" "$l" "pkg-config --static --libs"
done

# The example's answers for two holders: Miguel, one elective short; a
# veteran whose shop hours were waived.
audit_both() { # audit_both PROGRAM: prints what it says for both holders
    "$1" "$EV/catalog.yaml" "$EV/rules" h-tx-0001 2026-06-01 &&
        "$1" "$EV/catalog.yaml" "$EV/rules" h-ca-0003 2026-06-01
}
EXPECTED="credex $VERSION: h-tx-0001 on 2026-06-01
CA-EV-TECH: in_progress
  missing: at_least(1) { \"CA-EVD-202\", \"CA-EVC-203\" }
credex $VERSION: h-ca-0003 on 2026-06-01
CA-EV-TECH: met
  issued 2026-05-15, expires never"

# shared, pkg-config only
mkdir -p "$WORK/shared" && cd "$WORK/shared" || exit 1
cc $SAN -o credex-audit "$SRC/examples/c-api/audit.c" $(pkg-config --cflags --libs credex) 2>"$WORK/cc.err"
expect_eq "$?" 0 "cc with pkg-config --cflags --libs credex: $(cat "$WORK/cc.err")"
expect_eq "$(LD_LIBRARY_PATH=$P/lib audit_both ./credex-audit 2>&1)" "$EXPECTED" "example, shared"
printf 'credentials:\n  - id: X\n    name: [unclosed\n' >"$WORK/bad.yaml"
out=$(LD_LIBRARY_PATH=$P/lib ./credex-audit "$WORK/bad.yaml" "$EV/rules" h-tx-0001 2026-06-01 2>&1)
expect_eq "$?" "3" "example, a broken catalog: CX_EINPUT"
expect_contains "$out" "credex-audit: $WORK/bad.yaml:4:1: " "example, a broken catalog: located"
out=$(LD_LIBRARY_PATH=$P/lib ./credex-audit "$EV/catalog.yaml" "$EV/rules" h-tx-9999 2026-06-01 2>&1)
expect_eq "$?" "2" "example, an unknown holder: CX_EUSAGE"
expect_eq "$out" "credex-audit: no holder 'h-tx-9999' in the registry" "example, an unknown holder"
expect_contains "$(LD_LIBRARY_PATH=$P/lib ldd ./credex-audit)" "libcredex.so.$MAJOR => $P/lib/libcredex.so.$MAJOR" \
    "example, shared: libcredex from the prefix"

# static, pkg-config --static through the example's Makefile
mkdir -p "$WORK/static" && cd "$WORK/static" || exit 1
make -s -f "$SRC/examples/c-api/Makefile" STATIC=1 CFLAGS="-O1 $SAN" >"$WORK/make.log" 2>&1
expect_eq "$?" 0 "make STATIC=1: $(cat "$WORK/make.log")"
expect_not_contains "$(readelf -d ./credex-audit)" "libcredex" "example, static: no libcredex.so needed"
expect_eq "$(audit_both ./credex-audit 2>&1)" "$EXPECTED" "example, static"

# CMake find_package(credex), shared then static
for kind in shared static; do
    flag=OFF
    [ $kind = static ] && flag=ON
    cmake -S "$SRC/examples/c-api" -B "$WORK/cmake-$kind" -DCMAKE_PREFIX_PATH="$P" \
        -DCREDEX_AUDIT_STATIC=$flag -DCMAKE_C_FLAGS="$SAN" >"$WORK/cmake.log" 2>&1 &&
        cmake --build "$WORK/cmake-$kind" >>"$WORK/cmake.log" 2>&1
    expect_eq "$?" 0 "find_package(credex), $kind: $(tail -20 "$WORK/cmake.log")"
    expect_eq "$(audit_both "$WORK/cmake-$kind/credex-audit" 2>&1)" "$EXPECTED" "example, CMake, $kind"
done
expect_contains "$(ldd "$WORK/cmake-shared/credex-audit")" "$P/lib/libcredex.so.$MAJOR" \
    "example, CMake shared: libcredex from the prefix"

# ---------------------------------------------- the installed credex, elsewhere
mkdir -p "$WORK/elsewhere" && cd "$WORK/elsewhere" || exit 1
unset PKG_CONFIG_PATH
BUILT=$(CREDEX=$CREDEX && run --version && echo "$OUT")
CREDEX=$P/bin/credex
run --version
expect_eq "$OUT" "$BUILT" "installed credex --version: the built one's"
expect_contains "$OUT" "credex $VERSION (registry schema " "installed credex --version"
expect_contains "$(ldd "$CREDEX")" "libcredex.so.$MAJOR => $P/bin/../lib/libcredex.so.$MAJOR" \
    "installed credex finds libcredex through its RPATH"
runpath=$(readelf -d "$CREDEX" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]$/\1/p')
expect_eq "$runpath" '$ORIGIN/../lib' "installed credex's RUNPATH (no build tree in it)"
run --db ev.db init
run --db ev.db import "$EV/catalog.yaml"
expect_contains "$OUT" "15 credentials, 8 holders, 27 awards" "installed credex import"
run --db ev.db audit --holder h-tx-0001 --rules "$EV/rules" --as-of 2026-06-01
expect_rc 0 "installed credex audit"
expect_contains "$OUT" "audit CA-EV-TECH for h-tx-0001: in_progress" "installed credex audit: status"
expect_contains "$OUT" 'missing: at_least(1) { "CA-EVD-202", "CA-EVC-203" }' "installed credex audit: missing"
finish
