#!/usr/bin/env bash
# tests/integration/protect.sh: the agent's process and memory protections checked from outside, as root:
# ptrace and cores in every mode, locked memory and its limits, a setgid install, and a scan of the
# daemon's whole memory for private key bytes while keys are loaded, locked, removed, expired and dropped.
source "$(dirname "$0")/lib.sh"
lk_init
require setpriv gdb ssh-keygen /usr/bin/python3
[ "$(id -u)" -eq 0 ] ||
    fail "needs root: it runs the agent as another user, and reads the agent's memory through /proc/PID/mem"

REFERENCE=$(realpath -m "${LATCHKEY_REFERENCE_AGENT:-/usr/bin/ssh-agent}")
if [ "$AGENT" = "$REFERENCE" ]; then is_reference=true; else is_reference=false; fi
MEMSCAN=$LK_ROOT/tests/integration/memscan.py
KEYS=$TMP/keys
copy_keys "$KEYS"
# The agent runs as nobody in a directory of its own; $TMP must be passable for that user.
NOBODY=65534
chmod 711 "$TMP"
HOME_N=$TMP/nobody
mkdir -m 700 "$HOME_N"
chown "$NOBODY:$NOBODY" "$HOME_N"
as_nobody() { setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups env -i PATH=/usr/bin:/bin HOME="$HOME_N" "$@"; }

# ptrace_attach PID: as nobody, tries PTRACE_ATTACH; prints "attached" or the error.
ptrace_attach() {
    as_nobody /usr/bin/python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pid = int(sys.argv[1])
if libc.ptrace(16, pid, 0, 0) == 0:  # PTRACE_ATTACH
    os.waitpid(pid, 0)
    libc.ptrace(17, pid, 0, 0)  # PTRACE_DETACH
    print("attached")
else:
    print(os.strerror(ctypes.get_errno()))' "$1"
}

core_files() { find "$1" -maxdepth 1 -name 'core*' -newer "$TMP/keys" | sort; }
vmlck_kib() { awk '/^VmLck:/ {print $2}' "/proc/$1/status"; }
core_limit() { awk '/^Max core file size/ {print $5 " " $6}' "/proc/$1/limits"; }

