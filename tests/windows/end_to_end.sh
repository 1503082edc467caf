#!/usr/bin/env bash
# latchkeyd.exe and latchkey.exe under Wine, end to end: keys made on Linux (ssh-keygen, puttygen) are added
# with latchkey.exe over the agent's named pipe; Linux's ssh-add and ssh-keygen -Y reach the same pipe through
# unix_bridge.py, so the signatures are checked by OpenSSH itself. Also: lock/unlock, remove, a lifetime
# that expires (given by latchkey.exe add -t and by latchkeyd.exe -t), a confirmation answered no and yes, a
# deferred key's passphrase asked by the agent, a second agent refused, no passphrase in the logs.
# Usage: end_to_end.sh BUILD_DIR WINEPREFIX (a prepared prefix this script may use).
set -euo pipefail

build=$(cd "$1" && pwd)
export WINEPREFIX=$2 WINEDEBUG=-all
here=$(cd "$(dirname "$0")" && pwd)
wine=/usr/lib/wine/wine64
work=$(mktemp -d)
agent_pid= bridge_pid=
cleanup() {
    [ -n "$bridge_pid" ] && kill "$bridge_pid" 2>/dev/null
    [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
    "${wine%/*}/wineserver" -k 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    echo "--- latchkeyd.exe logs:" >&2
    cat "$work"/agent*.log >&2 || true
    exit 1
}
step() { echo "== $*"; }
windows_path() { echo "Z:${1//\//\\}"; }

# Polls (every 0.1 s, at most $1 s) until the command after it succeeds.
await() {
    local limit=$(($1 * 10)) i
    shift
    for ((i = 0; i < limit; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

pipe="\\\\.\\pipe\\latchkey-e2e-$$"
answers=$work/answers
mkdir -p "$answers"
export LATCHKEY_TEST_ANSWERS SSH_ASKPASS
LATCHKEY_TEST_ANSWERS=$(windows_path "$answers")
SSH_ASKPASS=$(windows_path "$build/tests/windows/test_askpass.exe")
latchkey() { SSH_AUTH_SOCK=$pipe SSH_ASKPASS_REQUIRE=force "$wine" "$build/agent/latchkey.exe" "$@" 2>&1 | tr -d '\r'; }

step "keys made on Linux"
ssh-keygen -q -t ed25519 -N '' -C e2e-ed25519 -f "$work/id_ed25519"
echo 'ppk passphrase' >"$answers/passphrase"
puttygen -q -t ecdsa -b 256 -C e2e-ppk -o "$work/key.ppk" --new-passphrase "$answers/passphrase"
puttygen -L "$work/key.ppk" --old-passphrase "$answers/passphrase" >"$work/key_ppk.pub"
# ssh-keygen -Y sign -f KEY.pub falls back to the private key beside it: sign with a copy that has none.
mkdir "$work/public"
cp "$work/id_ed25519.pub" "$work/key_ppk.pub" "$work/public/"
ed_fp=$(ssh-keygen -lf "$work/id_ed25519.pub" | awk '{print $2}')
ppk_fp=$(ssh-keygen -lf "$work/key_ppk.pub" | awk '{print $2}')

step "latchkeyd.exe starts and serves its pipe"
"$wine" "$build/agent/latchkeyd.exe" -d -a "$pipe" >"$work/agent.log" 2>&1 &
agent_pid=$!
await 60 grep -q "listening on" "$work/agent.log" || fail "latchkeyd.exe did not start listening"

step "a second latchkeyd.exe of the same user is refused"
status=0
"$wine" "$build/agent/latchkeyd.exe" -a "$pipe-second" >"$work/second.log" 2>&1 || status=$?
[ "$status" = 1 ] || fail "second agent exited with $status"
grep -q "already running" "$work/second.log" || fail "second agent said: $(cat "$work/second.log")"

step "latchkey.exe adds an OpenSSH key and a passphrase-protected .ppk (passphrase from SSH_ASKPASS)"
latchkey add "$(windows_path "$work/id_ed25519")" || fail "add id_ed25519"
latchkey add "$(windows_path "$work/key.ppk")" || fail "add key.ppk"
grep -q "^passphrase: " "$answers/prompts.log" || fail "no passphrase prompt for the .ppk"

step "latchkey.exe list shows both keys with ssh-keygen's fingerprints"
listed=$(latchkey list)
grep -q "$ed_fp" <<<"$listed" || fail "list lacks $ed_fp: $listed"
grep -q "$ppk_fp" <<<"$listed" || fail "list lacks $ppk_fp: $listed"

step "Linux's ssh-add and ssh-keygen -Y reach the agent through the bridge"
bridge=$work/bridge.sock
python3 "$here/unix_bridge.py" "$bridge" "$wine" "$build/tests/windows/pipe_relay.exe" "$pipe" &
bridge_pid=$!
await 20 test -S "$bridge" || fail "the bridge socket did not appear"
export SSH_AUTH_SOCK=$bridge
[ "$(ssh-add -l | awk '{print $2}' | sort)" = "$(printf '%s\n' "$ed_fp" "$ppk_fp" | sort)" ] ||
    fail "ssh-add -l: $(ssh-add -l)"

echo "signed through latchkeyd.exe" >"$work/data"
echo "e2e $(cat "$work/id_ed25519.pub")" >"$work/allowed"
echo "e2e $(cat "$work/key_ppk.pub")" >>"$work/allowed"
# Signs $work/data through the agent with the key of public key file $1 (no private key beside it); 0 if
# ssh-keygen verifies the signature.
sign_and_verify() {
    rm -f "$work/data.sig"
    ssh-keygen -q -Y sign -n file -f "$1" "$work/data" >/dev/null 2>&1 || return 1
    ssh-keygen -q -Y verify -n file -f "$work/allowed" -I e2e -s "$work/data.sig" <"$work/data" >/dev/null
}
sign_and_verify "$work/public/id_ed25519.pub" || fail "Ed25519 signature"
sign_and_verify "$work/public/key_ppk.pub" || fail "ECDSA (.ppk) signature"
echo "tampered" >>"$work/data"
ssh-keygen -q -Y verify -n file -f "$work/allowed" -I e2e -s "$work/data.sig" <"$work/data" >/dev/null 2>&1 &&
    fail "a signature over other data verified"
echo "signed through latchkeyd.exe" >"$work/data"

step "lock hides the keys and refuses to sign; unlock brings them back"
echo 'lock passphrase' >"$answers/passphrase"
latchkey lock || fail "lock"
ssh-add -l >/dev/null 2>&1 && fail "keys listed while locked"
sign_and_verify "$work/public/id_ed25519.pub" && fail "signed while locked"
latchkey unlock || fail "unlock"
[ "$(ssh-add -l | wc -l)" = 2 ] || fail "after unlock: $(ssh-add -l)"

step "remove takes one key out"
latchkey remove "$ed_fp" || fail "remove"
listed=$(latchkey list)
grep -q "$ed_fp" <<<"$listed" && fail "removed key still listed"
grep -q "$ppk_fp" <<<"$listed" || fail "the other key went too"

step "a key added with a lifetime expires"
latchkey add -t 2 "$(windows_path "$work/id_ed25519")" || fail "add -t 2"
ssh-add -l | grep -q "$ed_fp" || fail "key with a lifetime not listed"
await 15 sh -c "! ssh-add -l | grep -q '$ed_fp'" || fail "key with a lifetime did not expire"

step "a confirmation answered no refuses the signature, yes allows it"
latchkey add -c "$(windows_path "$work/id_ed25519")" || fail "add -c"
echo no >"$answers/confirm"
sign_and_verify "$work/public/id_ed25519.pub" && fail "signed though the confirmation said no"
grep -q "^confirm: " "$answers/prompts.log" && grep -q "$ed_fp" "$answers/prompts.log" ||
    fail "no confirmation prompt naming the key: $(cat "$answers/prompts.log")"
echo yes >"$answers/confirm"
sign_and_verify "$work/public/id_ed25519.pub" || fail "confirmation yes: no valid signature"

step "a deferred .ppk is decrypted on first use with a passphrase the agent asks for"
latchkey remove-all >/dev/null || fail "remove-all"
latchkey add --deferred "$(windows_path "$work/key.ppk")" || fail "add --deferred"
echo 'ppk passphrase' >"$answers/passphrase"
: >"$answers/prompts.log"
sign_and_verify "$work/public/key_ppk.pub" || fail "deferred key: no valid signature"
grep -q "^passphrase: " "$answers/prompts.log" || fail "the agent did not ask for the deferred key's passphrase"

step "latchkeyd.exe -t: keys added without a lifetime get the agent's"
"$wine" taskkill /f /im latchkeyd.exe >/dev/null 2>&1 || fail "taskkill latchkeyd.exe"
wait "$agent_pid" 2>/dev/null || true
"$wine" "$build/agent/latchkeyd.exe" -d -t 2 -a "$pipe" >"$work/agent-t.log" 2>&1 &
agent_pid=$!
await 60 grep -q "listening on" "$work/agent-t.log" || fail "latchkeyd.exe -t 2 did not start listening"
latchkey add "$(windows_path "$work/id_ed25519")" || fail "add to the agent with -t 2"
ssh-add -l | grep -q "$ed_fp" || fail "key not listed by the agent with -t 2"
await 15 sh -c "! ssh-add -l | grep -q '$ed_fp'" || fail "the agent's default lifetime did not expire the key"

step "no passphrase reached the agents' logs"
grep -q -e 'ppk passphrase' -e 'lock passphrase' "$work"/agent*.log && fail "a passphrase is in a log"

echo "windows end-to-end: all steps passed"
