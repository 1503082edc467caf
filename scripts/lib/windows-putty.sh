# Builds PuTTY's plink.exe, pageant.exe and puttygen.exe for Windows from Debian's putty source package.
# shellcheck shell=bash

# The build lands in ~/.cache/latchkey-windows/putty-<version>/ (outside the tree) and is reused when present.
# Needs packages.sh and windows-toolchain.sh sourced first (windows_source, windows_cached), cmake and the
# mingw-w64 cross compiler.

# build_windows_putty: prints the directory holding plink.exe, pageant.exe and puttygen.exe, building them
# first (about 75 s) if the cache has none. Fails (returns 1, says why) if the source cannot be fetched or
# the build fails.
build_windows_putty() {
    local out work version src
    out=$(windows_cached putty)
    [ -n "$out" ] && { echo "$out"; return 0; }
    # shellcheck disable=SC2154 # set by windows-toolchain.sh
    work=$latchkey_windows_cache/work-putty
    read -r version src < <(windows_source putty "$work/src") || return 1
    out=$latchkey_windows_cache/putty-$version
    echo "windows-putty: building PuTTY $version for Windows (once; about 75 s)" >&2
    cmake -S "$src" -B "$work/build" -DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchain-mingw.cmake" \
        -DCMAKE_EXE_LINKER_FLAGS=-static -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 &&
        cmake --build "$work/build" -j 2 --target plink pageant puttygen >>"$work/cmake.log" 2>&1 ||
        { tail -20 "$work/cmake.log" >&2; echo "windows-putty: the PuTTY build failed in $work" >&2; return 1; }
    rm -rf "$out" && mkdir -p "$out" &&
        cp "$work/build/plink.exe" "$work/build/pageant.exe" "$work/build/puttygen.exe" "$out/" &&
        touch "$out/.complete" || { echo "windows-putty: could not fill $out" >&2; return 1; }
    rm -rf "$work"
    echo "$out"
}
