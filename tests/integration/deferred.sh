#!/usr/bin/env bash
# Keys decrypted on first use (latchkey only): PuTTY's `pageant -a --encrypted` and latchkey's
# add-encrypted@latchkey.invalid load a still-encrypted key; it is listed at once, the first ssh login
# asks the agent's SSH_ASKPASS for the passphrase, later ones do not; a wrong passphrase fails that
# login and the next asks again; re-encryption (pageant -r/-R) and ssh-add -x/-X make it ask again;
# `latchkey add --deferred` does the same for OpenSSH and .ppk files, and `latchkey list` shows the state.
source "$(dirname "$0")/lib.sh"
lk_init
require pageant puttygen python3
source "$(dirname "$0")/sshd.sh"

KEYS=$TMP/keys
mkdir -p "$KEYS"
cd "$KEYS"
PASSPHRASE='deferred test passphrase'
printf '%s\n' "$PASSPHRASE" >"$TMP/passphrase"
puttygen -q -t ed25519 -C latchkey-deferred-ppk -o key.ppk --new-passphrase "$TMP/passphrase"
puttygen -q -L key.ppk -o key.pub
ssh-keygen -q -t ecdsa -b 256 -N "$PASSPHRASE" -C latchkey-deferred-openssh -f id_ecdsa

# The agent's askpass: records SSH_ASKPASS_PROMPT and its argument, prints the passphrase in $TMP/answer.
askpass=$TMP/askpass
cat >"$askpass" <<EOF
#!/bin/sh
printf '%s|%s\n' "\${SSH_ASKPASS_PROMPT-unset}" "\$*" | tr '\n' ' ' >>"$TMP/askpass.log"
echo >>"$TMP/askpass.log"
cat "$TMP/answer"
EOF
chmod 700 "$askpass"
: >"$TMP/askpass.log"
printf '%s\n' "$PASSPHRASE" >"$TMP/answer"
prompts() { grep -c . "$TMP/askpass.log" || true; }

SSH_ASKPASS=$askpass start_agent agent
export SSH_AUTH_SOCK=$AGENT_SOCK
start_sshd
cat key.pub id_ecdsa.pub >"$SSHD_DIR/authorized_keys"

step "pageant -a --encrypted loads a .ppk without asking; ssh-add -l lists it at once"
assert_rc 0 env -u DISPLAY pageant -a --encrypted key.ppk
fp=$(ssh-keygen -lf key.pub | cut -d' ' -f2)
assert_rc 0 ssh-add -l
assert_contains "$OUT" "$fp latchkey-deferred-ppk (ED25519)" "ssh-add -l lists the deferred key"
assert_eq 0 "$(prompts)" "prompts while adding"
assert_rc 0 env -u DISPLAY pageant -l
assert_contains "$OUT" "latchkey-deferred-ppk (encrypted)" "pageant -l (list-extended) shows it still encrypted"

step "the first ssh login asks for the passphrase, naming the key and who asks; the second does not"
ssh_login || fail "first login with the deferred key failed: $OUT
--- agent log:
$(tail -n 20 "$TMP/agent.log")"
assert_eq ok "$OUT" "remote 'echo ok'"
wait_until 5 "sshd to log the deferred key" sshd_accepted ED25519 "$fp"
assert_eq 1 "$(prompts)" "prompts after the first login"
log=$(cat "$TMP/askpass.log")
assert_contains "$log" "unset|" "SSH_ASKPASS_PROMPT is unset for a passphrase"
assert_contains "$log" "latchkey-deferred-ppk" "the prompt names the key's comment"
assert_contains "$log" "$fp" "the prompt names the key's fingerprint"
assert_contains "$log" "Requested by ssh (pid" "the prompt names the requesting process"
ssh_login || fail "second login failed: $OUT"
assert_eq 1 "$(prompts)" "prompts after the second login"
assert_rc 0 env -u DISPLAY pageant -l
assert_contains "$OUT" "latchkey-deferred-ppk (re-encryptable)" "pageant -l shows it decrypted"

step "pageant -R re-encrypts it; a wrong passphrase fails that login and the next one asks again"
assert_rc 0 env -u DISPLAY pageant -R
echo wrong >"$TMP/answer"
if ssh_login; then fail "login succeeded with a wrong passphrase"; fi
assert_eq 2 "$(prompts)" "prompts after the wrong passphrase"
printf '%s\n' "$PASSPHRASE" >"$TMP/answer"
ssh_login || fail "login after a wrong passphrase failed: $OUT"
assert_eq 3 "$(prompts)" "the login after a wrong passphrase asks again"

step "pageant -r re-encrypts one key: the next use asks again"
assert_rc 0 env -u DISPLAY pageant -r key.pub
assert_rc 0 env -u DISPLAY pageant -l
assert_contains "$OUT" "latchkey-deferred-ppk (encrypted)" "pageant -l after pageant -r"
ssh_login || fail "login after pageant -r failed: $OUT"
assert_eq 4 "$(prompts)" "prompts after pageant -r"