step "control: a process of nobody with ulimit -c unlimited can be traced by nobody and dumps a core"
pattern=$(cat /proc/sys/kernel/core_pattern)
[[ "$pattern" != "|"* && "$pattern" != /* ]] ||
    fail "core_pattern is '$pattern'; this test needs a plain file name (e.g. 'core') to see cores appear in the working directory"
(cd "$HOME_N" && exec setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups bash -c 'ulimit -c unlimited; exec sleep 600') &
control=$!
track_pid "$control"
wait_until 5 "control process to run as nobody" grep -q "^Uid:.*$NOBODY" "/proc/$control/status"
assert_eq attached "$(ptrace_attach "$control")" "ptrace of nobody's own sleep by nobody"
kill -SEGV "$control"
wait "$control" || true
wait_until 10 "the control's core file" test -n "$(core_files "$HOME_N")"
rm -f "$HOME_N"/core*

# start_as_nobody MODE: starts the agent as nobody with ulimit -c unlimited, in MODE (forked, -D, -d,
# command), with a key in it; sets PID and SOCK.
start_as_nobody() {
    local mode=$1
    SOCK=$HOME_N/$mode.sock
    local run="cd '$HOME_N'; ulimit -c unlimited; exec"
    case $mode in
    forked)
        local out
        out=$(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups bash -c "$run '$AGENT' -s -a '$SOCK'" </dev/null)
        PID=$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' <<<"$out")
        [ -n "$PID" ] || fail "no SSH_AGENT_PID in the output of '$AGENT -s': $out"
        ;;
    -D | -d)
        setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups bash -c "$run '$AGENT' $mode -a '$SOCK'" \
            >"$TMP/$mode.log" 2>&1 </dev/null &
        PID=$!
        ;;
    command)
        setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups bash -c \
            "$run '$AGENT' -a '$SOCK' sh -c 'echo \$SSH_AGENT_PID >\"$HOME_N/command.pid\"; exec sleep 600'" \
            >/dev/null 2>&1 </dev/null &
        track_pid $!
        wait_until 10 "the command to learn the agent's pid" test -s "$HOME_N/command.pid"
        PID=$(cat "$HOME_N/command.pid")
        ;;
    esac
    track_pid "$PID"
    wait_until 10 "agent ($mode) to answer" agent_answers "$SOCK"
    SSH_AUTH_SOCK=$SOCK assert_rc 0 ssh-add -q "$KEYS/ed25519"
}

signal_for_mode=([0]=SEGV [1]=ABRT [2]=SEGV [3]=ABRT)
modes=(forked -D -d command)
for i in "${!modes[@]}"; do
    mode=${modes[$i]}
    signal=${signal_for_mode[$i]}
    step "$mode: holding a key, the agent cannot be traced by its own user, and SIG$signal writes no core"
    start_as_nobody "$mode"
    grep -q "^Uid:.*$NOBODY" "/proc/$PID/status" || fail "agent ($mode) does not run as nobody"
    result=$(ptrace_attach "$PID")
    assert_eq "Operation not permitted" "$result" "PTRACE_ATTACH by the agent's own user ($mode)"
    gdb_out=$(as_nobody gdb -nx -batch -p "$PID" -ex 'info registers' 2>&1 || true)
    assert_contains "$gdb_out" "ptrace: Operation not permitted" "gdb -p as the agent's own user ($mode)"
    if ! $is_reference; then
        assert_eq "0 0" "$(core_limit "$PID")" "RLIMIT_CORE (soft, hard) of the agent ($mode), started with ulimit -c unlimited"
    fi
    cwd=$(readlink "/proc/$PID/cwd")
    kill "-$signal" "$PID"
    wait_until 10 "agent ($mode) to die of SIG$signal" pid_gone "$PID"
    assert_eq "" "$(core_files "$HOME_N")$(core_files "$cwd")" "core files after SIG$signal ($mode)"
done

step "locked memory: VmLck starts small and grows as keys are added (ssh-agent locks nothing)"
start_agent vmlck
before=$(vmlck_kib "$AGENT_PID")
SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-add -q "${KEY_NAMES[@]/#/$KEYS/}"
mkdir -m 700 "$TMP/many"
MANY=()
for i in $(seq 1 60); do
    ssh-keygen -q -t rsa -b 1024 -N '' -C "many $i" -f "$TMP/many/$i"
    MANY+=("$TMP/many/$i")
done
SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-add -q "${MANY[@]}"
after=$(vmlck_kib "$AGENT_PID")
if $is_reference; then
    # OpenSSH's ssh-agent locks nothing: the probe reads a real value, and it is 0 there.
    assert_eq "0 0" "$before $after" "VmLck (kB) of ssh-agent before and after adding keys"
else
    # The arena locks its first 64 KiB chunk at start-up, and more only as keys need it.
    [ "$before" -ge 64 ] || fail "VmLck is $before kB at start-up; the arena's first chunk should be locked"
    [ "$before" -lt 2048 ] || fail "VmLck is $before kB at start-up: the whole 2 MiB maximum is locked up front"
    [ "$after" -gt "$before" ] || fail "VmLck stayed at $before kB while 67 keys were added (now $after kB)"
fi
kill -TERM "$AGENT_PID"

step "a low RLIMIT_MEMLOCK stops the agent at start-up with advice on raising it"
rc=0
out=$(cd "$HOME_N" && setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
    bash -c "ulimit -l 64; exec timeout 3 '$AGENT' -D -a '$HOME_N/low.sock'" 2>&1 </dev/null) || rc=$?
if $is_reference; then
    [ "$rc" -eq 124 ] || fail "ssh-agent, which locks nothing, should run under ulimit -l 64 until timeout; exited $rc: $out"
else
    [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "agent under ulimit -l 64 exited $rc, expected a start-up failure: $out"
    assert_contains "$out" "ulimit -l" "start-up error under a low RLIMIT_MEMLOCK"
    assert_contains "$out" "LimitMEMLOCK=" "start-up error under a low RLIMIT_MEMLOCK"
    [ ! -e "$HOME_N/low.sock" ] || fail "the agent that could not start left its socket behind"
    # The arena locks its memory chunk by chunk, so 1 MiB would do for a while; it is refused at start-up
    # all the same, as it could not cover the 2 MiB maximum later.
    rc=0
    out=$(cd "$HOME_N" && setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
        bash -c "ulimit -l 1024; exec timeout 3 '$AGENT' -D -a '$HOME_N/low.sock'" 2>&1 </dev/null) || rc=$?
    [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "agent under ulimit -l 1024 (maximum 2 MiB) exited $rc: $out"
    assert_contains "$out" "ulimit -l 4096" "start-up error when RLIMIT_MEMLOCK covers less than the maximum"

    step "a smaller locked heap (-O locked-memory=256K) starts under a RLIMIT_MEMLOCK that fits it"
    setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
        bash -c "cd '$HOME_N'; ulimit -l 1024; exec '$AGENT' -D -O locked-memory=256K -a '$HOME_N/small.sock'" \
        >"$TMP/small.log" 2>&1 </dev/null &
    track_pid $!
    wait_until 10 "agent with a 256 KiB locked heap to answer" agent_answers "$HOME_N/small.sock"
    SSH_AUTH_SOCK=$HOME_N/small.sock assert_rc 0 ssh-add -q "$KEYS/ecdsa-256"

    step "with a small locked-memory maximum, the key that does not fit is refused and the others still sign"
    start_agent full -O locked-memory=192K
    added=0
    for i in $(seq 1 60); do
        rc=0
        SSH_AUTH_SOCK=$AGENT_SOCK ssh-add -q "$TMP/many/$i" >"$TMP/full.out" 2>&1 || rc=$?
        [ "$rc" -eq 0 ] || break
        added=$i
    done
    [ "$rc" -ne 0 ] || fail "all 60 keys fit in a 192 KiB locked arena; the test needs one that does not"
    [ "$added" -ge 1 ] || fail "not even one RSA-1024 key fits in a 256 KiB locked arena: $(cat "$TMP/full.log")"
    assert_contains "$(cat "$TMP/full.out")" "agent refused operation" "ssh-add of the key that does not fit"
    assert_contains "$(cat "$TMP/full.log")" "locked memory for keys is full" "agent log after a refused add"
    assert_contains "$(cat "$TMP/full.log")" "-O locked-memory=SIZE" "agent log after a refused add"
    assert_eq "$added" "$(SSH_AUTH_SOCK=$AGENT_SOCK ssh-add -l | wc -l)" "keys held after the refusal"
    echo "data to sign" >"$TMP/data"
    for i in 1 "$added"; do
        SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-keygen -Y sign -q -n test -f "$TMP/many/$i.pub" "$TMP/data"
        rm -f "$TMP/data.sig"
    done
    kill -TERM "$AGENT_PID"
    start_agent roomy -O locked-memory=512K
    SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-add -q "${KEY_NAMES[@]/#/$KEYS/}"
    SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-keygen -Y sign -q -n test -f "$KEYS/rsa-4096.pub" "$TMP/data"
    rm -f "$TMP/data.sig"
    kill -TERM "$AGENT_PID"
fi

step "installed setgid: glibc drops TMPDIR, and the socket goes where it would without it"
mkdir -m 755 "$TMP/bin"
cp "$AGENT" "$TMP/bin/agent"
chgrp daemon "$TMP/bin/agent"
chmod 2755 "$TMP/bin/agent"
mkdir -m 700 "$HOME_N/tmp"
chown "$NOBODY:$NOBODY" "$HOME_N/tmp"
out=$(as_nobody TMPDIR="$HOME_N/tmp" LD_LIBRARY_PATH=/nonexistent "$TMP/bin/agent" -s </dev/null)
sock=$(sed -n 's/^SSH_AUTH_SOCK=\([^;]*\);.*/\1/p' <<<"$out")
pid=$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' <<<"$out")
[ -n "$sock" ] && [ -n "$pid" ] || fail "setgid agent printed no socket or pid: $out"
track_pid "$pid"
[[ "$sock" == /tmp/* ]] || fail "setgid agent put its socket at $sock; TMPDIR is dropped, so it belongs under /tmp"
grep -q "^Gid:.*[[:space:]]1[[:space:]]" "/proc/$pid/status" || fail "the agent does not run with the setgid group"
[ "$(stat -c %u "$sock")" -eq $NOBODY ] || fail "socket $sock is not owned by the user"
[ "$(stat -c %a "$sock")" = 600 ] || fail "socket $sock has mode $(stat -c %a "$sock"), expected 600"
[ "$(stat -c %a "$(dirname "$sock")")" = 700 ] || fail "socket directory of $sock is not 0700"
rc=0
as_nobody SSH_AUTH_SOCK="$sock" ssh-add -l >/dev/null 2>&1 || rc=$?
assert_eq 1 "$rc" "ssh-add -l (no identities) as the user against the setgid agent"
kill -TERM "$pid"
wait_until 10 "setgid agent to stop" pid_gone "$pid"
[ ! -e "$sock" ] || fail "setgid agent left $sock behind"

# --- the root memory scan -------------------------------------------------------------------------
KEY_FILES=()
for name in "${KEY_NAMES[@]}"; do KEY_FILES+=("$KEYS/$name"); done
askpass_script "$TMP/askpass" "latchkey protect test"

# scan EXPECTED [KEY...]: every secret of the KEYs (default: all) is EXPECTED ("locked", "nowhere",
# "not-unlocked" or "unlocked-anywhere") in the memory of process $AGENT_PID.
scan() {
    local expected=$1 line key secret where
    shift
    local files=("$@")
    [ ${#files[@]} -gt 0 ] || files=("${KEY_FILES[@]}")
    local result
    result=$(/usr/bin/python3 "$MEMSCAN" "$AGENT_PID" "${files[@]}") || fail "memscan.py failed: $result"
    [ -n "$result" ] || fail "memscan.py found no secrets to look for"
    while read -r key secret where; do
        case $expected in
        not-unlocked) [[ "$where" != unlocked* ]] ;;
        unlocked-anywhere) [[ "$where" == unlocked* ]] ;;
        *) [ "$where" = "$expected" ] ;;
        esac || fail "$key $secret: $where in the agent's memory, expected $expected"
    done <<<"$result"
}

# scan_eventually EXPECTED: as scan, retried for up to 5 s (for what happens on a timer).
scan_eventually() {
    local deadline=$((SECONDS + 5))
    until (scan "$@") 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || scan "$@"
        sleep 0.2
    done
}

sign_with_each() {
    local name
    echo "data to sign" >"$TMP/data"
    for name in "${KEY_NAMES[@]}"; do
        SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-keygen -Y sign -q -n test -f "$KEYS/$name.pub" "$TMP/data"
        rm -f "$TMP/data.sig"
    done
}

step "control: the scan finds every secret in a process that holds the numbers in ordinary memory"
/usr/bin/python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import memscan
held = [memscan.key_secrets(path) for path in sys.argv[2:]]
print("ready", flush=True)
import time
time.sleep(600)' "$(dirname "$MEMSCAN")" "${KEY_FILES[@]}" >"$TMP/control.out" </dev/null &
holder=$!
track_pid "$holder"
wait_until 10 "the control process to hold the key numbers" grep -q ready "$TMP/control.out"
AGENT_PID=$holder scan unlocked-anywhere
kill "$holder"

# Against latchkeyd the scans run with keys kept unshielded for an hour after use (-O shield-delay=1h),
# so that what they find in the clear is found, and removal, not shielding, is what makes it go.
if $is_reference; then
    loaded=not-unlocked  # OpenSSH unshields a key only for each signature: it is found nowhere
    scan_options=()
else
    loaded=locked
    scan_options=(-O shield-delay=1h)
fi

step "memory scan: every key type, loaded and then used, is found only in locked memory"
start_agent scan "${scan_options[@]}"
SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-add -q "${KEY_FILES[@]}"
scan "$loaded"
sign_with_each
scan "$loaded"

step "memory scan: locked with ssh-add -x, no private byte is anywhere; ssh-add -X brings the keys back"
SSH_AUTH_SOCK=$AGENT_SOCK SSH_ASKPASS=$TMP/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 assert_rc 0 no_tty ssh-add -x
scan nowhere
SSH_AUTH_SOCK=$AGENT_SOCK SSH_ASKPASS=$TMP/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 assert_rc 0 no_tty ssh-add -X
sign_with_each
scan "$loaded"

step "memory scan: a removed key (ssh-add -d) is gone, the others stay locked"
SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-add -d "$KEYS/ed25519" "$KEYS/rsa-2048"
scan nowhere "$KEYS/ed25519" "$KEYS/rsa-2048"
scan "$loaded" "$KEYS/ecdsa-256" "$KEYS/rsa-4096" "$KEYS/dsa-1024"

step "memory scan: after remove-all (ssh-add -D) no key is anywhere"
SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-add -D
scan nowhere

step "memory scan: after expiry (ssh-add -t 1) no key is anywhere"
# No signing here: under load the keys could expire first. Added keys are clear (shield-delay=1h).
SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-add -q -t 1 "${KEY_FILES[@]}"
agent_empty() { local rc=0; SSH_AUTH_SOCK=$AGENT_SOCK ssh-add -l >/dev/null 2>&1 || rc=$?; [ "$rc" -eq 1 ]; }
wait_until 10 "keys added with -t 1 to expire" agent_empty
scan_eventually nowhere

if $is_reference; then
    echo "NOTE: OpenSSH's ssh-agent has no SIGUSR1 handler (it would die); that step is latchkeyd's only"
else
    step "memory scan: after SIGUSR1 no key is anywhere, and the agent keeps serving"
    SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-add -q "${KEY_FILES[@]}"
    sign_with_each
    kill -USR1 "$AGENT_PID"
    wait_until 10 "SIGUSR1 to drop the keys" agent_empty
    scan nowhere
fi
kill -TERM "$AGENT_PID"

step "memory scan: with the default shield delay, keys are shielded (found nowhere) soon after use"
start_agent shielded
SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-add -q "${KEY_FILES[@]}"
sign_with_each
scan_eventually nowhere
SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-add -l
sign_with_each
kill -TERM "$AGENT_PID"
