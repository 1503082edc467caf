# Shared by scripts/test and scripts/sanitize: configure a Meson build directory.

# configure DIR [meson options...]: sets DIR up once, reconfigures if it exists.
configure() {
    local dir=$1
    shift
    if [ -d "$dir" ]; then
        # not setup --reconfigure: meson 1.0's drops a changed cpp_args (seen with the TSan build's -Wno-tsan)
        meson configure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
}
