#!/usr/bin/env bash
# Real PuTTY for Windows under Wine: plink.exe logs in to an sshd on 127.0.0.1 through Pageant's window
# (platform/windows/pageant_window) and through a pipe named as platform/windows/pageant_pipe computes it.
# Until latchkeyd.exe serves them, pageant_relay.exe hosts both transports and passes each request to the
# agent under test (LATCHKEY_AGENT, as in tests/integration) through agent_tcp_relay.py.
# Runs itself under xvfb-run: the window needs an X server.
if [ -z "${LK_UNDER_XVFB:-}" ]; then
    command -v xvfb-run >/dev/null || { echo "FAIL [plink_pageant]: needs xvfb-run (Debian xvfb)" >&2; exit 1; }
    LK_UNDER_XVFB=1 exec xvfb-run -a "$0" "$@"
fi
windows_dir=$(cd "$(dirname "$0")" && pwd)
# The caches live in the real home; lk_init points HOME at the test's temp dir.
export LATCHKEY_WINDOWS_CACHE=${LATCHKEY_WINDOWS_CACHE:-$HOME/.cache/latchkey-windows}
out=${LATCHKEY_WINDOWS_BUILD:?the Windows build directory (tests/windows/run.sh sets it)}/tests/windows
display=$DISPLAY
source "$windows_dir/../integration/lib.sh"
lk_init
export DISPLAY=$display  # lk_init unsets it; Xvfb's is wanted here
require python3 cmake dpkg-source
source "$windows_dir/../integration/sshd.sh"
source "$LK_ROOT/scripts/lib/packages.sh"
source "$LK_ROOT/scripts/lib/windows-toolchain.sh"
source "$LK_ROOT/scripts/lib/windows-putty.sh"
WINE=$latchkey_windows_wine

step "build plink.exe (Debian's PuTTY source, cached)"
putty=$(build_windows_putty) || fail "could not build PuTTY for Windows (see above)"
wine_prefix "$TMP/wine"

KEYS=$TMP/keys
copy_keys "$KEYS"
start_agent agent
export SSH_AUTH_SOCK=$AGENT_SOCK
"$windows_dir/agent_tcp_relay.py" >"$TMP/tcp_relay.port" &
track_pid $!
wait_until 10 "the TCP relay to the agent to listen" test -s "$TMP/tcp_relay.port"
relay_port=$(cat "$TMP/tcp_relay.port")
start_sshd

# start_relay TRANSPORT...: (re)starts pageant_relay.exe serving the transports (--window, --pipe) and waits
# until it serves them. Its output (one line per request) goes to $RELAY_LOG.
relay_count=0
start_relay() {
    if [ -n "${RELAY_PID:-}" ]; then
        kill "$RELAY_PID" 2>/dev/null || true
        wait "$RELAY_PID" 2>/dev/null || true
    fi
    relay_count=$((relay_count + 1))
    RELAY_LOG=$TMP/relay-$relay_count.log
    "$WINE" "$out/pageant_relay.exe" "$relay_port" "$@" >"$RELAY_LOG" 2>&1 </dev/null &
    RELAY_PID=$!
    track_pid "$RELAY_PID"
    wait_until 60 "pageant_relay.exe $* to serve" grep -q '^ready' "$RELAY_LOG"
}

# plink_login: `echo ok` through plink.exe, agent authentication only, host key pinned; output in $OUT.
plink_login() {
    local rc=0
    OUT=$("$WINE" "$putty/plink.exe" -ssh -batch -agent -P "$SSHD_PORT" -hostkey "$SSHD_HOSTKEY_FP" \
        "$LOGIN_USER@127.0.0.1" echo ok 2>&1 </dev/null | tr -d '\r') || rc=$?
    return "$rc"
}

