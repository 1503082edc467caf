#!/usr/bin/env bash
# Runs the Wine tests of tests/windows/ against the Windows build BUILD_DIR (scripts/test-windows passes
# build-win), one after the other, and says which failed. Usage: tests/windows/run.sh BUILD_DIR
# The agent under test is BUILD_DIR's latchkeyd.exe. Exits 1 if any test fails; 77, saying what is missing, if the test packages cannot be had.
set -uo pipefail
windows_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$windows_dir/../.." && pwd)
export LATCHKEY_WINDOWS_BUILD
LATCHKEY_WINDOWS_BUILD=$(cd "${1:?usage: tests/windows/run.sh BUILD_DIR}" && pwd) || exit 1
source "$root/scripts/lib/packages.sh"
# shellcheck disable=SC2046 # one word per package
if ! ensure_packages $(latchkey_windows_test_packages); then
    echo "SKIPPED tests/windows: the packages above are missing" >&2
    exit 77
fi
failed=()
for test in plink_pageant.sh autostart.sh; do
    echo "=== tests/windows/$test"
    "$windows_dir/$test" || failed+=("$test")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED tests/windows: ${failed[*]}" >&2
    exit 1
fi
echo "PASSED tests/windows: plink_pageant.sh autostart.sh"
