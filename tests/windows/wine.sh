# Sourced by the tests in tests/windows/: the mingw-w64 compiler and a Wine prefix of their own.
# shellcheck shell=bash

MINGW_CXX=${MINGW_CXX:-x86_64-w64-mingw32-g++-posix}
MINGW_CXXFLAGS=(-std=c++20 -Wall -Wextra -Wpedantic -Werror -O1 -DSPDLOG_HEADER_ONLY -DFMT_HEADER_ONLY
    -DWIN32_LEAN_AND_MEAN -DNOMINMAX -D_WIN32_WINNT=0x0A00)
WINE=${WINE:-/usr/lib/wine/wine64}

command -v "$MINGW_CXX" >/dev/null || { echo "needs $MINGW_CXX (Debian g++-mingw-w64-x86-64-posix)" >&2; exit 1; }
[ -x "$WINE" ] || { echo "needs Wine at $WINE (Debian wine64)" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "needs xvfb-run (Debian xvfb)" >&2; exit 1; }

# mingw_build OUT EXE SOURCE...: compiles the sources (paths from the tree's root) into OUT, each again only
# when it or a header of platform/windows, tests/windows or protocol/ is newer than its object, and links OUT/EXE
# statically. doctest, spdlog and fmt are used header-only; only their directories join the include path.
mingw_build() {
    local out=$1 exe=$2 root source object objects=()
    shift 2
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    mkdir -p "$out/include"
    for source in doctest spdlog fmt; do
        ln -sfn "/usr/include/$source" "$out/include/$source"
    done
    for source in "$@"; do
        object=$out/$(basename "${source%.cpp}").o
        if [ ! -f "$object" ] || [ "$root/$source" -nt "$object" ] || [ -n "$(find "$root/platform/windows" \
            "$root/tests/windows" "$root/protocol" -name '*.hpp' -newer "$object")" ]; then
            "$MINGW_CXX" "${MINGW_CXXFLAGS[@]}" -I"$root" -isystem "$out/include" -c "$root/$source" -o "$object"
        fi
        objects+=("$object")
    done
    "$MINGW_CXX" -static -o "$out/$exe" "${objects[@]}" -lbcrypt -lcrypt32 -lsecur32 -ladvapi32 -lws2_32
}

# wine_init DIR: a Wine prefix at DIR, copied from one prepared in the cache (wineboot takes ~15 s once).
wine_init() {
    local template=${LATCHKEY_WINDOWS_CACHE:-$HOME/.cache/latchkey-windows}/wine-prefix
    if [ ! -f "$template/system.reg" ]; then
        rm -rf "$template.tmp"
        WINEPREFIX=$template.tmp WINEDEBUG=-all "$WINE" wineboot --init >/dev/null 2>&1
        WINEPREFIX=$template.tmp "${WINE%/*}/wineserver" -w
        mv "$template.tmp" "$template"
    fi
    rm -rf "$1"
    cp -a "$template" "$1"
    export WINEPREFIX=$1 WINEDEBUG=${WINEDEBUG:--all}
}

# wine_run_gui PROGRAM ARGS...: runs a Windows program under Wine with a private X server; returns its status
# once Wine's server has gone too.
wine_run_gui() {
    local status=0
    xvfb-run -a "$WINE" "$@" || status=$?
    "${WINE%/*}/wineserver" -k 2>/dev/null || true
    return $status
}