step "ssh-add -x / -X (LOCK, UNLOCK) return it to the encrypted state"
lockpass=$TMP/lockpass
askpass_script "$lockpass" lock-password
SSH_ASKPASS=$lockpass SSH_ASKPASS_REQUIRE=force assert_rc 0 no_tty ssh-add -x
SSH_ASKPASS=$lockpass SSH_ASKPASS_REQUIRE=force assert_rc 0 no_tty ssh-add -X
ssh_login || fail "login after unlock failed: $OUT"
assert_eq 5 "$(prompts)" "the first login after lock/unlock asks again"

step "add-encrypted@latchkey.invalid (raw protocol) loads an OpenSSH file with the client's comment"
add_raw() { # EXTENSION-NAME FILE [COMMENT]: sends the add over the raw protocol, prints the reply type
    python3 - "$LK_ROOT/tests/integration" "$AGENT_SOCK" "$@" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from agentproto import Conn, EXTENSION, string
name, path = sys.argv[3], sys.argv[4]
with open(path, "rb") as f:
    body = bytes([EXTENSION]) + string(name) + string(f.read())
if len(sys.argv) > 5:
    body += string(sys.argv[5])
with Conn(sys.argv[2]) as conn:
    print(conn.request(body)[0])
EOF
}
assert_eq 6 "$(add_raw add-encrypted@latchkey.invalid "$KEYS/id_ecdsa" "id_ecdsa (deferred)")" "add-encrypted reply"
ecdsa_fp=$(ssh-keygen -lf id_ecdsa.pub | cut -d' ' -f2)
assert_rc 0 ssh-add -l
assert_contains "$OUT" "$ecdsa_fp id_ecdsa (deferred) (ECDSA)" "ssh-add -l lists the OpenSSH key at once"
assert_eq 5 "$(prompts)" "prompts while adding the OpenSSH key"
assert_rc 0 ssh-add -T id_ecdsa.pub
assert_eq 6 "$(prompts)" "prompts after the first signature with the OpenSSH key"
assert_contains "$(tail -n 1 "$TMP/askpass.log")" "id_ecdsa (deferred)" "the prompt names the OpenSSH key"
assert_rc 0 ssh-add -T id_ecdsa.pub
assert_eq 6 "$(prompts)" "prompts after the second signature"

step "a damaged .ppk and a PEM file are refused (EXTENSION_FAILURE) and load nothing"
head -c 200 key.ppk >broken.ppk
assert_eq 28 "$(add_raw add-ppk@putty.projects.tartarus.org broken.ppk)" "add-ppk of a damaged file"
ssh-keygen -q -t rsa -b 2048 -m PEM -N "$PASSPHRASE" -f id_pem
assert_eq 28 "$(add_raw add-encrypted@latchkey.invalid id_pem "")" "add-encrypted of a PEM file"
assert_contains "$(cat "$TMP/agent.log")" "ssh-keygen -p -f FILE" "the log says how to convert a PEM file"
assert_rc 0 ssh-add -l
assert_eq 2 "$(grep -c . <<<"$OUT")" "keys listed after refused adds"

step "latchkey add --deferred loads OpenSSH and .ppk files without a prompt; list shows them deferred until used"
client_init
ssh-keygen -q -t ed25519 -N "$PASSPHRASE" -C latchkey-client-deferred -f id_client
puttygen -q -t ecdsa -b 256 -C latchkey-client-deferred-ppk -o client.ppk --new-passphrase "$TMP/passphrase"
puttygen -q -L client.ppk -o client.ppk.pub
assert_rc 0 "$CLIENT" remove-all
assert_rc 0 "$CLIENT" add --deferred id_client client.ppk
assert_eq 6 "$(prompts)" "prompts while adding deferred with latchkey"
client_fp=$(ssh-keygen -lf id_client.pub | cut -d' ' -f2)
ppk_fp=$(ssh-keygen -lf client.ppk.pub | cut -d' ' -f2)
key_states() { # prints "FINGERPRINT=STATE" for every key latchkey list --json shows
    "$CLIENT" list --json | python3 -c 'import json, sys; [print(k["fingerprint"] + "=" + k["state"]) for k in json.load(sys.stdin)["keys"]]'
}
states=$(key_states)
assert_contains "$states" "$client_fp=deferred" "latchkey list: the OpenSSH key is deferred"
assert_contains "$states" "$ppk_fp=deferred" "latchkey list: the .ppk key is deferred"
assert_rc 0 ssh-add -T id_client.pub
assert_eq 7 "$(prompts)" "prompts after the first signature with the key added by latchkey"
assert_contains "$(key_states)" "$client_fp=deferred-decrypted" "latchkey list after its first use"
assert_contains "$(key_states)" "$ppk_fp=deferred" "the unused key stays deferred"
