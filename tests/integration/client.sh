#!/usr/bin/env bash
# The latchkey client's own features against latchkeyd: status, list with lifetime/confirm/certificate
# details and --json, certificates loaded beside keys, remove by file and by fingerprint, lock and unlock
# through askpass, default key files, help, version and exit codes. latchkeyd only (it needs latchkey's
# extensions), so meson does not run it against ssh-agent. add -h is checked by logging in to a test sshd.
source "$(dirname "$0")/lib.sh"
lk_init
source "$(dirname "$0")/sshd.sh"
require python3
client_init

KEYS=$TMP/keys
copy_keys "$KEYS"
rm -f "$KEYS"/*-cert.pub
# A fresh certificate beside one key (the committed ones expire).
mkdir -p "$TMP/ca"
cp "$LK_DATA/ca/ca-ed25519" "$TMP/ca/"
chmod 600 "$TMP/ca/ca-ed25519"
ssh-keygen -q -s "$TMP/ca/ca-ed25519" -I latchkey-it-client -n alice -V -5m:+1h "$KEYS/ed25519.pub"
askpass_script "$TMP/askpass" lock-secret
export SSH_ASKPASS=$TMP/askpass SSH_ASKPASS_REQUIRE=force

step "no agent: exit status 2 and a message saying what to do"
assert_rc 2 "$CLIENT" list
assert_contains "$OUT" "SSH_AUTH_SOCK is not set" "message without SSH_AUTH_SOCK"
SSH_AUTH_SOCK=$TMP/nothing-here assert_rc 2 "$CLIENT" status
assert_contains "$OUT" "$TMP/nothing-here" "message names the socket"

step "help, version and usage errors"
assert_rc 0 "$CLIENT" --help
assert_contains "$OUT" "remove-all" "overview"
assert_rc 0 "$CLIENT" add --help
assert_contains "$OUT" "usage: latchkey add" "add --help"
assert_rc 0 "$CLIENT" --version
assert_contains "$OUT" "latchkey " "version"
assert_rc 1 "$CLIENT" frobnicate
assert_contains "$OUT" 'unknown subcommand "frobnicate"' "unknown subcommand"
assert_rc 1 "$CLIENT" add -t soon
assert_contains "$OUT" 'invalid lifetime "soon"' "bad lifetime"

start_agent agent
export SSH_AUTH_SOCK=$AGENT_SOCK

step "status of an empty agent"
assert_rc 0 "$CLIENT" status
assert_contains "$OUT" "socket: $AGENT_SOCK" "socket"
assert_contains "$OUT" "pid: $AGENT_PID" "daemon pid"
assert_contains "$OUT" "keys: 0" "key count"
assert_contains "$OUT" "locked: no" "lock state"
assert_rc 1 "$CLIENT" list
assert_eq "The agent has no identities." "$OUT" "empty list"

step "add with -t and -c: ssh-add's messages, the certificate beside the key"
assert_rc 0 "$CLIENT" add -t 1h -c "$KEYS/ed25519"
assert_contains "$OUT" "Identity added: $KEYS/ed25519 (latchkey-test-ed25519)" "identity message"
assert_contains "$OUT" "Lifetime set to 3600 seconds" "lifetime message"
assert_contains "$OUT" "The user must confirm each use of the key" "confirm message"
assert_contains "$OUT" "Certificate added: $KEYS/ed25519-cert.pub (latchkey-it-client)" "certificate message"
assert_rc 0 "$CLIENT" add "$KEYS/rsa-2048"
assert_eq 3 "$(ssh-add -l | wc -l)" "key, certificate and the RSA key in the agent"

step "list shows ssh-add -l's lines and the details"
assert_rc 0 "$CLIENT" list
ed_fp=$(ssh-keygen -lf "$KEYS/ed25519.pub" | cut -d' ' -f2)
rsa_fp=$(ssh-keygen -lf "$KEYS/rsa-2048.pub" | cut -d' ' -f2)
assert_contains "$OUT" "256 $ed_fp latchkey-test-ed25519 (ED25519)" "Ed25519 line"
assert_contains "$OUT" "256 $ed_fp latchkey-test-ed25519 (ED25519-CERT)
    certificate: latchkey-it-client, valid from " "certificate line"
assert_contains "$OUT" "2048 $rsa_fp latchkey-test-rsa-2048 (RSA)" "RSA line"
assert_contains "$OUT" "    confirm: " "confirm detail"
[[ "$OUT" =~ lifetime:\ (359[0-9]|3600)\ s\ left ]] || fail "lifetime detail missing or wrong: $OUT"
first_line=$(head -n 1 <<<"$OUT")
assert_eq "$(ssh-add -l | head -n 1)" "$first_line" "first line equal to ssh-add -l's"

step "list --json parses and carries the same facts"
assert_rc 0 "$CLIENT" list --json
python3 - "$OUT" "$ed_fp" "$rsa_fp" <<'PY' || fail "JSON list: $OUT"
import json, sys
listing = json.loads(sys.argv[1])
keys = listing["keys"]
assert [k["fingerprint"] for k in keys] == [sys.argv[2], sys.argv[2], sys.argv[3]], keys
assert keys[0]["type"] == "ED25519" and keys[0]["bits"] == 256 and keys[0]["confirm"] is True
assert 3500 < keys[0]["lifetime_left"] <= 3600
assert keys[1]["certificate"]["key_id"] == "latchkey-it-client" and keys[1]["certificate"]["valid_now"] is True
assert keys[1]["certificate"]["principals"] == ["alice"]
assert keys[2]["lifetime_left"] is None and keys[2]["confirm"] is False and keys[2]["state"] == "decrypted"
PY
assert_rc 0 "$CLIENT" status --json
python3 -c 'import json, sys; s = json.loads(sys.argv[1]); assert s["keys"] == 3 and s["locked"] is False and s["pid"] == int(sys.argv[2])' \
    "$OUT" "$AGENT_PID" || fail "JSON status: $OUT"

step "remove by file removes the key and its certificate; by fingerprint the matching key and its certificate"
assert_rc 0 "$CLIENT" remove "$KEYS/ed25519"
assert_contains "$OUT" "Identity removed: $KEYS/ed25519 " "key removed"
assert_contains "$OUT" "Identity removed: $KEYS/ed25519-cert.pub " "certificate removed"
assert_eq 1 "$(ssh-add -l | wc -l)" "keys left"
assert_rc 0 "$CLIENT" add "$KEYS/ed25519"
assert_rc 0 "$CLIENT" remove "$ed_fp"
assert_contains "$OUT" "Identity removed: $ed_fp (latchkey-test-ed25519)" "removed by fingerprint"
assert_eq 1 "$(ssh-add -l | wc -l)" "keys left"
assert_rc 1 "$CLIENT" remove SHA256:not-a-key-in-the-agent
assert_contains "$OUT" "the agent holds no such key" "unknown fingerprint"
assert_rc 0 "$CLIENT" remove "$rsa_fp"
assert_contains "$OUT" "Identity removed: $rsa_fp (latchkey-test-rsa-2048)" "removed by fingerprint"
assert_rc 1 ssh-add -l

step "lock (passphrase asked twice) and unlock through askpass; status says locked"
assert_rc 0 no_tty "$CLIENT" add "$KEYS/ecdsa-256"
assert_rc 0 no_tty "$CLIENT" lock
assert_contains "$OUT" "Agent locked." "lock message"
assert_rc 0 "$CLIENT" status
assert_contains "$OUT" "locked: yes" "status while locked"
assert_contains "$OUT" "keys: 1" "key count while locked"
assert_rc 1 "$CLIENT" list
assert_contains "$OUT" "The agent is locked" "list while locked"
askpass_script "$TMP/askpass" wrong-secret
assert_rc 1 no_tty "$CLIENT" unlock
assert_contains "$OUT" "Failed to unlock agent." "wrong unlock passphrase"
askpass_script "$TMP/askpass" lock-secret
assert_rc 0 no_tty "$CLIENT" unlock
assert_contains "$OUT" "Agent unlocked." "unlock message"
assert_eq 1 "$(ssh-add -l | wc -l)" "key back after unlock"

step "lock with two different answers is refused"
cat >"$TMP/askpass" <<SCRIPT
#!/bin/sh
echo x >>"$TMP/asked"
[ \$(wc -l <"$TMP/asked") -eq 1 ] && echo one || echo two
SCRIPT
: >"$TMP/asked"
assert_rc 1 no_tty "$CLIENT" lock
assert_contains "$OUT" "Passwords do not match." "mismatch message"
assert_rc 0 "$CLIENT" status
assert_contains "$OUT" "locked: no" "still unlocked"

step "remove-all, then add without files loads ssh-add's default files that exist"
assert_rc 0 "$CLIENT" remove-all
assert_contains "$OUT" "All identities removed." "remove-all message"
assert_rc 1 "$CLIENT" add
assert_contains "$OUT" "No key files given" "no default files"
mkdir -p "$HOME/.ssh"
cp "$KEYS/ed25519" "$HOME/.ssh/id_ed25519"
cp "$KEYS/ecdsa-384" "$HOME/.ssh/id_ecdsa"
assert_rc 0 "$CLIENT" add
assert_contains "$OUT" "Identity added: $HOME/.ssh/id_ecdsa " "default id_ecdsa"
assert_contains "$OUT" "Identity added: $HOME/.ssh/id_ed25519 " "default id_ed25519"
assert_eq 2 "$(ssh-add -l | wc -l)" "default keys loaded"

step "add -h: host keys from ~/.ssh/known_hosts; the key logs in only as the user and host it names"
assert_rc 0 "$CLIENT" remove-all
echo "lk-it-sshd $(cat "$SSHD_DIR/host_ed25519.pub")" >"$HOME/.ssh/known_hosts"
cat "$KEYS/ed25519.pub" >"$SSHD_DIR/authorized_keys"
start_sshd
assert_rc 1 "$CLIENT" add -h nowhere.example "$KEYS/ed25519"
assert_contains "$OUT" 'no host keys found for destination "nowhere.example"' "unknown destination"
assert_rc 1 "$CLIENT" add -h 'u@a>b' "$KEYS/ed25519"
assert_contains "$OUT" "cannot specify a user on the 'from' host" "bad destination"
assert_rc 1 ssh-add -l
assert_rc 0 "$CLIENT" add -h "$LOGIN_USER@lk-it-sshd" "$KEYS/ed25519"
assert_rc 0 "$CLIENT" list
assert_contains "$OUT" "    destinations: $LOGIN_USER@lk-it-sshd" "destinations in the list"
ssh_login || fail "login with a key restricted to this host failed: $OUT"
assert_eq ok "$OUT" "login with a destination-restricted key"
assert_rc 0 "$CLIENT" remove-all
assert_rc 0 "$CLIENT" add -h "someone-else@lk-it-sshd" "$KEYS/ed25519"
! ssh_login || fail "a key restricted to someone-else@lk-it-sshd logged in as $LOGIN_USER"
assert_contains "$OUT" "Permission denied (publickey)" "ssh's refusal"
