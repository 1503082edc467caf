# Builds PuTTY's plink.exe, pageant.exe and puttygen.exe for Windows from Debian's putty source package.
# shellcheck shell=bash

# The build lands in ~/.cache/latchkey-windows/putty-<version>/ (outside the tree) and is reused when present.
# Sourced by the Windows test scripts; needs cmake, curl, dpkg-dev and the mingw-w64 cross compiler.

latchkey_windows_cache=${LATCHKEY_WINDOWS_CACHE:-$HOME/.cache/latchkey-windows}

# putty_apt ARGS...: apt-get with a private deb-src list and state under the cache; /etc/apt is untouched.
putty_apt() {
    local apt=$latchkey_windows_cache/apt-src
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    if [ ! -f "$apt/sources.list" ]; then
        printf '%s\n' \
            'deb-src http://deb.debian.org/debian bookworm main' \
            'deb-src http://deb.debian.org/debian bookworm-updates main' \
            'deb-src http://deb.debian.org/debian-security bookworm-security main' >"$apt/sources.list"
    fi
    apt-get -q -o APT::Sandbox::User="$(id -un)" -o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=- \
        -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" "$@"
}

# putty_fetch_source DIR: downloads the newest putty source package into DIR, checks the .dsc against
# the signed Sources index's SHA-256 and every tarball against the .dsc's SHA-256 lines, and prints the
# .dsc path. Fails (returns 1, says why) on a download or checksum failure.
putty_fetch_source() {
    local dir=$1 uris line uri name sha dsc=
    putty_apt update -qq >&2 || { echo "windows-putty: apt-get update of the deb-src list failed" >&2; return 1; }
    uris=$(putty_apt source --print-uris putty) || { echo "windows-putty: no putty source package" >&2; return 1; }
    mkdir -p "$dir"
    # Lines look like: 'URI' NAME SIZE SHA256:HEX
    while read -r line; do
        uri=$(sed -n "s/^'\([^']*\)' .*/\1/p" <<<"$line")
        [ -n "$uri" ] || continue
        name=$(awk '{print $2}' <<<"$line")
        case $name in *.asc) continue ;; esac # the upstream signature is not served by the mirror
        curl -fsS -o "$dir/$name" "$uri" || { echo "windows-putty: download of $uri failed" >&2; return 1; }
        case $name in
        *.dsc)
            sha=$(grep -o 'SHA256:[0-9a-f]*' <<<"$line" | cut -d: -f2)
            [ "$(sha256sum <"$dir/$name" | cut -d' ' -f1)" = "$sha" ] ||
                { echo "windows-putty: $name does not match the Sources index" >&2; return 1; }
            dsc=$dir/$name
            ;;
        esac
    done <<<"$uris"
    [ -n "$dsc" ] || { echo "windows-putty: the source package lists no .dsc" >&2; return 1; }
    # The .dsc's Checksums-Sha256 block: " HEX SIZE NAME" lines up to the next field.
    sed -n '/^Checksums-Sha256:/,/^[^ ]/{/^ /p}' "$dsc" | while read -r sha _ name; do
        [ -f "$dir/$name" ] || continue
        [ "$(sha256sum <"$dir/$name" | cut -d' ' -f1)" = "$sha" ] ||
            { echo "windows-putty: $name does not match $dsc" >&2; exit 1; }
    done || return 1
    echo "$dsc"
}

# putty_build_in WORK: fetches, unpacks and builds the source in the scratch directory WORK and installs the
# three programs into the cache; prints their directory. Fails (returns 1, says why) like build_windows_putty.
putty_build_in() {
    local work=$1 dsc version out
    dsc=$(putty_fetch_source "$work/src") || return 1
    version=$(sed -n 's/^Version: //p' "$dsc")
    out=$latchkey_windows_cache/putty-$version
    (cd "$work" && dpkg-source --no-check -x "$dsc" tree >/dev/null) ||
        { echo "windows-putty: dpkg-source could not unpack $dsc" >&2; return 1; }
    echo "Building PuTTY $version for Windows (about 75 s) ..." >&2
    cmake -S "$work/tree" -B "$work/build" -DCMAKE_TOOLCHAIN_FILE="$work/tree/cmake/toolchain-mingw.cmake" \
        -DCMAKE_EXE_LINKER_FLAGS=-static -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 &&
        cmake --build "$work/build" -j 2 --target plink pageant puttygen >>"$work/cmake.log" 2>&1 ||
        { tail -20 "$work/cmake.log" >&2; echo "windows-putty: the PuTTY build failed" >&2; return 1; }
    rm -rf "$out.tmp" && mkdir -p "$out.tmp" &&
        cp "$work/build/plink.exe" "$work/build/pageant.exe" "$work/build/puttygen.exe" "$out.tmp/" &&
        rm -rf "$out" && mv "$out.tmp" "$out" || { echo "windows-putty: could not fill $out" >&2; return 1; }
    echo "$out"
}

# build_windows_putty: prints the directory holding plink.exe, pageant.exe and puttygen.exe, building them
# first if the cache has no putty-<version> with all three. Fails (returns 1, says why) if a download,
# checksum or build step fails.
build_windows_putty() {
    local out work status
    for out in "$latchkey_windows_cache"/putty-[0-9]*; do
        if [ -x "$out/plink.exe" ] && [ -x "$out/pageant.exe" ] && [ -x "$out/puttygen.exe" ]; then
            echo "$out"
            return 0
        fi
    done
    mkdir -p "$latchkey_windows_cache" && work=$(mktemp -d "$latchkey_windows_cache/putty-build.XXXXXX") || return 1
    putty_build_in "$work"
    status=$?
    rm -rf "$work"
    return $status
}
