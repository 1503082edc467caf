#!/usr/bin/env bash
# latchkey add loads every key file ssh-keygen and puttygen make: each key type × every OpenSSH cipher, -a
# rounds, -m PEM and -m PKCS8 (plain and encrypted), PuTTY .ppk v2 and v3 × each Argon2 flavour, with and
# without a passphrase (through a test SSH_ASKPASS). The agent then lists the fingerprint ssh-keygen -lf
# gives, and a sample logs in to a test sshd. Damaged files and wrong passphrases load nothing and exit 1.
# Runs against either agent: latchkey add sends stock ADD_IDENTITY requests.
source "$(dirname "$0")/lib.sh"
lk_init
source "$(dirname "$0")/sshd.sh"
require puttygen
client_init

PASS=latchkey-test-passphrase
K=$TMP/keyfiles
mkdir -p "$K"
printf '%s' "$PASS" >"$TMP/passfile"
: >"$TMP/emptyfile"
# The askpass answers $TMP/answer and counts its calls in $TMP/asked.
cat >"$TMP/askpass" <<'SCRIPT'
#!/bin/sh
echo x >>"$(dirname "$0")/asked"
cat "$(dirname "$0")/answer"
SCRIPT
chmod 700 "$TMP/askpass"
echo "$PASS" >"$TMP/answer"
export SSH_ASKPASS=$TMP/askpass SSH_ASKPASS_REQUIRE=force

start_agent agent
export SSH_AUTH_SOCK=$AGENT_SOCK

TYPES=(ed25519 ecdsa-256 ecdsa-384 ecdsa-521 rsa-2048 dsa-1024)
CIPHERS=(aes128-ctr aes192-ctr aes256-ctr aes128-cbc aes192-cbc aes256-cbc aes256-gcm@openssh.com
    chacha20-poly1305@openssh.com)
keygen_args() { # NAME: ssh-keygen's -t/-b
    case $1 in
    ed25519) echo -t ed25519 ;;
    ecdsa-*) echo -t ecdsa -b "${1#ecdsa-}" ;;
    rsa-*) echo -t rsa -b "${1#rsa-}" ;;
    dsa-*) echo -t dsa ;;
    esac
}
# NAME:--ppk-param; small Argon2 parameters keep the matrix fast.
PPK_FLAVOURS=(v2:version=2 argon2id:version=3,kdf=argon2id,memory=256,passes=1
    argon2i:version=3,kdf=argon2i,memory=256,passes=1 argon2d:version=3,kdf=argon2d,memory=256,passes=1,parallelism=2)

# reencrypt SOURCE TARGET [ssh-keygen -p OPTIONS...]: TARGET is SOURCE's key written again with OPTIONS.
reencrypt() {
    local source=$1 target=$2
    shift 2
    cp "$source" "$target"
    ssh-keygen -q -p -P '' "$@" -f "$target" >/dev/null || fail "ssh-keygen -p $* -f $target failed"
}

