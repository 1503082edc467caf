#!/usr/bin/env bash
# Start at login under Wine: platform/windows/autostart writes, replaces and removes the per-user Run key
# value, and Wine's own `reg query` reads back exactly what it wrote.
windows_dir=$(cd "$(dirname "$0")" && pwd)
export LATCHKEY_WINDOWS_CACHE=${LATCHKEY_WINDOWS_CACHE:-$HOME/.cache/latchkey-windows}
out=${LATCHKEY_WINDOWS_BUILD:?the Windows build directory (tests/windows/run.sh sets it)}/tests/windows
LATCHKEY_AGENT=${LATCHKEY_AGENT:-/usr/bin/ssh-agent}  # lib.sh wants an agent; this test uses none
source "$windows_dir/../integration/lib.sh"
lk_init
source "$LK_ROOT/scripts/lib/windows-toolchain.sh"
WINE=$latchkey_windows_wine
wine_prefix "$TMP/wine"
run_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'
tool() { "$WINE" "$out/autostart_tool.exe" "$@" 2>&1 | tr -d '\r'; }
reg_value() { "$WINE" reg query "$run_key" /v latchkeyd 2>/dev/null | tr -d '\r' | sed -n 's/.*REG_SZ *//p'; }

step "install writes the program's quoted path and its arguments; reg query reads the same"
assert_eq none "$(tool show)" "Run value before install"
installed=$(tool install '-c "C:\latchkey\config.toml"')
command=${installed#installed }
assert_contains "$command" 'autostart_tool.exe" -c "C:\latchkey\config.toml"' "the command written"
[[ $command == '"'[A-Z]:\\* ]] || fail "the command does not start with a quoted full path: $command"
assert_eq "$command" "$(reg_value)" "the Run value as Wine's reg query reads it"

step "a second install replaces the entry"
tool install >/dev/null
assert_eq "${command%% -c*}" "$(reg_value)" "the Run value after installing without arguments"

step "uninstall removes it, and a second uninstall says there was none"
assert_eq removed "$(tool uninstall)" "first uninstall"
[ -z "$(reg_value)" ] || fail "reg query still finds the Run value: $(reg_value)"
assert_eq none "$(tool uninstall)" "second uninstall"
"${WINE%/*}/wineserver" -k 2>/dev/null || true
