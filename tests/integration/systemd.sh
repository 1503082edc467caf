#!/usr/bin/env bash
# latchkeyd as the user service runs it: the socket passed by systemd-socket-activate, READY=1 and the key
# count through a NOTIFY_SOCKET the test owns, config.toml reloaded on SIGHUP without losing keys (a bad
# file keeps the previous configuration), and journal priorities when stderr is the journal.
source "$(dirname "$0")/lib.sh"
lk_init
require systemd-socket-activate python3

KEYS=$TMP/keys
copy_keys "$KEYS"
cd "$KEYS"
export XDG_CONFIG_HOME=$TMP/config
CONFIG=$XDG_CONFIG_HOME/latchkey/config.toml
mkdir -p "$XDG_CONFIG_HOME/latchkey"
# Two askpass programs that confirm and note which of them config.toml chose.
for name in first second; do
    printf '#!/bin/sh\necho %s >>"%s"\necho yes\n' "$name" "$TMP/asked" >"$TMP/askpass-$name"
    chmod 700 "$TMP/askpass-$name"
done
printf '[confirm]\naskpass = "%s"\n' "$TMP/askpass-first" >"$CONFIG"

# count_lines PATTERN FILE MIN: FILE has at least MIN lines matching PATTERN.
count_lines() { [ "$(grep -c -- "$1" "$2" 2>/dev/null)" -ge "$3" ]; }

# sign_asks NAME: a signature with the -c key runs the askpass program NAME, and only it.
sign_asks() {
    rm -f "$TMP/asked"
    assert_rc 0 ssh-add -T ed25519.pub
    assert_eq "$1" "$(cat "$TMP/asked" 2>/dev/null)" "the askpass program that confirmed the signature"
}

step "systemd-socket-activate passes its socket: the agent starts on the first connection and serves it"
start_socket_activated_agent
assert_rc 1 ssh-add -l
assert_contains "$OUT" "The agent has no identities." "ssh-add -l through the passed socket"
assert_contains "$(cat "$TMP/agent.log")" "listening on $SSH_AUTH_SOCK (socket from systemd)" "the agent's log"

step "READY=1 and a STATUS with the key count reach NOTIFY_SOCKET"
wait_until 10 "READY=1" grep -qx 'READY=1 STATUS=Serving; holding 0 keys' "$TMP/notify.log"
assert_rc 0 ssh-add -c ed25519  # the key and its certificate (ed25519-cert.pub)
wait_until 10 "the status of two keys" grep -qx 'STATUS=Serving; holding 2 keys' "$TMP/notify.log"

step "the askpass program of config.toml confirms a signature with a -c key"
sign_asks first

step "SIGHUP reloads config.toml (RELOADING=1, then READY=1), keeps the keys, and applies log_level"
[[ "$(cat "$TMP/agent.log")" != *" connected"* ]] || fail "debug lines logged before log_level asked for them"
printf 'log_level = "debug"\n[confirm]\naskpass = "%s"\n' "$TMP/askpass-second" >"$CONFIG"
kill -HUP "$AGENT_PID"
wait_until 10 "READY=1 after the reload" count_lines '^READY=1' "$TMP/notify.log" 2
assert_contains "$(cat "$TMP/notify.log")" "RELOADING=1 STATUS=Reloading the configuration; holding 2 keys" "notify"
pid_alive "$AGENT_PID" || fail "SIGHUP stopped the agent"
assert_rc 0 ssh-add -l
assert_contains "$OUT" "latchkey-test-ed25519" "the key after the reload"
assert_contains "$(cat "$TMP/agent.log")" " connected" "a debug line after log_level = \"debug\""
sign_asks second

step "a bad file on SIGHUP: its line is logged and the previous configuration stays"
printf '[confirm]\naskpass = "%s"\ntimeout = "soon"\n' "$TMP/askpass-first" >"$CONFIG"
kill -HUP "$AGENT_PID"
wait_until 10 "READY=1 after the second reload" count_lines '^READY=1' "$TMP/notify.log" 3
assert_contains "$(cat "$TMP/agent.log")" "$CONFIG:3: confirm.timeout must be a duration" "the logged error"
assert_contains "$(cat "$TMP/agent.log")" "keeping the configuration in use" "the logged error"
sign_asks second

step "SIGTERM: STOPPING=1, the keys are wiped, and the socket file stays (it belongs to systemd)"
kill -TERM "$AGENT_PID"
wait_until 10 "the agent to exit" pid_gone "$AGENT_PID"
assert_contains "$(cat "$TMP/notify.log")" "STOPPING=1 STATUS=Stopping; wiping 2 keys" "notify"
[ -S "$SSH_AUTH_SOCK" ] || fail "the agent removed the socket systemd made"

step "two sockets passed: the agent refuses to start and says what to change in the .socket unit"
rc=0
systemd-socket-activate -l "$TMP/run/one.sock" -l "$TMP/run/two.sock" "$AGENT" -D >"$TMP/two.log" 2>&1 &
two_pid=$!
track_pid "$two_pid"
wait_until 10 "systemd-socket-activate to listen twice" test -S "$TMP/run/two.sock"
SSH_AUTH_SOCK=$TMP/run/one.sock ssh-add -l >/dev/null 2>&1 || true
wait "$two_pid" || rc=$?
[ "$rc" -eq 1 ] || fail "an agent given two sockets exited $rc, expected 1"
assert_contains "$(cat "$TMP/two.log")" "systemd passed 2 sockets; latchkeyd serves one" "the refusal"

step "a bad config.toml stops the start, and with stderr on the journal (JOURNAL_STREAM) the error is critical (<2>)"
journal=$TMP/journal.log
: >"$journal"
rc=0
JOURNAL_STREAM=$(stat -c '%d:%i' "$journal") "$AGENT" -D -a "$TMP/agent.sock" 2>>"$journal" || rc=$?
[ "$rc" -eq 1 ] || fail "an agent with a bad config.toml exited $rc, expected 1"
assert_eq "<2>$CONFIG:3: confirm.timeout must be a duration such as \"90s\", \"30m\", \"1h30m\" or \"2d\"" \
    "$(cat "$journal")" "the journal line"
[ ! -e "$TMP/agent.sock" ] || fail "an agent with a bad config.toml made its socket"
