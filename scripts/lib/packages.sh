# Shared by scripts/run and scripts/test: installs the Debian packages latchkey needs, only the missing ones.

# Packages to build latchkey. Boost: 1.81 unless a Boost ≥ 1.74 development package is already there.
latchkey_build_packages() {
    local boost=libboost1.81-dev
    if dpkg-query -W -f='${Status}' libboost1.74-dev 2>/dev/null | grep -q 'install ok installed'; then
        boost=libboost1.74-dev
    fi
    echo meson ninja-build g++ pkg-config ccache "$boost" libssl-dev libspdlog-dev libfmt-dev libargon2-dev \
        libtomlplusplus-dev libsystemd-dev
}

# Packages the test suite drives: doctest, the real OpenSSH tools, clang's libFuzzer and sanitizers,
# and for tests/integration: sshd, PuTTY's plink, puttygen and pageant (putty: its -a client mode needs
# no display), git, gdb (protect.sh tries to attach to the agent) and systemd
# (systemd-socket-activate, systemd-analyze), dbus-daemon, dbus-bin, python3-dbus and python3-gi (session.sh's private bus
# and fake logind); for tests/soak: python3-cryptography.
latchkey_test_packages() {
    echo doctest-dev openssh-client python3 clang libclang-rt-14-dev openssh-server putty-tools putty git gdb systemd \
        python3-cryptography dbus-daemon dbus-bin python3-dbus python3-gi
}

# Packages scripts/bench needs besides those: gnuplot draws its chart. Not part of the test run.
latchkey_bench_packages() {
    echo gnuplot-nox
}

# ensure_packages PKG...: installs the missing ones with apt-get (needs root), or explains what to do.
ensure_packages() {
    local missing=()
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "latchkey needs these Debian packages: ${missing[*]}" >&2
        echo "Install them as root: apt-get install ${missing[*]}" >&2
        return 1
    fi
    echo "Installing ${missing[*]} ..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Packages tests/windows/run.sh needs beyond the Windows build's (windows-toolchain.sh's latchkey_windows_packages,
# which scripts/test-windows installs first): cmake to build PuTTY for Windows (scripts/lib/windows-putty.sh)
# and python3-cryptography to verify signatures.
latchkey_windows_test_packages() {
    echo cmake python3-cryptography
}
