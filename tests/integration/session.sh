#!/usr/bin/env bash
# config.toml's [session] (latchkeyd only), through logind on a private D-Bus bus the test starts with a fake
# logind (fake_logind.py) on it, as latchkeyd's system bus (DBUS_SYSTEM_BUS_ADDRESS): the session found as a
# user service finds it (no XDG_SESSION_ID, no session for its pid: the user's display session) or through
# XDG_SESSION_ID; the session's Lock signal with on_screen_lock = "lock" re-encrypts the key added encrypted
# (its passphrase is asked again) and removes the one added in clear; PrepareForSleep(false) changes nothing
# and PrepareForSleep(true) with on_suspend = "drop" removes every key; drop_after_idle removes keys unused
# that long; without a bus the agent starts and says what it does not follow.
source "$(dirname "$0")/lib.sh"
lk_init
require dbus-daemon dbus-send /usr/bin/python3

KEYS=$TMP/keys
copy_keys "$KEYS"
cd "$KEYS"
PASSPHRASE='session test passphrase'
ssh-keygen -q -t ed25519 -N "$PASSPHRASE" -C latchkey-session-encrypted -f id_encrypted
fingerprint() { ssh-keygen -lf "$1.pub" | cut -d' ' -f2; }
askpass=$TMP/askpass
cat >"$askpass" <<ASKPASS
#!/bin/sh
echo asked >>"$TMP/asked"
echo '$PASSPHRASE'
ASKPASS
chmod 700 "$askpass"
: >"$TMP/asked"
asked() { grep -c . "$TMP/asked" || true; }

step "a private bus and a fake logind on it"
cat >"$TMP/bus.conf" <<XML
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$TMP/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
XML
dbus-daemon --config-file="$TMP/bus.conf" --nofork --nopidfile --print-address=1 >"$TMP/bus.address" 2>"$TMP/bus.log" &
track_pid $!
wait_until 10 "dbus-daemon to print its address" grep -q . "$TMP/bus.address"
export DBUS_SYSTEM_BUS_ADDRESS=$(head -n 1 "$TMP/bus.address")
"$LK_ROOT/tests/integration/fake_logind.py" "$DBUS_SYSTEM_BUS_ADDRESS" "$TMP/calls.log" "$TMP/logind.ready" \
    2>"$TMP/logind.log" &
track_pid $!
wait_until 10 "the fake logind to own org.freedesktop.login1 (its log: $TMP/logind.log)" test -s "$TMP/logind.ready"
: >"$TMP/calls.log"

# emit METHOD ARGS...: makes the fake logind emit a signal; returns once it has been sent.
emit() {
    dbus-send --bus="$DBUS_SYSTEM_BUS_ADDRESS" --print-reply --dest=org.freedesktop.login1 /test \
        "org.latchkey.Test.$1" "${@:2}" >/dev/null
}
# listed: what ssh-add -l shows.
listed() { ssh-add -l 2>/dev/null || true; }
holds() { [[ "$(listed)" == *"$1"* ]]; }
holds_none() { [ "$(listed)" == "The agent has no identities." ]; }
# maps_library PID NAME: the process has a library whose file name starts with NAME mapped.
maps_library() { grep -q "/$2[^/]*\$" "/proc/$1/maps"; }

private_config
write_config "$askpass" <<TOML
[session]
on_suspend = "drop"
on_screen_lock = "lock"

[[key]]
path = "$KEYS/id_encrypted"
TOML

step "as a user service: no XDG_SESSION_ID, no session for the pid, so the user's display session"
unset XDG_SESSION_ID
start_agent agent
export SSH_AUTH_SOCK=$AGENT_SOCK
calls=$(cat "$TMP/calls.log")
assert_contains "$calls" "GetSessionByPID $AGENT_PID" "the calls to logind"
assert_contains "$calls" "GetUser $(id -u)" "the calls to logind"
assert_contains "$calls" "Get org.freedesktop.login1.User Display" "the calls to logind"
assert_contains "$(cat "$TMP/agent.log")" \
    "following logind: suspend and the screen lock of /org/freedesktop/login1/session/c1" "the agent's log"
maps_library "$AGENT_PID" libsystemd.so || fail "the agent following logind has no libsystemd mapped"

step "the session's Lock: the encrypted key is re-encrypted and stays, the clear one is removed"
assert_rc 0 ssh-add ed25519
assert_rc 0 ssh-add -T id_encrypted.pub
assert_eq 1 "$(asked)" "askpass runs after the first signature"
emit PrepareForSleep boolean:false  # resuming from sleep: nothing happens
emit Lock string:c2                 # another session's lock: nothing happens
emit Lock string:c1
wait_until 10 "the clear key to be removed" eval '! holds latchkey-test-ed25519'
assert_contains "$(listed)" "$(fingerprint id_encrypted) latchkey-session-encrypted" "ssh-add -l after the Lock"
assert_eq 1 "$(grep -c . <<<"$(listed)")" "keys after the Lock"
assert_contains "$(cat "$TMP/agent.log")" "the screen was locked: re-encrypted 1 key(s) added encrypted, removed 2 added in clear" "the agent's log"
assert_rc 0 ssh-add -T id_encrypted.pub
assert_eq 2 "$(asked)" "askpass runs after a signature following the Lock"

step "PrepareForSleep(true): every key is removed"
assert_rc 0 ssh-add ecdsa-256
emit PrepareForSleep boolean:true
wait_until 10 "every key to be removed" holds_none
assert_contains "$(cat "$TMP/agent.log")" "the system is going to sleep: removed all 3 key(s)" "the agent's log"
kill -TERM "$AGENT_PID"
wait_until 10 "the agent to exit" pid_gone "$AGENT_PID"

step "XDG_SESSION_ID names the session to follow"
: >"$TMP/calls.log"
XDG_SESSION_ID=7 start_agent agent-with-id
assert_eq "GetSession 7" "$(cat "$TMP/calls.log")" "the calls to logind"
assert_contains "$(cat "$TMP/agent-with-id.log")" "the screen lock of /org/freedesktop/login1/session/7" "the agent's log"
export SSH_AUTH_SOCK=$AGENT_SOCK
assert_rc 0 ssh-add ed25519
emit Lock string:7
wait_until 10 "the clear key to be removed" eval '! holds latchkey-test-ed25519'
assert_contains "$(listed)" "latchkey-session-encrypted" "ssh-add -l after the Lock"
kill -TERM "$AGENT_PID"
wait_until 10 "the agent to exit" pid_gone "$AGENT_PID"

step "no bus: the agent starts, and says that suspend and screen lock are not followed"
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/no-bus.sock start_agent agent-without-bus
assert_contains "$(cat "$TMP/agent-without-bus.log")" \
    "cannot connect to the system D-Bus: No such file or directory: keys will not be locked or dropped" "the agent's log"
kill -TERM "$AGENT_PID"
wait_until 10 "the agent to exit" pid_gone "$AGENT_PID"

step "drop_after_idle: keys unused that long are removed; logind is not asked for, so libsystemd is not loaded"
printf '[session]\ndrop_after_idle = "2s"\n' >"$CONFIG"
start_agent agent-idle
for library in libsystemd.so liblzma.so libgcrypt.so; do
    ! maps_library "$AGENT_PID" "$library" || fail "an agent not following logind has $library mapped"
done
export SSH_AUTH_SOCK=$AGENT_SOCK
timed_add 2 ed25519
await_expiry "the idle keys" holds_none
assert_contains "$(cat "$TMP/agent-idle.log")" "no key used for 2 s: removed all 2 key(s)" "the agent's log"
