# tests/integration/lib.sh: shared helpers for the integration tests — agent under test, temp dir,
# process cleanup, bounded waits and asserts. Source it first thing: `source "$(dirname "$0")/lib.sh"`.
# Every helper fails the test (message on stderr, exit 1) rather than skipping anything.

set -euo pipefail

LK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LK_DATA=$LK_ROOT/tests/data
LK_TEST=$(basename "$0" .sh)
# The agent under test: LATCHKEY_AGENT (meson passes the built latchkeyd), or the default build.
AGENT=${LATCHKEY_AGENT:-$LK_ROOT/build/agent/latchkeyd}
case $AGENT in */*) AGENT=$(realpath -m "$AGENT") ;; esac
# Every key type tests/data/keys holds.
KEY_NAMES=(ed25519 ecdsa-256 ecdsa-384 ecdsa-521 rsa-2048 rsa-4096 dsa-1024)

_lk_pids=()
_lk_users=()
_lk_steps=0

fail() {
    echo "FAIL [$LK_TEST${LK_STEP:+: $LK_STEP}]: $*" >&2
    exit 1
}

# step DESCRIPTION: names what the next assertions check (shown in failures and in the log).
step() {
    LK_STEP=$*
    _lk_steps=$((_lk_steps + 1))
    echo "--- [$(_lk_elapsed)] $LK_STEP"
}

_lk_t0=$EPOCHREALTIME
_lk_elapsed() { # seconds since the test started, e.g. 1.25s
    local us=$(( (${EPOCHREALTIME/./} - ${_lk_t0/./}) / 10000 ))
    printf '%d.%02ds' $((us / 100)) $((us % 100))
}

_lk_cleanup() {
    local rc=$? pid i user
    set +e
    for pid in "${_lk_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${_lk_pids[@]}"; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -KILL "$pid" 2>/dev/null
    done
    for user in "${_lk_users[@]}"; do
        userdel "$user" 2>/dev/null
    done
    [ -n "${TMP:-}" ] && rm -rf "$TMP"
    if [ "$rc" -eq 0 ]; then
        echo "PASS [$LK_TEST]: $_lk_steps steps against $AGENT"
    fi
    exit "$rc"
}

# track_pid PID: the process is killed when the test ends, however it ends.
track_pid() { _lk_pids+=("$1"); }

# make_user: (root only) creates a user of this test's own, unprivileged, with no home and no login shell, and
# sets LK_USER to its name; it is removed when the test ends, however it ends.
make_user() {
    require useradd userdel
    LK_USER=lk-peer-$$
    useradd --system --no-create-home --user-group --shell /usr/sbin/nologin "$LK_USER" ||
        fail "useradd $LK_USER failed"
    _lk_users+=("$LK_USER")
}

# require TOOL...: fails (does not skip) when a tool the test drives is missing.
require() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 ||
            fail "needs '$tool' on PATH (scripts/test installs latchkey_test_packages)"
    done
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every 20 ms until it succeeds.
wait_until() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds + 1))
    while ! "$@" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            fail "timed out after ${seconds}s waiting for: $what"
        fi
        sleep 0.02
    done
}

# timed_add LIFETIME SSH-ADD-ARGS...: runs ssh-add (must succeed) and records when it started and ended
# in ADD_START/ADD_END ($EPOCHREALTIME without the dot, microseconds) for await_expiry.
timed_add() {
    ADD_LIFETIME=$1
    shift
    ADD_START=${EPOCHREALTIME/./}
    assert_rc 0 ssh-add "$@"
    ADD_END=${EPOCHREALTIME/./}
}

# await_expiry WHAT COMMAND...: after timed_add, polls COMMAND (true once the key is gone) every 20 ms.
# Fails if the key is still there at a check that starts more than one second after the latest moment
# it may expire (ADD_END + lifetime), or if it is gone before ADD_START + lifetime - 1 s (OpenSSH's
# ssh-agent counts whole seconds, so it may drop a key up to a second early).
await_expiry() {
    local what=$1 before after
    shift
    local latest=$((ADD_END + (ADD_LIFETIME + 1) * 1000000)) earliest=$((ADD_START + (ADD_LIFETIME - 1) * 1000000))
    while :; do
        before=${EPOCHREALTIME/./}
        if "$@" >/dev/null 2>&1; then
            after=${EPOCHREALTIME/./}
            break
        fi
        [ "$before" -le "$latest" ] ||
            fail "$what: still there $(((before - ADD_END) / 1000)) ms after ssh-add returned (lifetime ${ADD_LIFETIME}s)"
        sleep 0.02
    done
    [ "$after" -ge "$earliest" ] ||
        fail "$what: gone $(((after - ADD_START) / 1000)) ms after ssh-add started (lifetime ${ADD_LIFETIME}s)"
    echo "    $what: gone $(((after - ADD_END) / 1000)) ms after ssh-add returned (lifetime ${ADD_LIFETIME}s)"
}

assert_eq() { # EXPECTED ACTUAL WHAT
    [ "$1" == "$2" ] || fail "$3: expected
$1
--- but got
$2"
}

assert_contains() { # HAYSTACK NEEDLE WHAT
    [[ "$1" == *"$2"* ]] || fail "$3: expected to contain '$2', got
$1"
}

# assert_rc EXPECTED COMMAND...: runs COMMAND, keeps its stdout+stderr in $OUT, checks the exit status.
assert_rc() {
    local expected=$1
    shift
    local rc=0
    OUT=$("$@" 2>&1) || rc=$?
    [ "$rc" -eq "$expected" ] || fail "'$*' exited $rc, expected $expected; output:
$OUT"
}

# agent_is_latchkeyd: the agent under test is latchkeyd (for checks of what only latchkeyd offers; the
# caller says so in its output, so nothing is skipped silently).
agent_is_latchkeyd() { [[ $(basename "$AGENT") == latchkeyd* ]]; }

pid_alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
pid_gone() { ! pid_alive "$1"; }

# agent_answers SOCKET: the agent at SOCKET accepts a connection and answers a list request.
agent_answers() {
    local rc=0
    SSH_AUTH_SOCK=$1 ssh-add -l >/dev/null 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]
}

# start_agent NAME [AGENT OPTIONS...]: runs the agent in the foreground (-D) bound to $TMP/NAME.sock,
# waits until it answers, and sets AGENT_SOCK and AGENT_PID. Its output goes to $TMP/NAME.log.
start_agent() {
    local name=$1
    shift
    AGENT_SOCK=$TMP/$name.sock
    "$AGENT" -D -a "$AGENT_SOCK" "$@" >"$TMP/$name.log" 2>&1 </dev/null &
    AGENT_PID=$!
    track_pid "$AGENT_PID"
    local deadline=$((SECONDS + 10))
    until agent_answers "$AGENT_SOCK"; do
        pid_alive "$AGENT_PID" || fail "agent '$AGENT -D -a $AGENT_SOCK $*' exited early:
$(cat "$TMP/$name.log")"
        [ "$SECONDS" -lt "$deadline" ] || fail "agent at $AGENT_SOCK did not answer within 10 s"
        sleep 0.02
    done
}

# start_socket_activated_agent: latchkeyd as the systemd user service runs it: systemd-socket-activate passes it
# the socket $TMP/run/agent.sock (exported as SSH_AUTH_SOCK), and a fake NOTIFY_SOCKET ($NOTIFY) appends what
# it is told to $TMP/notify.log; HOME and XDG_CONFIG_HOME are passed on. Sets AGENT_PID (systemd-socket-activate
# execs the agent in that process); the agent's output goes to $TMP/agent.log.
start_socket_activated_agent() {
    NOTIFY=$TMP/notify.sock
    "$LK_ROOT/tests/integration/notify_socket.py" "$NOTIFY" "$TMP/notify.log" &
    track_pid $!
    wait_until 10 "the fake NOTIFY_SOCKET" test -S "$NOTIFY"
    mkdir -m 700 "$TMP/run"
    export SSH_AUTH_SOCK=$TMP/run/agent.sock
    NOTIFY_SOCKET=$NOTIFY systemd-socket-activate -E HOME -E XDG_CONFIG_HOME -E NOTIFY_SOCKET -l "$SSH_AUTH_SOCK" \
        "$AGENT" -D >"$TMP/agent.log" 2>&1 &
    AGENT_PID=$!
    track_pid "$AGENT_PID"
    wait_until 10 "systemd-socket-activate to listen" test -S "$SSH_AUTH_SOCK"
}

# copy_keys DIR: copies tests/data/keys to DIR with private keys at mode 600 (ssh-add refuses 644).
copy_keys() {
    mkdir -p "$1"
    cp "$LK_DATA"/keys/* "$1"/
    chmod 600 "$1"/*
    chmod 644 "$1"/*.pub
}

# askpass_script PATH PASSPHRASE: writes an SSH_ASKPASS program that prints PASSPHRASE.
askpass_script() {
    printf '#!/bin/sh\nprintf "%%s\\n" %q\n' "$2" >"$1"
    chmod 700 "$1"
}

# private_config: points XDG_CONFIG_HOME into $TMP and sets CONFIG to latchkeyd's config.toml there.
private_config() {
    export XDG_CONFIG_HOME=$TMP/config
    CONFIG=$XDG_CONFIG_HOME/latchkey/config.toml
    mkdir -p "$XDG_CONFIG_HOME/latchkey"
}

# write_config ASKPASS: writes $CONFIG: a [confirm] table naming ASKPASS, then the TOML read from stdin.
write_config() {
    { printf '[confirm]\naskpass = "%s"\n\n' "$1" && cat; } >"$CONFIG"
}

# no_tty COMMAND...: runs COMMAND without a controlling terminal and with stdin from /dev/null,
# so that OpenSSH's tools ask through SSH_ASKPASS.
no_tty() {
    setsid -w "$@" </dev/null
}

# lk_init: checks the agent under test and makes the temp dir. Call once after sourcing.
lk_init() {
    trap _lk_cleanup EXIT
    trap 'exit 130' INT TERM
    [ -x "$AGENT" ] || fail "agent under test '$AGENT' is not an executable (set LATCHKEY_AGENT, or build latchkeyd)"
    require ssh-add ssh-keygen setsid
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-$LK_TEST.XXXXXX")
    export HOME=$TMP/home
    mkdir -p "$HOME"
    unset SSH_AUTH_SOCK SSH_AGENT_PID DISPLAY SSH_ASKPASS SSH_ASKPASS_REQUIRE
    echo "agent under test: $AGENT"
}

# client_init: sets CLIENT to the latchkey client under test (LATCHKEY_CLIENT, which meson passes, or the
# default build) and fails if it is not there.
client_init() {
    CLIENT=${LATCHKEY_CLIENT:-$LK_ROOT/build/agent/latchkey}
    [ -x "$CLIENT" ] || fail "latchkey client '$CLIENT' is not an executable (set LATCHKEY_CLIENT, or build it)"
}
