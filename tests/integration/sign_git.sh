#!/usr/bin/env bash
# SSHSIG through the agent under test: `ssh-keygen -Y sign` with only public keys on disk, verified by
# `ssh-keygen -Y verify`; then git commits and tags signed with gpg.format=ssh and checked by git itself.
source "$(dirname "$0")/lib.sh"
lk_init
require git

KEYS=$TMP/keys
copy_keys "$KEYS"
PUB=$TMP/pub
mkdir -p "$PUB"
for name in "${KEY_NAMES[@]}"; do
    cp "$KEYS/$name.pub" "$PUB/"
done
# A fresh certificate for the Ed25519 key (principal alice) and a key the agent never sees.
cp "$LK_DATA/ca/ca-ed25519" "$LK_DATA/ca/ca-ed25519.pub" "$TMP/"
chmod 600 "$TMP/ca-ed25519"
cp "$KEYS/ed25519.pub" "$PUB/ed25519-alice.pub"
ssh-keygen -q -s "$TMP/ca-ed25519" -I latchkey-it-alice -n alice -V -5m:+1h -z 300 "$PUB/ed25519-alice.pub"
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$TMP/stranger"
rm "$TMP/stranger"

start_agent agent
export SSH_AUTH_SOCK=$AGENT_SOCK
for name in "${KEY_NAMES[@]}"; do
    assert_rc 0 ssh-add -k "$KEYS/$name"
done
cp "$PUB/ed25519-alice-cert.pub" "$KEYS/ed25519-cert.pub"
assert_rc 0 ssh-add "$KEYS/ed25519"

echo "a message signed through the agent" >"$TMP/msg"
echo "a different message" >"$TMP/other"
: >"$TMP/allowed_signers"
for name in "${KEY_NAMES[@]}"; do
    echo "$name@example.com $(cat "$PUB/$name.pub")" >>"$TMP/allowed_signers"
done
echo "alice cert-authority $(cat "$TMP/ca-ed25519.pub")" >>"$TMP/allowed_signers"

for name in "${KEY_NAMES[@]}"; do
    step "ssh-keygen -Y sign with $name.pub (private key only in the agent), -Y verify"
    rm -f "$TMP/msg.sig"
    assert_rc 0 ssh-keygen -Y sign -f "$PUB/$name.pub" -n file "$TMP/msg"
    [ -s "$TMP/msg.sig" ] || fail "ssh-keygen -Y sign wrote no signature"
    assert_rc 0 sh -c "ssh-keygen -Y verify -f '$TMP/allowed_signers' -I '$name@example.com' -n file -s '$TMP/msg.sig' < '$TMP/msg'"
    assert_contains "$OUT" "Good \"file\" signature for $name@example.com" "ssh-keygen -Y verify"
    assert_rc 255 sh -c "ssh-keygen -Y verify -f '$TMP/allowed_signers' -I '$name@example.com' -n file -s '$TMP/msg.sig' < '$TMP/other'"
    assert_rc 255 sh -c "ssh-keygen -Y verify -f '$TMP/allowed_signers' -I '$name@example.com' -n git -s '$TMP/msg.sig' < '$TMP/msg'"
    assert_rc 0 sh -c "ssh-keygen -Y find-principals -f '$TMP/allowed_signers' -s '$TMP/msg.sig'"
    assert_eq "$name@example.com" "$OUT" "ssh-keygen -Y find-principals"
done

step "ssh-keygen -Y sign with a certificate held by the agent, verified through cert-authority"
rm -f "$TMP/msg.sig"
assert_rc 0 ssh-keygen -Y sign -f "$PUB/ed25519-alice-cert.pub" -n file "$TMP/msg"
assert_rc 0 sh -c "ssh-keygen -Y verify -f '$TMP/allowed_signers' -I alice -n file -s '$TMP/msg.sig' < '$TMP/msg'"
assert_contains "$OUT" "Good \"file\" signature for alice with ED25519-CERT key" "certificate signature"

step "ssh-keygen -Y sign with a key the agent does not hold fails"
rm -f "$TMP/msg.sig"
rc=0
ssh-keygen -Y sign -f "$TMP/stranger.pub" -n file "$TMP/msg" >/dev/null 2>&1 </dev/null || rc=$?
[ "$rc" -ne 0 ] || fail "ssh-keygen -Y sign succeeded with a key that is nowhere"
[ ! -s "$TMP/msg.sig" ] || fail "ssh-keygen -Y sign wrote a signature for a key that is nowhere"

# git with a private config: no system or global files, a fixed identity.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$TMP/gitconfig
export GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com
export GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=alice@example.com
REPO=$TMP/repo
git init -q "$REPO"
git -C "$REPO" config gpg.format ssh
git -C "$REPO" config gpg.ssh.allowedSignersFile "$TMP/git_allowed_signers"
git -C "$REPO" config commit.gpgsign false

for name in ed25519 ecdsa-256 rsa-2048; do
    step "git commit -S and git tag -s with gpg.format=ssh, user.signingkey=$name.pub"
    echo "alice@example.com $(cat "$PUB/$name.pub")" >"$TMP/git_allowed_signers"
    git -C "$REPO" config user.signingkey "$PUB/$name.pub"
    assert_rc 0 git -C "$REPO" commit -q -S --allow-empty -m "signed with $name"
    assert_rc 0 git -C "$REPO" verify-commit HEAD
    assert_contains "$OUT" "Good \"git\" signature for alice@example.com" "git verify-commit"
    assert_rc 0 git -C "$REPO" log -1 --format=%G? HEAD
    assert_eq G "$OUT" "git log --format=%G?"
    assert_rc 0 git -C "$REPO" tag -s -m "tag $name" "t-$name"
    assert_rc 0 git -C "$REPO" verify-tag "t-$name"
    assert_contains "$OUT" "Good \"git\" signature for alice@example.com" "git verify-tag"
done

step "git verify-commit rejects a commit signed by a key the allowed signers do not list"
echo "alice@example.com $(cat "$PUB/ed25519.pub")" >"$TMP/git_allowed_signers"
assert_rc 1 git -C "$REPO" verify-commit HEAD

step "git commit -S with a key the agent does not hold fails"
git -C "$REPO" config user.signingkey "$TMP/stranger.pub"
rc=0
git -C "$REPO" commit -q -S --allow-empty -m "must not exist" >/dev/null 2>&1 </dev/null || rc=$?
[ "$rc" -ne 0 ] || fail "git commit -S succeeded with a key that is nowhere"
