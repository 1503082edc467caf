# Shared by scripts/test and scripts/sanitize: configure a Meson build directory.

# configure DIR [meson options...]: sets DIR up once, reconfigures if it exists.
configure() {
    local dir=$1
    shift
    if [ -d "$dir" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
}
