#!/usr/bin/env bash
# ssh-add -c against the agent under test: every signature with the key runs the agent's SSH_ASKPASS
# with SSH_ASKPASS_PROMPT=confirm; "yes" signs, anything else refuses.
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
