#!/usr/bin/env bash
# Start at login under Wine: latchkeyd.exe --install-autostart writes, replaces and --uninstall-autostart
# removes the per-user Run key value, and Wine's own `reg query` reads back exactly what it wrote.
windows_dir=$(cd "$(dirname "$0")" && pwd)
export LATCHKEY_WINDOWS_CACHE=${LATCHKEY_WINDOWS_CACHE:-$HOME/.cache/latchkey-windows}
LATCHKEY_AGENT=${LATCHKEY_WINDOWS_BUILD:?the Windows build directory (tests/windows/run.sh sets it)}/agent/latchkeyd.exe
source "$windows_dir/../integration/lib.sh"
lk_init
source "$LK_ROOT/scripts/lib/windows-toolchain.sh"
WINE=$latchkey_windows_wine
wine_prefix "$TMP/wine"
run_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'
latchkeyd() { "$WINE" "$LATCHKEY_AGENT" "$@" 2>&1 | tr -d '\r'; }
reg_value() { "$WINE" reg query "$run_key" /v latchkeyd 2>/dev/null | tr -d '\r' | sed -n 's/.*REG_SZ *//p'; }

step "install writes latchkeyd.exe's quoted path and the other options; reg query reads the same"
[ -z "$(reg_value)" ] || fail "a Run value exists before install: $(reg_value)"
installed=$(latchkeyd --install-autostart -t 1h --no-pageant-pipe)
command=${installed#latchkeyd will start at login: }
assert_contains "$command" 'latchkeyd.exe" -t 1h --no-pageant-pipe' "the command written"
[[ $command == '"'[A-Z]:\\* ]] || fail "the command does not start with a quoted full path: $command"
assert_eq "$command" "$(reg_value)" "the Run value as Wine's reg query reads it"

step "an option latchkeyd does not know is refused, and the entry stays as it was"
assert_contains "$(latchkeyd --install-autostart --no-such-option)" "usage:" "the refusal"
assert_eq "$command" "$(reg_value)" "the Run value after the refused install"

step "a second install replaces the entry"
latchkeyd --install-autostart >/dev/null
assert_eq "${command%% -t*}" "$(reg_value)" "the Run value after installing without options"

step "uninstall removes it, and a second uninstall says there was none"
assert_eq "latchkeyd will no longer start at login" "$(latchkeyd --uninstall-autostart)" "first uninstall"
[ -z "$(reg_value)" ] || fail "reg query still finds the Run value: $(reg_value)"
assert_eq "latchkeyd was not set to start at login" "$(latchkeyd --uninstall-autostart)" "second uninstall"
"${WINE%/*}/wineserver" -k 2>/dev/null || true
