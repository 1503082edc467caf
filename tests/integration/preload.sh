#!/usr/bin/env bash
# config.toml's [[key]] tables (latchkeyd only): listed by ssh-add -l as soon as the agent starts and before any
# passphrase; the first signature asks the agent's askpass and an ssh login works; a missing or PEM file is
# logged in one line and the other keys still load; lifetime/confirm of a [[key]] apply; a SIGHUP reload
# preloads newly listed keys and keeps the ones already loaded (decrypted ones stay decrypted).
source "$(dirname "$0")/lib.sh"
lk_init
require systemd-socket-activate python3
source "$(dirname "$0")/sshd.sh"

KEYS=$TMP/keys
mkdir -p "$KEYS"
cd "$KEYS"
PASSPHRASE='preload test passphrase'
ssh-keygen -q -t ed25519 -N "$PASSPHRASE" -C latchkey-preload-encrypted -f id_encrypted
ssh-keygen -q -t ecdsa -b 256 -N '' -C latchkey-preload-clear -f id_clear
ssh-keygen -q -t ed25519 -N '' -C latchkey-preload-later -f id_later
ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C latchkey-preload-pem -f id_pem
fingerprint() { ssh-keygen -lf "$1.pub" | cut -d' ' -f2; }

# The agent's askpass: counts its runs; says yes to a confirmation, else prints the passphrase.
askpass=$TMP/askpass
cat >"$askpass" <<EOF
#!/bin/sh
echo "\${SSH_ASKPASS_PROMPT:-passphrase}" >>"$TMP/asked"
[ "\${SSH_ASKPASS_PROMPT-}" = confirm ] && exec echo yes
echo '$PASSPHRASE'
EOF
chmod 700 "$askpass"
: >"$TMP/asked"
asked() { grep -c . "$TMP/asked" || true; }

export XDG_CONFIG_HOME=$TMP/config
CONFIG=$XDG_CONFIG_HOME/latchkey/config.toml
mkdir -p "$XDG_CONFIG_HOME/latchkey"
cat >"$CONFIG" <<TOML
[confirm]
askpass = "$askpass"

[[key]]
path = "$KEYS/id_encrypted"

[[key]]
path = "$KEYS/id_missing"

[[key]]
path = "$KEYS/id_pem"

[[key]]
path = "$KEYS/id_clear"
lifetime = "1h"
TOML

step "--check-config shows the [[key]] tables"
assert_rc 0 "$AGENT" --check-config
assert_contains "$OUT" "path = \"$KEYS/id_encrypted\"" "--check-config"
assert_contains "$OUT" 'lifetime = "1h"' "--check-config"

step "at start: the encrypted key and the clear one are listed before any passphrase"
start_socket_activated_agent
assert_rc 0 ssh-add -l
assert_contains "$OUT" "$(fingerprint id_encrypted) latchkey-preload-encrypted (ED25519)" "ssh-add -l"
assert_contains "$OUT" "$(fingerprint id_clear) latchkey-preload-clear (ECDSA)" "ssh-add -l"
assert_eq 2 "$(grep -c . <<<"$OUT")" "keys listed (the missing and the PEM file are not)"
assert_eq 0 "$(asked)" "askpass runs at start"
wait_until 10 "READY=1 with two keys" grep -qx 'READY=1 STATUS=Serving; holding 2 keys' "$TMP/notify.log"

step "each file that cannot be loaded is logged in one line saying why"
log=$(cat "$TMP/agent.log")
assert_contains "$log" "[[key]] $KEYS/id_missing not loaded: cannot read $KEYS/id_missing: No such file or directory" "the log"
assert_contains "$log" "[[key]] $KEYS/id_pem not loaded: $KEYS/id_pem is a PEM file" "the log"
assert_contains "$log" "preloaded 2 of the 4 key(s)" "the log"

step "the [[key]] lifetime applies (latchkey list shows the time left)"
client_init
assert_rc 0 "$CLIENT" list
assert_contains "$OUT" "latchkey-preload-clear" "latchkey list"
left=$(grep -A1 latchkey-preload-clear <<<"$OUT" | sed -n 's/^ *lifetime: \([0-9]*\) s left$/\1/p')
[ -n "$left" ] && [ "$left" -gt 3500 ] && [ "$left" -le 3600 ] || fail "lifetime left of the 1h key: '$left'
$OUT"
[[ "$(grep -A1 latchkey-preload-encrypted <<<"$OUT")" != *lifetime:* ]] || fail "the key without lifetime has one"

step "the first ssh login asks the askpass once, then the key stays decrypted"
start_sshd
cat id_encrypted.pub >"$SSHD_DIR/authorized_keys"
ssh_login || fail "login with the preloaded key failed: $OUT
--- agent log:
$(tail -n 20 "$TMP/agent.log")"
assert_eq ok "$OUT" "remote 'echo ok'"
wait_until 5 "sshd to log the preloaded key" sshd_accepted ED25519 "$(fingerprint id_encrypted)"
assert_eq 1 "$(asked)" "askpass runs after the first login"
ssh_login || fail "second login failed: $OUT"
assert_eq 1 "$(asked)" "askpass runs after the second login"

step "SIGHUP: a newly listed key is preloaded; the loaded ones stay, decrypted; a removed one stays too"
cat >"$CONFIG" <<TOML
[confirm]
askpass = "$askpass"

[[key]]
path = "$KEYS/id_encrypted"

[[key]]
path = "$KEYS/id_later"
confirm = true
TOML
kill -HUP "$AGENT_PID"
wait_until 10 "READY=1 with three keys" grep -qx 'READY=1 STATUS=Serving; holding 3 keys' "$TMP/notify.log"
assert_rc 0 ssh-add -l
assert_contains "$OUT" "latchkey-preload-later" "ssh-add -l after the reload"
assert_contains "$OUT" "latchkey-preload-clear" "ssh-add -l after the reload (no longer listed, still loaded)"
ssh_login || fail "login after the reload failed: $OUT"
assert_eq 1 "$(asked)" "askpass runs after the reload (the decrypted key was not re-read)"

step "the confirm of a [[key]] applies: its signature asks the askpass"
assert_rc 0 ssh-add -T id_later.pub
assert_eq 2 "$(asked)" "askpass runs after a signature with the confirm key"
assert_eq confirm "$(tail -n 1 "$TMP/asked")" "what the askpass was asked"
