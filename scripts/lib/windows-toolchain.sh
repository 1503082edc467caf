# Sourced by scripts: the mingw-w64 toolchain, Wine, and the Windows libraries latchkey links, in a cache.

# Everything built lands in ~/.cache/latchkey-windows/ (outside the tree) and is reused when present:
#   openssl-<version>/  OpenSSL 3 built for mingw64 (static) from Debian's openssl source package
#   argon2-from-cryptsetup-<version>/  libargon2 for mingw64 (static) from the copy in Debian's cryptsetup source
#   include/            symlinks to the header-only libraries of /usr/include, and nothing else
#   pkgconfig/          .pc files for the cross build; paths.ini: the cross file's machine-specific half
#   wine-prefix/        a prepared Wine prefix, copied for each test run (wineboot takes ~15 s)
# Needs packages.sh (ensure_packages) sourced first.

latchkey_windows_cache=${LATCHKEY_WINDOWS_CACHE:-$HOME/.cache/latchkey-windows}
latchkey_windows_wine=/usr/lib/wine/wine64

# Debian packages for the Windows build and its tests (tests/windows/end_to_end.sh makes keys with ssh-keygen
# and puttygen and bridges the pipe to ssh-add with python3).
latchkey_windows_packages() {
    echo g++-mingw-w64-x86-64-posix wine64 xvfb xauth dpkg-dev make perl openssh-client putty-tools python3
}

# windows_apt apt-get|apt-cache ARGS...: the tool with a private deb-src list and state under the cache;
# /etc/apt is untouched.
windows_apt() {
    local tool=$1
    shift
    local apt=$latchkey_windows_cache/apt-src
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    if [ ! -f "$apt/sources.list" ]; then
        printf '%s\n' \
            'deb-src http://deb.debian.org/debian bookworm main' \
            'deb-src http://deb.debian.org/debian bookworm-updates main' \
            'deb-src http://deb.debian.org/debian-security bookworm-security main' >"$apt/sources.list"
    fi
    "$tool" -q -o APT::Sandbox::User="$(id -un)" -o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=- \
        -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" "$@"
}

# windows_source PACKAGE WORK: unpacks Debian's newest source of PACKAGE that the mirror serves into WORK
# (apt-get source checks the signed index and the .dsc) and prints "<version> <unpacked directory>".
# Fails (returns 1, says why) if no version downloads.
windows_source() {
    local package=$1 work=$2 version dir
    [ -f "$latchkey_windows_cache/apt-src/lists/lock" ] || windows_apt apt-get update -qq >&2 ||
        { echo "windows-toolchain: apt-get update of the deb-src list failed" >&2; return 1; }
    for version in $(windows_apt apt-cache showsrc "$package" 2>/dev/null | sed -n 's/^Version: //p' | sort -Vru); do
        rm -rf "$work" && mkdir -p "$work"
        (cd "$work" && windows_apt apt-get source -qq "$package=$version" >/dev/null 2>&1) || continue
        dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "$package-*" | head -n 1)
        [ -n "$dir" ] && { echo "$version $dir"; return 0; }
    done
    echo "windows-toolchain: no version of Debian's $package source package could be fetched" >&2
    return 1
}

# windows_cached NAME: the newest NAME-<version> directory of the cache with a complete build, or "".
windows_cached() {
    local dir found=
    for dir in "$latchkey_windows_cache/$1"-*; do
        [ -f "$dir/.complete" ] && found=$dir
    done
    echo "$found"
}

# windows_build_openssl: OpenSSL's static libcrypto for mingw64 into the cache (~80 s on 2 cores), unless
# present; prints its directory. Fails (returns 1, says why).
windows_build_openssl() {
    local out src version
    out=$(windows_cached openssl)
    [ -n "$out" ] && { echo "$out"; return 0; }
    echo "windows-toolchain: building OpenSSL for mingw64 (once; ~80 s on 2 cores)" >&2
    read -r version src < <(windows_source openssl "$latchkey_windows_cache/work-openssl") || return 1
    out=$latchkey_windows_cache/openssl-$version
    (cd "$src" && ./Configure mingw64 --cross-compile-prefix=x86_64-w64-mingw32- no-shared no-tests no-engine \
        no-module no-legacy no-dso --prefix="$out" >/dev/null && make -s -j2 build_libs >/dev/null &&
        make -s install_dev >/dev/null) || { echo "windows-toolchain: the OpenSSL build failed in $src" >&2; return 1; }
    touch "$out/.complete"
    rm -rf "$latchkey_windows_cache/work-openssl"
    echo "$out"
}

