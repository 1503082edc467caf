#!/usr/bin/env bash
# ssh-add -h against the agent under test: a key restricted to a destination logs into that sshd only,
# which needs the agent to verify ssh's session-bind@openssh.com. Then three more sshds with their own
# host keys: allowed and refused hosts, users, `ssh -A` hops (a>b), and a host certificate whose CA is
# an @cert-authority line of known_hosts.
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


# --- Three more sshds with their own host keys: a and b plain, c with a host certificate ---
KH=$TMP/hops_known_hosts
ssh-keygen -q -t ed25519 -N '' -C latchkey-it-host-ca -f "$TMP/host_ca"
mkdir -p "$SSHD_DIR/c"
ssh-keygen -q -t ed25519 -N '' -C latchkey-it-c -f "$SSHD_DIR/c/host_ed25519"
ssh-keygen -q -s "$TMP/host_ca" -h -I latchkey-it-c -n host-c -V -5m:+1h "$SSHD_DIR/c/host_ed25519.pub"
start_host_sshd a
start_host_sshd b
start_host_sshd c "HostCertificate $SSHD_DIR/c/host_ed25519-cert.pub"
{
    echo "host-a $(cat "${HOST_KEY[a]}")"
    echo "host-b $(cat "${HOST_KEY[b]}")"
    echo "@cert-authority host-c $(cat "$TMP/host_ca.pub")"
} >"$KH"

# The ssh options of every login below: the agent only, hosts checked against $KH under their alias.
ssh_options() { # NAME
    printf '%s\n' -F /dev/null -o IdentitiesOnly=no -o IdentityFile=none -o BatchMode=yes \
        -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o ConnectTimeout=10 \
        -o UserKnownHostsFile="$KH" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
        -o HostKeyAlias="host-$1" -o LogLevel=ERROR -p "${HOST_PORT[$1]}"
}

# login_to NAME: ssh into sshd NAME and run `echo ok`; output in $OUT, ssh's status returned.
login_to() {
    local rc=0 options
    mapfile -t options < <(ssh_options "$1")
    OUT=$(ssh "${options[@]}" "$LOGIN_USER@127.0.0.1" echo ok 2>&1) || rc=$?
    return "$rc"
}

# hop FROM TO: ssh -A into sshd FROM and, from there, with the forwarded agent, into sshd TO, which runs
# `echo hop-ok`; output in $OUT, the outer ssh's status (the inner one's passes through) returned.
hop() {
    local rc=0 outer inner
    mapfile -t outer < <(ssh_options "$1")
    mapfile -t inner < <(ssh_options "$2")
    OUT=$(ssh -A "${outer[@]}" "$LOGIN_USER@127.0.0.1" \
        "$(printf '%q ' ssh "${inner[@]}" "$LOGIN_USER@127.0.0.1" echo hop-ok)" 2>&1) || rc=$?
    return "$rc"
}

# restrict ARGS...: the agent holds only keys/ed25519, added with these ssh-add -h arguments.
restrict() {
    assert_rc 0 ssh-add -D
    local args=() destination
    for destination in "$@"; do
        args+=(-h "$destination")
    done
    assert_rc 0 ssh-add -k "${args[@]}" -H "$KH" "$KEYS/ed25519"
}

step "ssh-add -h host-a: the key logs into a, not into b or c"
restrict host-a
login_to a || fail "login to a with a key restricted to host-a failed: $OUT"
assert_eq ok "$OUT" "login to a"
! login_to b || fail "a key restricted to host-a logged into b"
assert_contains "$OUT" "Permission denied (publickey)" "b's refusal"
! login_to c || fail "a key restricted to host-a logged into c"
assert_contains "$OUT" "Permission denied (publickey)" "c's refusal"

step "ssh-add -h host-a -h host-b: both, each with its own host key"
restrict host-a host-b
login_to a || fail "login to a failed: $OUT"
login_to b || fail "login to b failed: $OUT"
! login_to c || fail "a key restricted to host-a and host-b logged into c"

step "ssh-add -h user@host: only that user"
restrict "$LOGIN_USER@host-a"
login_to a || fail "login as $LOGIN_USER to a with a key restricted to $LOGIN_USER@host-a failed: $OUT"
restrict "someone-else@host-a"
! login_to a || fail "a key restricted to someone-else@host-a logged in as $LOGIN_USER"
assert_contains "$OUT" "Permission denied (publickey)" "a's refusal of another user"

step "ssh -A through a to b: allowed by 'host-a>host-b'"
restrict host-a "host-a>host-b"
hop a b || fail "the hop a>b with a key restricted to host-a and host-a>host-b failed: $OUT"
assert_eq hop-ok "$OUT" "the command run on b through a"
grep -q "Accepted publickey for $LOGIN_USER" "${HOST_LOG[b]}" || fail "b's log shows no publickey login"

step "ssh -A through a to b: refused without 'host-a>host-b', and for another user on b"
restrict host-a
login_to a || fail "login to a failed: $OUT"
! hop a b || fail "a key restricted to host-a alone was usable from a to b"
assert_contains "$OUT" "Permission denied (publickey)" "b's refusal of the forwarded key"
restrict host-a "host-a>someone-else@host-b"
! hop a b || fail "a key restricted to host-a>someone-else@host-b logged into b as $LOGIN_USER"
restrict host-a "host-a>host-c"
! hop a b || fail "a key restricted to host-a>host-c was usable from a to b"

step "@cert-authority: a host certificate signed by the CA in known_hosts"
restrict host-c
login_to c || fail "login to c (host certificate from the listed CA) failed: $OUT"
assert_eq ok "$OUT" "login to c"
grep -q "host-c" <<<"$(ssh-keygen -Lf "$SSHD_DIR/c/host_ed25519-cert.pub")" || fail "c's certificate lacks principal host-c"
! login_to a || fail "a key restricted to the CA of host-c logged into a"
assert_contains "$OUT" "Permission denied (publickey)" "a's refusal"
