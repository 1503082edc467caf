#!/bin/bash
# Builds the Pageant transport's unit test (tests/windows/pageant_test.cpp) with mingw-w64 and runs it under
# Wine with an X server (Xvfb) for the window. Usage: tests/windows/pageant_unit.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build-windows/pageant}
# shellcheck source=tests/windows/wine.sh
source "$root/tests/windows/wine.sh"

mkdir -p "$out/include"
# doctest, spdlog and fmt are header-only here; only their directories join the mingw include path.
for header_dir in doctest spdlog fmt; do
    ln -sfn "/usr/include/$header_dir" "$out/include/$header_dir"
done
sources=(platform/windows/pageant_mapping.cpp platform/windows/pageant_pipe.cpp
    platform/windows/pageant_window.cpp platform/windows/user_sid.cpp protocol/secret_bytes.cpp
    tests/windows/pageant_client.cpp tests/windows/pageant_test.cpp)
objects=()
for source in "${sources[@]}"; do
    object=$out/$(basename "${source%.cpp}").o
    if [ ! -f "$object" ] || [ "$root/$source" -nt "$object" ] || [ -n "$(find "$root/platform/windows" \
        "$root/tests/windows" "$root/protocol/secret_bytes.hpp" -name '*.hpp' -newer "$object")" ]; then
        "$MINGW_CXX" "${MINGW_CXXFLAGS[@]}" -I"$root" -isystem "$out/include" -c "$root/$source" -o "$object"
    fi
    objects+=("$object")
done
"$MINGW_CXX" -static -o "$out/pageant_test.exe" "${objects[@]}" -lbcrypt -lcrypt32 -lsecur32 -ladvapi32
wine_init "$out/wine"
wine_run_gui "$out/pageant_test.exe"
