#!/usr/bin/env bash
# ssh-add -c against the agent under test: every signature with the key runs the agent's SSH_ASKPASS
# with SSH_ASKPASS_PROMPT=confirm; "yes" signs, anything else refuses. The prompt (the askpass argument)
# names the key and, from latchkeyd, the requesting process and the bound host by its known_hosts name.
source "$(dirname "$0")/lib.sh"
lk_init

KEYS=$TMP/keys
copy_keys "$KEYS"
cd "$KEYS"

step "ssh-add -c: every signature asks the agent's SSH_ASKPASS; yes signs, no refuses"
confirm=$TMP/confirm
cat >"$confirm" <<EOF
#!/bin/sh
printf '%s|%s\n' "\$SSH_ASKPASS_PROMPT" "\$*" >>"$TMP/confirm.log"
[ "\$(cat "$TMP/confirm-answer")" = yes ] || exit 1
echo yes
EOF
chmod 700 "$confirm"
echo yes >"$TMP/confirm-answer"
DISPLAY=:0 SSH_ASKPASS=$confirm SSH_ASKPASS_REQUIRE=force start_agent confirm-agent
export SSH_AUTH_SOCK=$AGENT_SOCK
assert_rc 0 ssh-add -k -c ed25519
assert_rc 0 ssh-add -T ed25519.pub
[ -s "$TMP/confirm.log" ] || fail "signing with a -c key did not run the agent's SSH_ASKPASS"
assert_contains "$(cat "$TMP/confirm.log")" "confirm|" "SSH_ASKPASS_PROMPT of the confirmation"
assert_contains "$(cat "$TMP/confirm.log")" "latchkey-test-ed25519" "the confirmation names the key"
echo no >"$TMP/confirm-answer"
assert_rc 1 ssh-add -T ed25519.pub

step "the prompt names the key, the requesting ssh and the bound host by its known_hosts alias"
source "$LK_ROOT/tests/integration/sshd.sh"
start_sshd
cat "$KEYS/ed25519.pub" >"$SSHD_DIR/authorized_keys"
mkdir -p "$HOME/.ssh"
echo "lk-confirm-host $(cut -d' ' -f1,2 "$SSHD_DIR/host_ed25519.pub")" >"$HOME/.ssh/known_hosts"
echo yes >"$TMP/confirm-answer"
: >"$TMP/confirm.log"
ssh_login || fail "ssh login with a confirmed key failed: $OUT"
assert_eq ok "$OUT" "ssh login with a confirmed key"
prompt=$(cat "$TMP/confirm.log")
echo "    the prompt: ${prompt//$'\n'/ / }"
assert_contains "$prompt" "confirm|" "SSH_ASKPASS_PROMPT of the login's confirmation"
assert_contains "$prompt" "latchkey-test-ed25519" "the prompt names the key"
if agent_is_latchkeyd; then
    assert_contains "$prompt" "ssh (pid" "the prompt names the requesting ssh"
    assert_contains "$prompt" "for host lk-confirm-host ($SSHD_HOSTKEY_FP)" "the prompt names the bound host"
else
    echo "    (OpenSSH's ssh-agent names neither the process nor the host: those checks are latchkeyd's only)"
fi

step "a request through a forwarded agent says so"
: >"$TMP/confirm.log"
OUT=$(ssh -F /dev/null -A -o IdentitiesOnly=no -o IdentityFile=none -o BatchMode=yes \
    -o UserKnownHostsFile="$SSHD_DIR/known_hosts" -o StrictHostKeyChecking=accept-new -o LogLevel=ERROR \
    -p "$SSHD_PORT" "$LOGIN_USER@127.0.0.1" "$(printf '%q ' ssh-add -T "$KEYS/ed25519.pub")" 2>&1) ||
    fail "ssh-add -T through the forwarded agent failed: $OUT"
prompt=$(cat "$TMP/confirm.log")
assert_contains "$prompt" "latchkey-test-ed25519" "the forwarded request's prompt names the key"
if agent_is_latchkeyd; then
    assert_contains "$prompt" "forwarded from host lk-confirm-host ($SSHD_HOSTKEY_FP)" "the prompt says forwarded"
else
    echo "    (OpenSSH's ssh-agent does not say where a request comes from: checked for latchkeyd only)"
fi
