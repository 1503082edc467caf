#!/usr/bin/env bash
# Runs the Windows tests of tests/windows/ under Wine, one after the other, and says which failed.
# The agent behind the Pageant relay is LATCHKEY_AGENT (default: the build's latchkeyd). Exits 1 if any
# test fails; exits 77 after saying what is missing if the cross compiler, Wine or Xvfb is not installed.
windows_dir=$(cd "$(dirname "$0")" && pwd)
missing=()
command -v x86_64-w64-mingw32-g++-posix >/dev/null || missing+=(g++-mingw-w64-x86-64-posix)
[ -x /usr/lib/wine/wine64 ] || missing+=(wine64)
command -v xvfb-run >/dev/null || missing+=(xvfb)
if [ ${#missing[@]} -gt 0 ]; then
    echo "SKIPPED tests/windows: needs the Debian packages ${missing[*]}" >&2
    exit 77
fi
failed=()
for test in pageant_unit.sh plink_pageant.sh autostart.sh; do
    echo "=== tests/windows/$test"
    "$windows_dir/$test" || failed+=("$test")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED tests/windows: ${failed[*]}" >&2
    exit 1
fi
echo "PASSED tests/windows: pageant_unit.sh plink_pageant.sh autostart.sh"
