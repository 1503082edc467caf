#!/usr/bin/env bash
# Runs the Windows tests of tests/windows/ under Wine, one after the other, and says which failed.
# The agent behind the Pageant relay is LATCHKEY_AGENT (default: the build's latchkeyd). Exits 1 if any
# test fails. Installs what latchkey_windows_test_packages lists when root, else exits 77 saying what is missing.
windows_dir=$(cd "$(dirname "$0")" && pwd)
source "$windows_dir/../../scripts/lib/packages.sh"
# shellcheck disable=SC2046 # one word per package
if ! ensure_packages $(latchkey_windows_test_packages); then
    echo "SKIPPED tests/windows: the packages above are missing" >&2
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
