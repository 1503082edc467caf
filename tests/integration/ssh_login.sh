#!/usr/bin/env bash
# OpenSSH's ssh logs into a local sshd with keys that only the agent under test holds: every key type, RSA
# with each signature algorithm forced on both sides, and certificates trusted through TrustedUserCAKeys.
source "$(dirname "$0")/lib.sh"
lk_init
source "$(dirname "$0")/sshd.sh"

KEYS=$TMP/keys
copy_keys "$KEYS"
# Fresh certificates for every key type (the committed ones expire): the key and .pub next to each.
CERTS=$TMP/certs
mkdir -p "$CERTS"
cp "$LK_DATA"/ca/* "$CERTS"/
chmod 600 "$CERTS"/ca-ed25519 "$CERTS"/ca-rsa-2048
serial=100
for name in "${KEY_NAMES[@]}"; do
    cp "$KEYS/$name" "$KEYS/$name.pub" "$CERTS"/
    ssh-keygen -q -s "$CERTS/ca-ed25519" -I "latchkey-it-$name" -n "$SSHD_PRINCIPAL" -V -5m:+1h \
        -z $((serial++)) "$CERTS/$name.pub"
done
cp "$KEYS/ed25519" "$CERTS/ed25519-rsa-ca"
cp "$KEYS/ed25519.pub" "$CERTS/ed25519-rsa-ca.pub"
ssh-keygen -q -s "$CERTS/ca-rsa-2048" -I latchkey-it-rsa-ca -n "$SSHD_PRINCIPAL" -V -5m:+1h -z 200 \
    "$CERTS/ed25519-rsa-ca.pub"
cp "$KEYS/ed25519" "$CERTS/ed25519-forever"
cp "$LK_DATA/certs/ed25519-forever-cert.pub" "$CERTS/ed25519-forever-cert.pub"
cat "$CERTS/ca-ed25519.pub" "$CERTS/ca-rsa-2048.pub" >"$SSHD_DIR/trusted_user_ca_keys"

start_agent agent
export SSH_AUTH_SOCK=$AGENT_SOCK

# login_with FILE LABEL [ssh -o OPTIONS...]: the agent holds only FILE's key (and FILE-cert.pub if present);
# authorized_keys holds FILE.pub unless FILE is under $CERTS (then only the CA can vouch for it).
# ssh must log in and sshd must log the key (or certificate) it accepted.
login_with() {
    local file=$1 label=$2
    shift 2
    step "ssh login: $label"
    assert_rc 0 ssh-add -D
    local accepted=$file.pub
    if [[ "$file" == "$CERTS"/* ]]; then
        : >"$SSHD_DIR/authorized_keys"
        assert_rc 0 ssh-add "$file"
        accepted=$file-cert.pub
    else
        cat "$file.pub" >"$SSHD_DIR/authorized_keys"
        assert_rc 0 ssh-add -k "$file"
    fi
    local fp type
    fp=$(ssh-keygen -lf "$accepted" | cut -d' ' -f2)
    type=$(ssh-keygen -lf "$accepted" | sed 's/.*(\(.*\))$/\1/')
    ssh_login "$@" || fail "ssh login with $label failed: $OUT
--- sshd log:
$(tail -n 20 "$SSHD_LOG")"
    assert_eq ok "$OUT" "remote 'echo ok' through ssh"
    wait_until 5 "sshd to log the accepted $type key $fp" sshd_accepted "$type" "$fp"
}

# login_refused FILE LABEL [ssh -o OPTIONS...]: same set-up, but the login must fail.
login_refused() {
    local file=$1 label=$2
    shift 2
    step "ssh login refused: $label"
    assert_rc 0 ssh-add -D
    cat "$file.pub" >"$SSHD_DIR/authorized_keys"
    assert_rc 0 ssh-add -k "$file"
    ! ssh_login "$@" || fail "ssh login with $label succeeded but must not"
    assert_contains "$OUT" "Permission denied (publickey)" "ssh's refusal"
}

start_sshd
for name in ed25519 ecdsa-256 ecdsa-384 ecdsa-521 rsa-2048 rsa-4096; do
    login_with "$KEYS/$name" "$name key (default algorithms)"
    login_with "$CERTS/$name" "$name certificate from the Ed25519 CA"
done
login_with "$CERTS/ed25519-rsa-ca" "ed25519 certificate from the RSA CA"
login_with "$CERTS/ed25519-forever" "committed certs/ed25519-forever-cert.pub"
login_refused "$KEYS/dsa-1024" "dsa-1024 while ssh-dss is disabled (9.2 default)" \
    -o PubkeyAcceptedAlgorithms=+ssh-dss,ssh-dss-cert-v01@openssh.com

start_sshd "PubkeyAcceptedAlgorithms +ssh-dss,ssh-dss-cert-v01@openssh.com"
login_with "$KEYS/dsa-1024" "dsa-1024 key, ssh-dss enabled on both sides" \
    -o PubkeyAcceptedAlgorithms=+ssh-dss,ssh-dss-cert-v01@openssh.com
login_with "$CERTS/dsa-1024" "dsa-1024 certificate, ssh-dss enabled on both sides" \
    -o PubkeyAcceptedAlgorithms=+ssh-dss,ssh-dss-cert-v01@openssh.com

for alg in rsa-sha2-512 rsa-sha2-256 ssh-rsa; do
    start_sshd "PubkeyAcceptedAlgorithms $alg,$alg-cert-v01@openssh.com"
    login_with "$KEYS/rsa-2048" "rsa-2048 key, only $alg on both sides" \
        -o PubkeyAcceptedAlgorithms="$alg,$alg-cert-v01@openssh.com"
    login_with "$CERTS/rsa-2048" "rsa-2048 certificate, only $alg-cert-v01 on both sides" \
        -o PubkeyAcceptedAlgorithms="$alg,$alg-cert-v01@openssh.com"
    login_with "$KEYS/rsa-4096" "rsa-4096 key, only $alg on both sides" \
        -o PubkeyAcceptedAlgorithms="$alg,$alg-cert-v01@openssh.com"
done

start_sshd
step "ssh -A: the far side lists the agent's keys through the forwarded agent"
assert_rc 0 ssh-add -D
assert_rc 0 ssh-add -k "$KEYS/ed25519"
assert_rc 0 ssh-add -k "$KEYS/ecdsa-256"
cat "$KEYS/ed25519.pub" >"$SSHD_DIR/authorized_keys"
rc=0
OUT=$(ssh -F /dev/null -A -o IdentitiesOnly=no -o IdentityFile=none -o BatchMode=yes -o LogLevel=ERROR \
    -o UserKnownHostsFile="$SSHD_DIR/known_hosts" -o StrictHostKeyChecking=accept-new \
    -o KexAlgorithms=curve25519-sha256 -p "$SSHD_PORT" "$LOGIN_USER@127.0.0.1" \
    'test -S "$SSH_AUTH_SOCK" && ssh-add -L' 2>&1) || rc=$?
[ "$rc" -eq 0 ] || fail "ssh -A ... ssh-add -L exited $rc: $OUT"
assert_eq "$(cat "$KEYS/ed25519.pub" "$KEYS/ecdsa-256.pub")" "$OUT" "ssh-add -L through the forwarded agent"

step "ssh -A, second hop: the far side logs in again with the forwarded agent"
cat "$KEYS/ecdsa-256.pub" >"$SSHD_DIR/authorized_keys"
hop2="ssh -F /dev/null -o IdentitiesOnly=no -o IdentityFile=none -o BatchMode=yes -o LogLevel=ERROR"
hop2+=" -o UserKnownHostsFile=$SSHD_DIR/known_hosts -o StrictHostKeyChecking=accept-new"
hop2+=" -p $SSHD_PORT $LOGIN_USER@127.0.0.1 echo hop2"
cat "$KEYS/ed25519.pub" >>"$SSHD_DIR/authorized_keys"
rc=0
OUT=$(ssh -F /dev/null -A -o IdentitiesOnly=no -o IdentityFile=none -o BatchMode=yes -o LogLevel=ERROR \
    -o UserKnownHostsFile="$SSHD_DIR/known_hosts" -o StrictHostKeyChecking=accept-new \
    -o KexAlgorithms=curve25519-sha256 -p "$SSHD_PORT" "$LOGIN_USER@127.0.0.1" "$hop2" 2>&1) || rc=$?
[ "$rc" -eq 0 ] || fail "two-hop login through the forwarded agent exited $rc: $OUT"
assert_eq hop2 "$OUT" "second hop through the forwarded agent"

step "ssh picks the authorized key out of all keys and certificates in the agent"
assert_rc 0 ssh-add -D
for name in "${KEY_NAMES[@]}"; do
    assert_rc 0 ssh-add "$KEYS/$name"
done
cat "$KEYS/rsa-4096.pub" >"$SSHD_DIR/authorized_keys"
ssh_login || fail "ssh login with a full agent failed: $OUT"
assert_eq ok "$OUT" "remote 'echo ok' with a full agent"
