#!/usr/bin/env bash
# PuTTY's plink (Debian putty-tools) logs into a local sshd through the agent under test, found by
# SSH_AUTH_SOCK: every key type and a certificate.
source "$(dirname "$0")/lib.sh"
lk_init
require plink
source "$(dirname "$0")/sshd.sh"

KEYS=$TMP/keys
copy_keys "$KEYS"
start_agent agent
export SSH_AUTH_SOCK=$AGENT_SOCK

# plink_login: runs `echo ok` through plink, agent authentication only, host key pinned; output in $OUT.
plink_login() {
    local rc=0
    OUT=$(plink -ssh -batch -agent -P "$SSHD_PORT" -hostkey "$SSHD_HOSTKEY_FP" \
        "$LOGIN_USER@127.0.0.1" echo ok 2>&1 </dev/null) || rc=$?
    return "$rc"
}

# plink_with NAME LABEL: the agent holds only NAME's plain key, authorized_keys only its .pub.
plink_with() {
    local name=$1 label=$2
    step "plink login: $label"
    assert_rc 0 ssh-add -D
    assert_rc 0 ssh-add -k "$KEYS/$name"
    cat "$KEYS/$name.pub" >"$SSHD_DIR/authorized_keys"
    plink_login || fail "plink login with $label failed: $OUT
--- sshd log:
$(tail -n 20 "$SSHD_LOG")"
    assert_eq ok "$OUT" "remote 'echo ok' through plink"
    local fp type
    fp=$(ssh-keygen -lf "$KEYS/$name.pub" | cut -d' ' -f2)
    type=$(ssh-keygen -lf "$KEYS/$name.pub" | sed 's/.*(\(.*\))$/\1/')
    wait_until 5 "sshd to log the accepted $type key $fp" sshd_accepted "$type" "$fp"
}

start_sshd "PubkeyAcceptedAlgorithms +ssh-dss"
for name in "${KEY_NAMES[@]}"; do
    plink_with "$name" "$name key"
done

# plink 0.78 picks its RSA algorithm from server-sig-algs, and sshd 9.2 advertises every algorithm it has
# whatever PubkeyAcceptedAlgorithms says, so plink always asks for rsa-sha2-512 here (flag 4). ssh_login.sh
# forces each RSA algorithm through ssh instead.

step "plink login: Ed25519 certificate from the agent, trusted through TrustedUserCAKeys"
start_sshd
cp "$LK_DATA/ca/ca-ed25519" "$LK_DATA/ca/ca-ed25519.pub" "$TMP/"
chmod 600 "$TMP/ca-ed25519"
ssh-keygen -q -s "$TMP/ca-ed25519" -I latchkey-it-plink -n "$SSHD_PRINCIPAL" -V -5m:+1h -z 400 "$KEYS/ed25519.pub"
cp "$TMP/ca-ed25519.pub" "$SSHD_DIR/trusted_user_ca_keys"
: >"$SSHD_DIR/authorized_keys"
assert_rc 0 ssh-add -D
assert_rc 0 ssh-add "$KEYS/ed25519"
plink_login || fail "plink login with a certificate failed: $OUT
--- sshd log:
$(tail -n 20 "$SSHD_LOG")"
assert_eq ok "$OUT" "remote 'echo ok' through plink with a certificate"
wait_until 5 "sshd to log the certificate login" sshd_accepted ED25519-CERT \
    "$(ssh-keygen -lf "$KEYS/ed25519-cert.pub" | cut -d' ' -f2)"

step "plink login fails when the agent holds no authorized key"
assert_rc 0 ssh-add -D
assert_rc 0 ssh-add -k "$KEYS/ecdsa-256"
cat "$KEYS/rsa-2048.pub" >"$SSHD_DIR/authorized_keys"
: >"$SSHD_DIR/trusted_user_ca_keys"
! plink_login || fail "plink logged in without an authorized key in the agent"
