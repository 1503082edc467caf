#!/bin/bash
# Builds the Pageant transport's unit test (tests/windows/pageant_test.cpp) with mingw-w64 and runs it under
# Wine with an X server (Xvfb) for the window. Usage: tests/windows/pageant_unit.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build-windows/pageant}
# shellcheck source=tests/windows/wine.sh
source "$root/tests/windows/wine.sh"

mingw_build "$out" pageant_test.exe platform/windows/pageant_mapping.cpp platform/windows/pageant_pipe.cpp \
    platform/windows/pageant_window.cpp platform/windows/user_sid.cpp protocol/secret_bytes.cpp \
    tests/windows/pageant_client.cpp tests/windows/pageant_test.cpp
wine_init "$out/wine"
wine_run_gui "$out/pageant_test.exe"
