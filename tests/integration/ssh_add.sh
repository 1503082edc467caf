#!/usr/bin/env bash
# OpenSSH's ssh-add against the agent under test: every key type and certificate, -l/-L/-T/-d/-dk/-D/-t/-x/-X
# and ssh-add's exit codes.
source "$(dirname "$0")/lib.sh"
lk_init

KEYS=$TMP/keys
copy_keys "$KEYS"
cd "$KEYS"

step "ssh-add -l exit codes without an agent"
SSH_AUTH_SOCK=$TMP/no-such.sock assert_rc 2 ssh-add -l
assert_contains "$OUT" "Error connecting to agent" "ssh-add -l, no agent"
assert_rc 2 env -u SSH_AUTH_SOCK ssh-add -l

start_agent agent
export SSH_AUTH_SOCK=$AGENT_SOCK

step "ssh-add -l/-L on an empty agent exit 1"
assert_rc 1 ssh-add -l
assert_eq "The agent has no identities." "$OUT" "ssh-add -l, empty agent"
assert_rc 1 ssh-add -L
assert_eq "The agent has no identities." "$OUT" "ssh-add -L, empty agent"

# expected_list NAME...: what -l and -L must print after `ssh-add NAME...` (each key, then its certificate).
expected_list() {
    EXPECT_L=
    EXPECT_BIG_L=
    local name
    for name in "$@"; do
        EXPECT_L+=$(ssh-keygen -lf "$name.pub")$'\n'$(ssh-keygen -lf "$name-cert.pub")$'\n'
        EXPECT_BIG_L+=$(cat "$name.pub")$'\n'$(cat "$name-cert.pub")$'\n'
    done
    EXPECT_L=${EXPECT_L%$'\n'}
    EXPECT_BIG_L=${EXPECT_BIG_L%$'\n'}
}

step "ssh-add every key type with its certificate"
assert_rc 0 ssh-add "${KEY_NAMES[@]}"
for name in "${KEY_NAMES[@]}"; do
    assert_contains "$OUT" "Identity added: $name (latchkey-test-$name)" "ssh-add output"
    assert_contains "$OUT" "Certificate added: $name-cert.pub (latchkey-test-$name)" "ssh-add output"
done

step "ssh-add -l equals ssh-keygen -lf of each .pub and -cert.pub, in the order added"
expected_list "${KEY_NAMES[@]}"
assert_rc 0 ssh-add -l
assert_eq "$EXPECT_L" "$OUT" "ssh-add -l"

step "ssh-add -L equals the .pub and -cert.pub files, in the order added"
assert_rc 0 ssh-add -L
assert_eq "$EXPECT_BIG_L" "$OUT" "ssh-add -L"

step "ssh-add -E md5 -l"
assert_rc 0 ssh-add -E md5 -l
expect_md5=
for name in "${KEY_NAMES[@]}"; do
    expect_md5+=$(ssh-keygen -E md5 -lf "$name.pub")$'\n'$(ssh-keygen -E md5 -lf "$name-cert.pub")$'\n'
done
assert_eq "${expect_md5%$'\n'}" "$OUT" "ssh-add -E md5 -l"

step "ssh-add -T signs and verifies with every key and certificate"
for name in "${KEY_NAMES[@]}"; do
    assert_rc 0 ssh-add -T "$name.pub"
    assert_rc 0 ssh-add -T "$name-cert.pub"
done

step "adding a key again keeps one copy and its place"
assert_rc 0 ssh-add "${KEY_NAMES[0]}"
assert_rc 0 ssh-add -L
assert_eq "$EXPECT_BIG_L" "$OUT" "ssh-add -L after re-adding ${KEY_NAMES[0]}"

step "ssh-add -dk removes the plain key and keeps its certificate"
assert_rc 0 ssh-add -dk ed25519
assert_contains "$OUT" "Identity removed: ed25519 ED25519 (latchkey-test-ed25519)" "ssh-add -dk output"
assert_rc 0 ssh-add -L
[[ "$OUT" != *"$(cat ed25519.pub)"* ]] || fail "ssh-add -dk ed25519 left the plain key in the agent"
assert_contains "$OUT" "$(cat ed25519-cert.pub)" "ssh-add -dk ed25519 must keep the certificate"
assert_rc 1 ssh-add -T ed25519.pub
assert_rc 0 ssh-add -T ed25519-cert.pub

step "ssh-add -d - removes a certificate read from stdin, and only it"
assert_rc 0 sh -c 'ssh-add -d - < rsa-2048-cert.pub'
assert_contains "$OUT" "Identity removed: (stdin) RSA-CERT (latchkey-test-rsa-2048)" "ssh-add -d - output"
assert_rc 0 ssh-add -L
[[ "$OUT" != *"$(cat rsa-2048-cert.pub)"* ]] || fail "ssh-add -d - < rsa-2048-cert.pub left the certificate"
assert_contains "$OUT" "$(cat rsa-2048.pub)" "ssh-add -d - of the certificate must keep the plain key"

