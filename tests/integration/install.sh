#!/usr/bin/env bash
# meson install --destdir places latchkeyd, its man page and example config.toml, the systemd user units and the environment.d
# file, and systemd-analyze verify accepts the installed units. Takes the build from LATCHKEY_BUILD_ROOT.
source "$(dirname "$0")/lib.sh"
lk_init
require meson systemd-analyze
BUILD=${LATCHKEY_BUILD_ROOT:-$LK_ROOT/build}
[ -f "$BUILD/meson-info/intro-installed.json" ] || fail "no meson build at $BUILD (set LATCHKEY_BUILD_ROOT)"

# The installed location of a file, from meson's own record.
installed_path() {
    python3 -c 'import json, sys
for source, target in json.load(open(sys.argv[1])).items():
    if target.endswith(sys.argv[2]):
        print(target)' "$BUILD/meson-info/intro-installed.json" "$1"
}

step "meson install --destdir places every file under DESTDIR"
DEST=$TMP/dest
assert_rc 0 meson install -C "$BUILD" --destdir "$DEST" --no-rebuild --quiet
for file in bin/latchkeyd share/man/man1/latchkeyd.1 share/doc/latchkey/config.example.toml lib/systemd/user/latchkeyd.service \
    lib/systemd/user/latchkeyd.socket lib/environment.d/latchkey.conf; do
    target=$(installed_path "/$file")
    [ -n "$target" ] || fail "meson does not install $file"
    [ -f "$DEST$target" ] || fail "$DEST$target is missing after meson install"
done
[ -x "$DEST$(installed_path /bin/latchkeyd)" ] || fail "the installed latchkeyd is not executable"

step "the service starts the installed latchkeyd in the foreground; environment.d names the socket"
service=$DEST$(installed_path /latchkeyd.service)
assert_eq "ExecStart=$(installed_path /bin/latchkeyd) -D" "$(grep '^ExecStart=' "$service")" "ExecStart"
assert_eq 'SSH_AUTH_SOCK=${XDG_RUNTIME_DIR}/latchkey/agent.sock' \
    "$(grep -v '^#' "$DEST$(installed_path /latchkey.conf)")" "environment.d/latchkey.conf"
assert_contains "$(cat "$DEST$(installed_path /latchkeyd.socket)")" "ListenStream=%t/latchkey/agent.sock" "the socket"

step "systemd-analyze verify accepts the installed units (ExecStart pointed at the staged binary)"
units=$TMP/units
mkdir -p "$units" "$TMP/runtime"
chmod 700 "$TMP/runtime"
cp "$DEST$(installed_path /latchkeyd.socket)" "$units/"
sed "s|^ExecStart=$(installed_path /bin/latchkeyd)|ExecStart=$DEST$(installed_path /bin/latchkeyd)|" "$service" \
    >"$units/latchkeyd.service"
cd "$units"
# verify prints unknown directives and the like as warnings with status 0: any output is a failure.
# --man=no: the man page's presence is checked above, without depending on man-db being installed.
assert_rc 0 env XDG_RUNTIME_DIR="$TMP/runtime" systemd-analyze --user --man=no verify ./latchkeyd.socket ./latchkeyd.service
assert_eq "" "$OUT" "systemd-analyze verify's output"