start_relay --window
# Each key type once through the window (RSA with the SHA-2 signature flags plink asks for); the Ed25519 key
# stays in the agent for the steps after.
for name in rsa-2048 ecdsa-256 ed25519; do
    step "plink.exe logs in with the $name key through Pageant's window when there is no Pageant pipe"
    assert_rc 0 ssh-add -D
    assert_rc 0 ssh-add "$KEYS/$name"
    cat "$KEYS/$name.pub" >"$SSHD_DIR/authorized_keys"
    cp "$RELAY_LOG" "$RELAY_LOG.seen"
    plink_login || fail "plink.exe login through the window failed: $OUT
--- relay: $(cat "$RELAY_LOG")
--- sshd log:
$(tail -n 20 "$SSHD_LOG")"
    assert_eq ok "$(tail -n 1 <<<"$OUT")" "remote 'echo ok' through plink.exe and the window"
    type=$(ssh-keygen -lf "$KEYS/$name.pub" | sed 's/.*(\(.*\))$/\1/')
    wait_until 5 "sshd to log the accepted $type key" sshd_accepted "$type" \
        "$(ssh-keygen -lf "$KEYS/$name.pub" | cut -d' ' -f2)"
    new_lines=$(tail -n +"$(($(wc -l <"$RELAY_LOG.seen") + 1))" "$RELAY_LOG")
    assert_contains "$new_lines" "window request 11" "plink.exe listed keys over WM_COPYDATA"
    assert_contains "$new_lines" "window request 13" "plink.exe had the agent sign over WM_COPYDATA"
done
! grep -q '^pipe' "$RELAY_LOG" || fail "a request came over a pipe that should not exist"

step "plink.exe finds the pipe under the name pageant_pipe computes, and uses it before the window"
start_relay --window --pipe
plink_login || fail "plink.exe login through the pipe failed: $OUT
--- relay: $(cat "$RELAY_LOG")"
assert_eq ok "$(tail -n 1 <<<"$OUT")" "remote 'echo ok' through plink.exe and the pipe"
assert_contains "$(cat "$RELAY_LOG")" "pipe request 13" "plink.exe had the agent sign over the Pageant pipe"
! grep -q '^window' "$RELAY_LOG" || fail "plink.exe used the window although the pipe was there"

# query_and_verify TRANSPORT: pageant_query.exe lists the keys and has the Ed25519 one sign fresh data over
# TRANSPORT (window or pipe); the signature must verify with the listed public key.
query_and_verify() {
    local transport=$1 identities data sign_request signature
    identities=$("$WINE" "$out/pageant_query.exe" "$transport" 0b | tr -d '\r') ||
        fail "no identities answer over Pageant's $transport"
    data=$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')
    sign_request=$("$windows_dir/verify_pageant_sign.py" request-sign "$identities" "$data") ||
        fail "the identities answer over Pageant's $transport lists no Ed25519 key: $identities"
    signature=$("$WINE" "$out/pageant_query.exe" "$transport" "$sign_request" | tr -d '\r') ||
        fail "no sign answer over Pageant's $transport"
    "$windows_dir/verify_pageant_sign.py" check "$identities" "$data" "$signature" ||
        fail "the signature over Pageant's $transport does not verify: $signature"
}

step "a client that follows PuTTY's code path lists and signs over the window and the pipe; signatures verify"
query_and_verify pipe
assert_contains "$(cat "$RELAY_LOG")" "pipe request 13" "the pipe carried the sign request"
start_relay --window
query_and_verify window
assert_contains "$(cat "$RELAY_LOG")" "window request 13" "the window carried the sign request"

step "without the authorized key in the agent plink.exe's login through the window fails"
assert_rc 0 ssh-add -D
assert_rc 0 ssh-add "$KEYS/ecdsa-256"
start_relay --window
! plink_login || fail "plink.exe logged in although the agent holds no authorized key: $OUT"
assert_contains "$(cat "$RELAY_LOG")" "window request 11" "plink.exe still asked the agent over WM_COPYDATA"
"${WINE%/*}/wineserver" -k 2>/dev/null || true