# windows_build_argon2: libargon2.a for mingw64 into the cache (a few seconds), unless present; prints its
# directory. The mirror does not serve the argon2 package's upstream tarball, so the sources are the copy of
# the same reference implementation (libargon2's API) that Debian's cryptsetup source package bundles.
# Fails (returns 1, says why).
windows_build_argon2() {
    local out src version file
    out=$(windows_cached argon2)
    [ -n "$out" ] && { echo "$out"; return 0; }
    read -r version src < <(windows_source cryptsetup "$latchkey_windows_cache/work-argon2") || return 1
    src=$src/lib/crypto_backend/argon2
    out=$latchkey_windows_cache/argon2-from-cryptsetup-$version
    mkdir -p "$out/include" "$out/lib" "$out/obj"
    for file in argon2 core encoding thread ref blake2/blake2b; do
        x86_64-w64-mingw32-gcc-posix -O2 -I"$src" -c "$src/$file.c" -o "$out/obj/${file##*/}.o" ||
            { echo "windows-toolchain: the argon2 build failed" >&2; return 1; }
    done
    x86_64-w64-mingw32-ar rcs "$out/lib/libargon2.a" "$out"/obj/*.o
    cp "$src/argon2.h" "$out/include/"
    rm -rf "$out/obj" "$latchkey_windows_cache/work-argon2"
    touch "$out/.complete"
    echo "$out"
}

# windows_write_pc NAME VERSION CFLAGS LIBS: a pkg-config file for the cross build.
windows_write_pc() {
    printf 'Name: %s\nDescription: %s for the mingw64 cross build\nVersion: %s\nCflags: %s\nLibs: %s\n' \
        "$1" "$1" "$2" "$3" "$4" >"$latchkey_windows_cache/pkgconfig/$1.pc"
}

# windows_prepare: installs what is missing and builds the libraries once; writes the include directory, the
# .pc files and paths.ini, and prints the path of paths.ini (pass it to meson after the cross file).
# Fails (returns 1, says why) if a package cannot be installed or a build fails.
windows_prepare() {
    local openssl argon2 include=$latchkey_windows_cache/include library boost_version
    ensure_packages $(latchkey_windows_packages) || return 1
    openssl=$(windows_build_openssl) || return 1
    argon2=$(windows_build_argon2) || return 1
    mkdir -p "$include" "$latchkey_windows_cache/pkgconfig" "$latchkey_windows_cache/no-libraries"
    # Header-only libraries come from Debian's /usr/include; the cross compiler sees only these.
    for library in boost spdlog fmt toml++ doctest; do
        ln -sfn "/usr/include/$library" "$include/$library"
    done
    boost_version=$(sed -n 's/^#define BOOST_LIB_VERSION "\(.*\)"/\1/p' /usr/include/boost/version.hpp | tr _ .)
    windows_write_pc libcrypto 3.0.0 "-I$openssl/include" "-L$openssl/lib64 -lcrypto -lws2_32 -lcrypt32"
    windows_write_pc libargon2 20190702 "-I$argon2/include" "-L$argon2/lib -largon2"
    windows_write_pc spdlog 1.10.0 "-isystem $include -DSPDLOG_HEADER_ONLY -DSPDLOG_FMT_EXTERNAL -DFMT_HEADER_ONLY" ""
    windows_write_pc tomlplusplus 3.3.0 "-isystem $include" ""
    windows_write_pc doctest 2.4.9 "-isystem $include" ""
    # Boost is header-only here: Meson wants a library directory too, so it gets an empty one.
    printf '[properties]\npkg_config_libdir = [%s]\nboost_includedir = %s\nboost_librarydir = %s\n' \
        "'$latchkey_windows_cache/pkgconfig'" "'$include'" "'$latchkey_windows_cache/no-libraries'" \
        >"$latchkey_windows_cache/paths.ini"
    [ -n "$boost_version" ] || { echo "windows-toolchain: no Boost in /usr/include" >&2; return 1; }
    echo "$latchkey_windows_cache/paths.ini"
}

# wine_prefix DIR: a Wine prefix at DIR, copied from the one prepared in the cache, and exported as WINEPREFIX.
wine_prefix() {
    local template=$latchkey_windows_cache/wine-prefix
    if [ ! -f "$template/system.reg" ]; then
        rm -rf "$template.tmp"
        WINEPREFIX=$template.tmp WINEDEBUG=-all "$latchkey_windows_wine" wineboot --init >/dev/null 2>&1
        WINEPREFIX=$template.tmp "${latchkey_windows_wine%/*}/wineserver" -w
        mv "$template.tmp" "$template"
    fi
    rm -rf "$1"
    cp -a "$template" "$1"
    export WINEPREFIX=$1 WINEDEBUG=${WINEDEBUG:--all}
}