step "ssh-add -d - removes a plain public key read from stdin"
assert_rc 0 sh -c 'ssh-add -d - < rsa-2048.pub'
assert_rc 0 ssh-add -L
[[ "$OUT" != *"$(cat rsa-2048.pub)"* ]] || fail "ssh-add -d - < rsa-2048.pub left the key"

step "ssh-add -d removes a key and its certificate"
assert_rc 0 ssh-add -d ecdsa-384
assert_rc 0 ssh-add -L
[[ "$OUT" != *"$(cat ecdsa-384.pub)"* ]] || fail "ssh-add -d ecdsa-384 left the key"
[[ "$OUT" != *"$(cat ecdsa-384-cert.pub)"* ]] || fail "ssh-add -d ecdsa-384 left the certificate"

step "ssh-add -d of a key the agent does not hold fails"
assert_rc 1 ssh-add -d ecdsa-384.pub

step "the remaining keys are listed in their original order"
expect=$(cat ed25519-cert.pub ecdsa-256.pub ecdsa-256-cert.pub ecdsa-521.pub ecdsa-521-cert.pub \
    rsa-4096.pub rsa-4096-cert.pub dsa-1024.pub dsa-1024-cert.pub)
assert_rc 0 ssh-add -L
assert_eq "$expect" "$OUT" "ssh-add -L after removals"

step "ssh-add -D removes everything"
assert_rc 0 ssh-add -D
assert_contains "$OUT" "All identities removed." "ssh-add -D output"
assert_rc 1 ssh-add -l

step "ssh-add -k adds plain keys only; ssh-add - reads a private key from stdin"
assert_rc 0 ssh-add -k ecdsa-256
assert_rc 0 sh -c 'ssh-add - < ed25519'
assert_rc 0 ssh-add -L
assert_eq "$(cat ecdsa-256.pub ed25519.pub)" "$OUT" "ssh-add -k / ssh-add -"
assert_rc 0 ssh-add -D

step "ssh-add -t 2: the key is gone within a second of its expiry, the one added without -t stays"
assert_rc 0 ssh-add -k ed25519
timed_add 2 -k -t 2 ecdsa-256
assert_rc 0 ssh-add -L
assert_eq "$(cat ed25519.pub ecdsa-256.pub)" "$OUT" "ssh-add -L right after ssh-add -t 2"
only_ed25519() { [ "$(ssh-add -L)" == "$(cat ed25519.pub)" ]; }
await_expiry "the key added with -t 2" only_ed25519
assert_rc 0 ssh-add -T ed25519.pub
assert_rc 0 ssh-add -D

step "ssh-add -x locks (passphrase through SSH_ASKPASS, no terminal)"
askpass_script "$TMP/askpass-good" latchkey-test-passphrase
askpass_script "$TMP/askpass-bad" wrong-passphrase
askpass_script "$TMP/askpass-empty" ""
export DISPLAY=:0 SSH_ASKPASS_REQUIRE=force
assert_rc 0 ssh-add rsa-2048
SSH_ASKPASS=$TMP/askpass-good assert_rc 0 no_tty ssh-add -x
assert_contains "$OUT" "Agent locked." "ssh-add -x output"

step "a locked agent lists nothing, refuses to sign and to add"
assert_rc 1 ssh-add -l
assert_eq "The agent has no identities." "$OUT" "ssh-add -l while locked"
assert_rc 1 ssh-add -T rsa-2048.pub
assert_rc 1 ssh-add ed25519

step "locking a locked agent fails"
SSH_ASKPASS=$TMP/askpass-good assert_rc 1 no_tty ssh-add -x
assert_contains "$OUT" "Failed to lock agent" "second ssh-add -x"

step "ssh-add -X with the wrong passphrase fails and the agent stays locked"
SSH_ASKPASS=$TMP/askpass-bad assert_rc 1 no_tty ssh-add -X
assert_contains "$OUT" "Failed to unlock agent" "ssh-add -X, wrong passphrase"
assert_rc 1 ssh-add -l

step "ssh-add -X with the right passphrase unlocks; keys are back"
SSH_ASKPASS=$TMP/askpass-good assert_rc 0 no_tty ssh-add -X
assert_contains "$OUT" "Agent unlocked." "ssh-add -X output"
assert_rc 0 ssh-add -L
assert_eq "$(cat rsa-2048.pub rsa-2048-cert.pub)" "$OUT" "keys after unlock"
assert_rc 0 ssh-add -T rsa-2048.pub

step "ssh-add -X on an unlocked agent fails"
SSH_ASKPASS=$TMP/askpass-good assert_rc 1 no_tty ssh-add -X

step "ssh-add -x with an empty passphrase is refused"
SSH_ASKPASS=$TMP/askpass-empty assert_rc 1 no_tty ssh-add -x
assert_rc 0 ssh-add -l
assert_rc 0 ssh-add -D
unset DISPLAY SSH_ASKPASS_REQUIRE
