#!/usr/bin/env bash
# Real PuTTY for Windows under Wine against latchkeyd.exe: plink.exe logs in to an sshd on 127.0.0.1 through
# latchkeyd.exe's Pageant window (its Pageant pipe turned off) and through its Pageant pipe; a client of our
# own that follows PuTTY's code path lists and signs over both. Keys are added by Linux's ssh-add over
# latchkeyd.exe's OpenSSH pipe (tests/windows/unix_bridge.py). Which transport carried a request is read from
# latchkeyd.exe's debug log: requests over the window are logged from "a Pageant window client".
# Runs itself under xvfb-run: the window needs an X server.
if [ -z "${LK_UNDER_XVFB:-}" ]; then
    command -v xvfb-run >/dev/null || { echo "FAIL [plink_pageant]: needs xvfb-run (Debian xvfb)" >&2; exit 1; }
    LK_UNDER_XVFB=1 exec xvfb-run -a "$0" "$@"
fi
windows_dir=$(cd "$(dirname "$0")" && pwd)
# The caches live in the real home; lk_init points HOME at the test's temp dir.
export LATCHKEY_WINDOWS_CACHE=${LATCHKEY_WINDOWS_CACHE:-$HOME/.cache/latchkey-windows}
build=${LATCHKEY_WINDOWS_BUILD:?the Windows build directory (tests/windows/run.sh sets it)}
out=$build/tests/windows
LATCHKEY_AGENT=$build/agent/latchkeyd.exe  # what lib.sh reports as the agent under test
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
openssh_pipe='\\.\pipe\latchkey-plink-test'
python3 "$windows_dir/unix_bridge.py" "$TMP/bridge.sock" "$WINE" "$out/pipe_relay.exe" "$openssh_pipe" &
track_pid $!
wait_until 20 "the bridge socket to latchkeyd.exe's pipe" test -S "$TMP/bridge.sock"
export SSH_AUTH_SOCK=$TMP/bridge.sock
start_sshd

# start_latchkeyd OPTION...: (re)starts latchkeyd.exe with debug logging on its own OpenSSH pipe and the
# options given, and waits until it serves. Its log goes to $AGENT_LOG.
agent_count=0
start_latchkeyd() {
    if [ -n "${AGENT_PID:-}" ]; then
        kill "$AGENT_PID" 2>/dev/null || true
        wait "$AGENT_PID" 2>/dev/null || true
        # shellcheck disable=SC2016 # expanded by eval
        wait_until 20 "latchkeyd.exe to go" eval '! "$WINE" "$out/pageant_query.exe" window 0b >/dev/null 2>&1'
    fi
    agent_count=$((agent_count + 1))
    AGENT_LOG=$TMP/latchkeyd-$agent_count.log
    "$WINE" "$LATCHKEY_AGENT" -d -a "$openssh_pipe" "$@" >"$AGENT_LOG" 2>&1 </dev/null &
    AGENT_PID=$!
    track_pid "$AGENT_PID"
    wait_until 60 "latchkeyd.exe $* to serve" grep -q 'listening on' "$AGENT_LOG"
}

# requests_from WHO TYPE: how many requests of TYPE (e.g. SIGN_REQUEST) the current latchkeyd.exe
# logged from a peer whose description contains WHO ("a Pageant window client", "plink.exe").
requests_from() { grep -F "): $2 " "$AGENT_LOG" | grep -cF "$1" || true; }
window='a Pageant window client'
list=REQUEST_IDENTITIES
sign=SIGN_REQUEST

# plink_login: `echo ok` through plink.exe, agent authentication only, host key pinned; output in $OUT.
plink_login() {
    local rc=0
    OUT=$("$WINE" "$putty/plink.exe" -ssh -batch -agent -P "$SSHD_PORT" -hostkey "$SSHD_HOSTKEY_FP" \
        "$LOGIN_USER@127.0.0.1" echo ok 2>&1 </dev/null | tr -d '\r') || rc=$?
    return "$rc"
}

start_latchkeyd --no-pageant-pipe
# Each key type once through the window (RSA with the SHA-2 signature flags plink asks for); the Ed25519 key
# stays in the agent for the steps after.
for name in rsa-2048 ecdsa-256 ed25519; do
    step "plink.exe logs in with the $name key through latchkeyd.exe's Pageant window (its Pageant pipe off)"
    assert_rc 0 ssh-add -D
    assert_rc 0 ssh-add "$KEYS/$name"
    cat "$KEYS/$name.pub" >"$SSHD_DIR/authorized_keys"
    signs_before=$(requests_from "$window" "$sign")
    plink_login || fail "plink.exe login through the window failed: $OUT
--- latchkeyd.exe: $(tail -n 20 "$AGENT_LOG")
--- sshd log:
$(tail -n 20 "$SSHD_LOG")"
    assert_eq ok "$(tail -n 1 <<<"$OUT")" "remote 'echo ok' through plink.exe and the window"
    type=$(ssh-keygen -lf "$KEYS/$name.pub" | sed 's/.*(\(.*\))$/\1/')
    wait_until 5 "sshd to log the accepted $type key" sshd_accepted "$type" \
        "$(ssh-keygen -lf "$KEYS/$name.pub" | cut -d' ' -f2)"
    [ "$(requests_from "$window" "$sign")" -gt "$signs_before" ] ||
        fail "latchkeyd.exe logged no signature request over its window: $(tail -n 20 "$AGENT_LOG")"
done
[ "$(requests_from plink "$list")" -eq 0 ] || fail "plink.exe reached latchkeyd.exe by a pipe that should be off"

step "plink.exe finds latchkeyd.exe's Pageant pipe under the name PuTTY computes, and uses it before the window"
start_latchkeyd
assert_rc 0 ssh-add "$KEYS/ed25519"
plink_login || fail "plink.exe login through the pipe failed: $OUT
--- latchkeyd.exe: $(tail -n 20 "$AGENT_LOG")"
assert_eq ok "$(tail -n 1 <<<"$OUT")" "remote 'echo ok' through plink.exe and the pipe"
[ "$(requests_from plink "$sign")" -ge 1 ] || fail "no signature request from plink.exe over the pipe: $(cat "$AGENT_LOG")"
[ "$(requests_from "$window" "$list")" -eq 0 ] || fail "plink.exe used the window although the pipe was there"

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
[ "$(requests_from pageant_query "$sign")" -ge 1 ] || fail "the Pageant pipe did not carry the sign request"
query_and_verify window
[ "$(requests_from "$window" "$sign")" -ge 1 ] || fail "the window did not carry the sign request"

step "without the authorized key in the agent plink.exe's login through the window fails"
start_latchkeyd --no-pageant-pipe
assert_rc 0 ssh-add "$KEYS/ecdsa-256"
! plink_login || fail "plink.exe logged in although the agent holds no authorized key: $OUT"
[ "$(requests_from "$window" "$list")" -ge 1 ] || fail "plink.exe did not ask latchkeyd.exe over its window"

step "with both Pageant transports off, plink.exe finds no agent"
start_latchkeyd --no-pageant-pipe --no-pageant-window
! plink_login || fail "plink.exe logged in with no Pageant transport: $OUT"
! "$WINE" "$out/pageant_query.exe" window 0b >/dev/null 2>&1 || fail "a Pageant window answered"
! "$WINE" "$out/pageant_query.exe" pipe 0b >/dev/null 2>&1 || fail "a Pageant pipe answered"
"${WINE%/*}/wineserver" -k 2>/dev/null || true