step "make the fixtures: one key per type, written in every format"
FILES=()
declare -A FP
for type in "${TYPES[@]}"; do
    base=$K/$type
    ssh-keygen -q $(keygen_args "$type") -N '' -C "latchkey-it-$type" -f "$base" || fail "ssh-keygen $type"
    FP[$type]=$(ssh-keygen -lf "$base.pub" | cut -d' ' -f2)
    FILES+=("$base")
    for cipher in "${CIPHERS[@]}"; do
        reencrypt "$base" "$K/$type-${cipher%@*}" -N "$PASS" -a 2 -Z "$cipher"
        FILES+=("$K/$type-${cipher%@*}")
    done
    if [ "$type" != ed25519 ]; then # OpenSSH writes Ed25519 only in its own format
        reencrypt "$base" "$K/$type-pem" -N '' -m PEM
        reencrypt "$base" "$K/$type-pem-encrypted" -N "$PASS" -m PEM
        reencrypt "$base" "$K/$type-pkcs8" -N '' -m PKCS8
        reencrypt "$base" "$K/$type-pkcs8-encrypted" -N "$PASS" -m PKCS8
        FILES+=("$K/$type-pem" "$K/$type-pem-encrypted" "$K/$type-pkcs8" "$K/$type-pkcs8-encrypted")
    fi
    for flavour in "${PPK_FLAVOURS[@]}"; do
        name=$type-ppk-${flavour%%:*} params=${flavour#*:}
        for passphrase in passfile emptyfile; do
            puttygen "$base" -q -O private -o "$K/$name-$passphrase.ppk" --new-passphrase "$TMP/$passphrase" \
                --ppk-param "$params" || fail "puttygen --ppk-param $params for $type"
            FILES+=("$K/$name-$passphrase.ppk")
        done
    done
done
reencrypt "$K/ed25519" "$K/ed25519-rounds-24" -N "$PASS" -a 24
FILES+=("$K/ed25519-rounds-24")
echo "${#FILES[@]} key files"

# type_of FILE: the key type FILE was made from (its name starts with it).
type_of() {
    local name type
    name=$(basename "$1")
    for type in "${TYPES[@]}"; do
        [[ "$name" == "$type" || "$name" == "$type"-* ]] && { echo "$type"; return; }
    done
    fail "no base key for $1"
}
fingerprint_of() { echo "${FP[$(type_of "$1")]}"; }

for file in "${FILES[@]}"; do
    step "latchkey add $(basename "$file")"
    assert_rc 0 no_tty "$CLIENT" add "$file"
    assert_contains "$OUT" "Identity added: $file" "latchkey add's message"
    assert_rc 0 "$CLIENT" list
    assert_contains "$OUT" " $(fingerprint_of "$file") " "latchkey list after adding $file"
    assert_eq "$(fingerprint_of "$file")" "$(ssh-add -l | cut -d' ' -f2)" "the one key ssh-add -l shows"
    assert_rc 0 "$CLIENT" remove-all
done

step "one passphrase is asked once and tried on every file, as ssh-add does"
: >"$TMP/asked"
assert_rc 0 no_tty "$CLIENT" add "$K/ed25519-aes256-ctr" "$K/rsa-2048-aes256-cbc" "$K/ecdsa-384-ppk-argon2i-passfile.ppk"
assert_eq 1 "$(wc -l <"$TMP/asked")" "askpass calls for three files with one passphrase"
assert_eq 3 "$(ssh-add -l | wc -l)" "keys in the agent"
assert_rc 0 "$CLIENT" remove-all

step "a wrong passphrase is asked three times, then nothing is loaded and the status is 1"
echo wrong >"$TMP/answer"
: >"$TMP/asked"
assert_rc 1 no_tty "$CLIENT" add "$K/ed25519-chacha20-poly1305"
assert_contains "$OUT" "Error loading key \"$K/ed25519-chacha20-poly1305\"" "the message names the file"
assert_eq 3 "$(wc -l <"$TMP/asked")" "askpass calls"
assert_rc 1 "$CLIENT" list
assert_contains "$OUT" "The agent has no identities." "nothing loaded"
echo "$PASS" >"$TMP/answer"

# damaged FILE KIND: a copy of FILE with a flipped bit (in the middle of its base64) or cut in half.
damaged() {
    local source=$1 kind=$2 target=$TMP/damaged-$kind-$(basename "$1")
    python3 - "$source" "$target" "$kind" <<'PY'
import sys
source, target, kind = sys.argv[1:]
data = bytearray(open(source, "rb").read())
if kind == "truncated":
    data = data[: len(data) // 2]
else:
    lines = data.split(b"\n")
    # the longest line is base64 body (OpenSSH/PEM) or a Private-Lines line (.ppk): flip one bit of its middle
    i = max(range(len(lines)), key=lambda n: len(lines[n]) if b":" not in lines[n] else 0)
    line = bytearray(lines[i])
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    j = len(line) // 2
    line[j] = alphabet[alphabet.index(line[j]) ^ 1]
    lines[i] = bytes(line)
    data = bytearray(b"\n".join(lines))
open(target, "wb").write(data)
PY
    echo "$target"
}

for source in "$K/ed25519-aes256-ctr" "$K/rsa-2048-ppk-argon2id-passfile.ppk" \
    "$K/ecdsa-256-ppk-v2-emptyfile.ppk" "$K/ecdsa-384-pkcs8-encrypted" "$K/dsa-1024"; do
    for kind in flipped truncated; do
        bad=$(damaged "$source" "$kind")
        step "$kind $(basename "$source"): a clear message, nothing loaded, status 1"
        assert_rc 1 no_tty "$CLIENT" add "$bad"
        assert_contains "$OUT" "Error loading key \"$bad\": " "the message names the file"
        assert_rc 1 "$CLIENT" list
        assert_contains "$OUT" "The agent has no identities." "nothing loaded from $bad"
    done
done

step "a missing file and a file that is not a key"
assert_rc 1 "$CLIENT" add "$K/does-not-exist"
assert_contains "$OUT" "$K/does-not-exist: No such file or directory" "missing file"
assert_rc 1 "$CLIENT" add "$K/ed25519.pub"
assert_contains "$OUT" "Error loading key \"$K/ed25519.pub\"" "a public key is not a private key"

# A sample logs in: ssh finds only the agent's key.
for file in "$K/ed25519-ppk-argon2id-passfile.ppk" "$K/rsa-2048-pem-encrypted" \
    "$K/ecdsa-521-chacha20-poly1305" "$K/ecdsa-256-pkcs8-encrypted" "$K/ed25519-aes256-gcm"; do
    step "ssh login with the key of $(basename "$file")"
    [ -n "${SSHD_PID:-}" ] || start_sshd
    type=$(type_of "$file")
    cat "$K/$type.pub" >"$SSHD_DIR/authorized_keys"
    assert_rc 0 no_tty "$CLIENT" add "$file"
    ssh_login || fail "ssh login with $file failed: $OUT
$(tail -n 20 "$SSHD_LOG")"
    assert_eq ok "$OUT" "remote 'echo ok'"
    wait_until 5 "sshd to log the key of $file" grep -q "Accepted publickey.*${FP[$type]}" "$SSHD_LOG"
    assert_rc 0 "$CLIENT" remove-all
done
