#!/usr/bin/env bash
# ssh-add -h against the agent under test: a key restricted to a destination logs into that sshd only,
# which needs the agent to verify ssh's session-bind@openssh.com.
source "$(dirname "$0")/lib.sh"
lk_init
source "$(dirname "$0")/sshd.sh"

KEYS=$TMP/keys
copy_keys "$KEYS"
start_agent agent
export SSH_AUTH_SOCK=$AGENT_SOCK
start_sshd

# Destination constraints (ssh-add -h) need the agent to check ssh's session-bind@openssh.com.
echo "lk-it-sshd $(cat "$SSHD_DIR/host_ed25519.pub")" >"$TMP/dest_known_hosts"
cat "$LK_DATA/hosts/known_hosts" >>"$TMP/dest_known_hosts"
cat "$KEYS/ed25519.pub" >"$SSHD_DIR/authorized_keys"

step "ssh-add -h to this sshd's host key: ssh logs in"
assert_rc 0 ssh-add -D
assert_rc 0 ssh-add -k -h "$LOGIN_USER@lk-it-sshd" -H "$TMP/dest_known_hosts" "$KEYS/ed25519"
assert_rc 0 ssh-add -l
ssh_login || fail "login with a key restricted to this host failed: $OUT"
assert_eq ok "$OUT" "login with a destination-restricted key"

step "ssh-add -h to another host's key: the agent hides the key from ssh, login fails"
assert_rc 0 ssh-add -D
assert_rc 0 ssh-add -k -h "$LOGIN_USER@host1.example" -H "$TMP/dest_known_hosts" "$KEYS/ed25519"
assert_rc 0 ssh-add -l
! ssh_login || fail "a key restricted to host1.example logged into this sshd"
assert_contains "$OUT" "Permission denied (publickey)" "ssh's refusal"

step "ssh-add -h to this host for another user: login as $LOGIN_USER fails"
assert_rc 0 ssh-add -D
assert_rc 0 ssh-add -k -h "nobody-else@lk-it-sshd" -H "$TMP/dest_known_hosts" "$KEYS/ed25519"
! ssh_login || fail "a key restricted to nobody-else@lk-it-sshd logged in as $LOGIN_USER"
assert_contains "$OUT" "Permission denied (publickey)" "ssh's refusal"

