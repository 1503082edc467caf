# tests/integration/sshd.sh: a throwaway OpenSSH sshd on 127.0.0.1 for the login tests. Source after lib.sh
# and lk_init. Host key, config, authorized_keys, principals and log all live in $TMP/sshd; nothing else is
# touched except sshd's compiled-in privilege separation directory /run/sshd, which must exist.

SSHD=${SSHD:-/usr/sbin/sshd}
SSHD_DIR=$TMP/sshd
LOGIN_USER=$(id -un)
# Certificates must name this principal; AuthorizedPrincipalsFile maps it to LOGIN_USER.
SSHD_PRINCIPAL=alice

_sshd_setup() {
    [ -x "$SSHD" ] || fail "needs OpenSSH's sshd at $SSHD (Debian package openssh-server)"
    require ssh python3
    mkdir -p /run/sshd 2>/dev/null || true
    [ -d /run/sshd ] || fail "sshd needs its privilege separation directory /run/sshd (create it as root)"
    mkdir -p "$SSHD_DIR"
    ssh-keygen -q -t ed25519 -N '' -C latchkey-it-host -f "$SSHD_DIR/host_ed25519"
    : >"$SSHD_DIR/authorized_keys"
    echo "$SSHD_PRINCIPAL" >"$SSHD_DIR/principals"
    : >"$SSHD_DIR/trusted_user_ca_keys"
    SSHD_HOSTKEY_FP=$(ssh-keygen -lf "$SSHD_DIR/host_ed25519.pub" | cut -d' ' -f2)
}

_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _launch_sshd DIR [sshd_config LINES...]: starts an sshd with host key DIR/host_ed25519 (and the shared
# authorized_keys, principals and CAs of $SSHD_DIR), config DIR/sshd_config; sets SSHD_PORT, SSHD_LOG and
# SSHD_PID once it listens.
_launch_sshd() {
    local dir=$1 attempt
    shift
    for attempt in 1 2 3 4 5; do
        SSHD_PORT=$(_free_port)
        SSHD_LOG=$dir/sshd-$SSHD_PORT.log
        {
            echo "ListenAddress 127.0.0.1:$SSHD_PORT"
            echo "HostKey $dir/host_ed25519"
            echo "PidFile none"
            echo "UsePAM no"
            echo "StrictModes no"
            echo "PermitRootLogin yes"
            echo "AuthenticationMethods publickey"
            echo "PubkeyAuthentication yes"
            echo "PasswordAuthentication no"
            echo "KbdInteractiveAuthentication no"
            echo "MaxAuthTries 30"
            echo "AuthorizedKeysFile $SSHD_DIR/authorized_keys"
            echo "AuthorizedPrincipalsFile $SSHD_DIR/principals"
            echo "TrustedUserCAKeys $SSHD_DIR/trusted_user_ca_keys"
            echo "LogLevel VERBOSE"
            printf '%s\n' "$@"
        } >"$dir/sshd_config"
        "$SSHD" -t -f "$dir/sshd_config" || fail "sshd -t rejects the config: $(cat "$dir/sshd_config")"
        "$SSHD" -D -e -f "$dir/sshd_config" 2>"$SSHD_LOG" </dev/null &
        SSHD_PID=$!
        track_pid "$SSHD_PID"
        local deadline=$((SECONDS + 10))
        while ! grep -qs "Server listening on 127.0.0.1 port $SSHD_PORT" "$SSHD_LOG"; do
            if ! pid_alive "$SSHD_PID"; then
                grep -q "Address already in use" "$SSHD_LOG" && continue 2
                fail "sshd exited: $(cat "$SSHD_LOG")"
            fi
            [ "$SECONDS" -lt "$deadline" ] || fail "sshd did not listen within 10 s: $(cat "$SSHD_LOG")"
            sleep 0.02
        done
        return 0
    done
    fail "no free port for sshd after 5 attempts"
}

# start_sshd [sshd_config LINES...]: (re)starts sshd with the base config plus LINES (e.g.
# "PubkeyAcceptedAlgorithms rsa-sha2-256"); sets SSHD_PORT and SSHD_LOG once it listens.
start_sshd() {
    stop_sshd
    _launch_sshd "$SSHD_DIR" "$@"
}

# HOST_PORT[NAME], HOST_LOG[NAME], HOST_KEY[NAME] (the .pub file) of the sshds start_host_sshd started.
declare -A HOST_PORT HOST_LOG HOST_KEY

# start_host_sshd NAME [sshd_config LINES...]: one more sshd beside start_sshd's, with its own Ed25519
# host key ($SSHD_DIR/NAME/host_ed25519, comment latchkey-it-NAME) and the shared user settings. It runs
# until the test ends; SSHD_PORT, SSHD_LOG and SSHD_PID keep describing start_sshd's.
start_host_sshd() {
    local name=$1 dir=$SSHD_DIR/$1 port=${SSHD_PORT:-} log=${SSHD_LOG:-} pid=${SSHD_PID:-}
    shift
    mkdir -p "$dir"
    [ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "latchkey-it-$name" -f "$dir/host_ed25519"
    _launch_sshd "$dir" "$@"
    HOST_PORT[$name]=$SSHD_PORT
    HOST_LOG[$name]=$SSHD_LOG
    HOST_KEY[$name]=$dir/host_ed25519.pub
    SSHD_PORT=$port SSHD_LOG=$log SSHD_PID=$pid
}

stop_sshd() {
    if [ -n "${SSHD_PID:-}" ] && pid_alive "$SSHD_PID"; then
        kill -TERM "$SSHD_PID"
        wait "$SSHD_PID" 2>/dev/null || true
    fi
    SSHD_PID=
}

# ssh_login [ssh -o OPTIONS...]: logs in through the agent only (no identity files, no passwords,
# no prompts) and runs `echo ok`; its output lands in $OUT; returns ssh's status.
ssh_login() {
    local rc=0
    OUT=$(ssh -F /dev/null -o IdentitiesOnly=no -o IdentityFile=none -o BatchMode=yes \
        -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o ConnectTimeout=10 \
        -o UserKnownHostsFile="$SSHD_DIR/known_hosts" -o StrictHostKeyChecking=accept-new \
        -o LogLevel=ERROR -o KexAlgorithms=curve25519-sha256 "$@" -p "$SSHD_PORT" "$LOGIN_USER@127.0.0.1" echo ok 2>&1) || rc=$?
    return "$rc"
}

# sshd_accepted TYPE FINGERPRINT: sshd logged a public key login with that key (or certificate).
sshd_accepted() {
    grep -q "Accepted publickey for $LOGIN_USER from 127.0.0.1 port [0-9]* ssh2: $1 $2" "$SSHD_LOG"
}

_sshd_setup
