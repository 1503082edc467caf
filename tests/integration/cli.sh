#!/usr/bin/env bash
# The agent's command line, as ssh-agent's: eval "$(agent -s)" / -c / -k, -D/-d with -a, running a command
# (exit status passed through), -t, signals, bad options, and two agents side by side.
source "$(dirname "$0")/lib.sh"
lk_init
require timeout stat

KEYS=$TMP/keys
copy_keys "$KEYS"
# Where the default socket goes is not checked: OpenSSH <= 10.0 uses $TMPDIR/ssh-XXXXXXXXXX (Debian's
# setgid ssh-agent never sees TMPDIR, so /tmp), 10.1+ ~/.ssh/agent. Only its privacy is.
export SHELL=/bin/sh

# sock_is_private SOCKET: a socket only its owner can use, in a directory only its owner can enter.
sock_is_private() {
    [ -S "$1" ] || fail "$1 is not a socket"
    assert_eq 600 "$(stat -c %a "$1")" "mode of the agent socket $1"
    assert_eq 700 "$(stat -c %a "$(dirname "$1")")" "mode of the agent socket's directory"
    assert_eq "$(id -u)" "$(stat -c %u "$1")" "owner of the agent socket"
}

# in_agent EXPECTED_STATUS SCRIPT: `agent sh -c SCRIPT` (command mode) must exit EXPECTED_STATUS; output in $OUT.
# Each agent's pid goes to $TMP/cmd-pids so that the test can kill it and check that it exits by itself.
in_agent() {
    assert_rc "$1" timeout 20 "$AGENT" sh -c "echo \"\$SSH_AGENT_PID\" >>'$TMP/cmd-pids'; $2"
    track_pid "$(tail -n 1 "$TMP/cmd-pids")"
}

step "command mode: the command runs with SSH_AUTH_SOCK and SSH_AGENT_PID set (checked for exit at the end)"
in_agent 1 'echo "sock=$SSH_AUTH_SOCK"; echo "pid=$SSH_AGENT_PID"; ssh-add -l'
assert_contains "$OUT" "The agent has no identities." "ssh-add -l inside '$AGENT sh -c ...'"
cmd_sock=$(sed -n 's/^sock=//p' <<<"$OUT")
cmd_pid=$(sed -n 's/^pid=//p' <<<"$OUT")
[[ "$cmd_sock" == /* ]] || fail "command mode: SSH_AUTH_SOCK '$cmd_sock' is not an absolute path"
[[ "$cmd_pid" =~ ^[0-9]+$ ]] || fail "command mode: SSH_AGENT_PID '$cmd_pid' is not a pid"

step "command mode passes the command's exit status through"
in_agent 3 'exit 3'
in_agent 0 "ssh-add -q '$KEYS/ed25519' && ssh-add -l"
assert_contains "$OUT" "latchkey-test-ed25519 (ED25519)" "ssh-add -l inside command mode after an add"
in_agent 0 true
in_agent 1 false
in_agent 0 'sleep 0.2'

step "command mode: a command that cannot be run fails"
rc=0
timeout 20 "$AGENT" "$TMP/no-such-command" >/dev/null 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "'$AGENT $TMP/no-such-command' exited 0"

step "eval \"\$(agent -s)\": Bourne shell variables, a daemon, a private socket"
OUT=$(timeout 10 "$AGENT" -s) || fail "'$AGENT -s' failed or did not return (does the daemon keep stdout open?)"
[[ "$OUT" =~ ^SSH_AUTH_SOCK=([^\;]+)\;\ export\ SSH_AUTH_SOCK\;$'\n'SSH_AGENT_PID=([0-9]+)\;\ export\ SSH_AGENT_PID\;$'\n'echo\ Agent\ pid\ ([0-9]+)\;$ ]] ||
    fail "'$AGENT -s' printed an unexpected form:
$OUT"
[ "${BASH_REMATCH[2]}" == "${BASH_REMATCH[3]}" ] || fail "SSH_AGENT_PID and 'echo Agent pid' disagree: $OUT"
eval "$OUT" >/dev/null
track_pid "$SSH_AGENT_PID"
s_sock=$SSH_AUTH_SOCK
s_pid=$SSH_AGENT_PID
[[ "$s_sock" == /* ]] || fail "'$AGENT -s' socket '$s_sock' is not an absolute path"
sock_is_private "$s_sock"
pid_alive "$s_pid" || fail "SSH_AGENT_PID $s_pid is not running"
assert_rc 1 ssh-add -l
assert_rc 0 ssh-add -q "$KEYS/ecdsa-256"
assert_rc 0 ssh-add -l

step "eval \"\$(agent -k)\": unsets the variables, the agent and its socket are gone"
OUT=$(timeout 10 "$AGENT" -k) || fail "'$AGENT -k' failed: $OUT"
assert_eq "unset SSH_AUTH_SOCK;
unset SSH_AGENT_PID;
echo Agent pid $s_pid killed;" "$OUT" "output of '$AGENT -k'"
eval "$OUT" >/dev/null
[ -z "${SSH_AUTH_SOCK:-}" ] && [ -z "${SSH_AGENT_PID:-}" ] || fail "eval of -k left the variables set"
wait_until 10 "agent $s_pid to exit after -k" pid_gone "$s_pid"
[ ! -e "$s_sock" ] || fail "agent socket $s_sock still exists after -k"
[ ! -e "$(dirname "$s_sock")" ] || [ "$(dirname "$s_sock")" == "$HOME/.ssh/agent" ] ||
    fail "agent socket directory $(dirname "$s_sock") still exists after -k"

step "agent -k without SSH_AGENT_PID fails"
assert_rc 1 env -u SSH_AGENT_PID "$AGENT" -k
assert_contains "$OUT" "SSH_AGENT_PID not set, cannot kill agent" "'$AGENT -k' without SSH_AGENT_PID"

step "agent -k with an SSH_AGENT_PID that is not a pid, or not running, fails"
for bad in nonsense 1x 0 -5; do
    SSH_AGENT_PID=$bad assert_rc 1 "$AGENT" -k
done
sh -c 'exit 0' &
dead_pid=$!
wait "$dead_pid"
SSH_AGENT_PID=$dead_pid assert_rc 1 "$AGENT" -k

step "agent -c, and SHELL=*csh picks the C shell form; agent -c -k"
for form in "-c" ""; do
    OUT=$(SHELL=/bin/tcsh timeout 10 "$AGENT" $form) || fail "'$AGENT $form' with SHELL=/bin/tcsh failed"
    [[ "$OUT" =~ ^setenv\ SSH_AUTH_SOCK\ ([^\;]+)\;$'\n'setenv\ SSH_AGENT_PID\ ([0-9]+)\;$'\n'echo\ Agent\ pid\ ([0-9]+)\;$ ]] ||
        fail "'$AGENT $form' (SHELL=/bin/tcsh) printed an unexpected form:
$OUT"
    c_sock=${BASH_REMATCH[1]}
    c_pid=${BASH_REMATCH[2]}
    track_pid "$c_pid"
    agent_answers "$c_sock" || fail "the agent started with '$AGENT $form' does not answer at $c_sock"
    OUT=$(SSH_AGENT_PID=$c_pid timeout 10 "$AGENT" -c -k) || fail "'$AGENT -c -k' failed: $OUT"
    assert_eq "unsetenv SSH_AUTH_SOCK;
unsetenv SSH_AGENT_PID;
echo Agent pid $c_pid killed;" "$OUT" "output of '$AGENT -c -k'"
    wait_until 10 "agent $c_pid to exit after -c -k" pid_gone "$c_pid"
    [ ! -e "$c_sock" ] || fail "agent socket $c_sock still exists after -c -k"
done

step "agent -D -a PATH: foreground, binds PATH, prints the socket and its own pid; SIGTERM removes the socket"
sock=$TMP/fg.sock
"$AGENT" -D -a "$sock" >"$TMP/fg.out" 2>"$TMP/fg.err" </dev/null &
fg_pid=$!
track_pid "$fg_pid"
wait_until 10 "the -D agent to answer at $sock" agent_answers "$sock"
sock_is_private "$sock"
expect_fg="SSH_AUTH_SOCK=$sock; export SSH_AUTH_SOCK;
echo Agent pid $fg_pid;"
fg_printed() { [ "$(cat "$TMP/fg.out")" == "$expect_fg" ]; }
wait_until 5 "the -D agent to print its two lines" fg_printed
kill -TERM "$fg_pid"
wait_until 10 "the -D agent to exit on SIGTERM" pid_gone "$fg_pid"
[ ! -e "$sock" ] || fail "$sock still exists after SIGTERM"

step "agent -d: foreground with a debug log on stderr; SIGINT removes the socket"
sock=$TMP/debug.sock
"$AGENT" -d -a "$sock" >"$TMP/debug.out" 2>"$TMP/debug.err" </dev/null &
d_pid=$!
track_pid "$d_pid"
wait_until 10 "the -d agent to answer at $sock" agent_answers "$sock"
SSH_AUTH_SOCK=$sock assert_rc 0 ssh-add -q "$KEYS/ed25519"
SSH_AUTH_SOCK=$sock assert_rc 0 ssh-add -l
debug_logged() { [ -s "$TMP/debug.err" ]; }
wait_until 5 "the -d agent to log to stderr" debug_logged
kill -INT "$d_pid"
wait_until 10 "the -d agent to exit on SIGINT" pid_gone "$d_pid"
[ ! -e "$sock" ] || fail "$sock still exists after SIGINT"

step "agent -D: SIGHUP removes the socket and exits"
start_agent hup
kill -HUP "$AGENT_PID"
wait_until 10 "the agent to exit on SIGHUP" pid_gone "$AGENT_PID"
[ ! -e "$AGENT_SOCK" ] || fail "$AGENT_SOCK still exists after SIGHUP"

step "agent -t 2: keys added without a lifetime are gone within a second of the default one"
start_agent lifetime -t 2
SSH_AUTH_SOCK=$AGENT_SOCK timed_add 2 -q "$KEYS/ed25519"
SSH_AUTH_SOCK=$AGENT_SOCK assert_rc 0 ssh-add -l
agent_empty() { local rc=0; SSH_AUTH_SOCK=$AGENT_SOCK ssh-add -l >/dev/null 2>&1 || rc=$?; [ "$rc" -eq 1 ]; }
await_expiry "a key of the -t 2 agent" agent_empty
kill -TERM "$AGENT_PID"

step "two agents at once: two sockets, independent keys"
start_agent one
one_sock=$AGENT_SOCK
start_agent two
two_sock=$AGENT_SOCK
SSH_AUTH_SOCK=$one_sock assert_rc 0 ssh-add -q "$KEYS/ed25519"
SSH_AUTH_SOCK=$two_sock assert_rc 1 ssh-add -l
SSH_AUTH_SOCK=$two_sock assert_rc 0 ssh-add -q -k "$KEYS/rsa-2048"
SSH_AUTH_SOCK=$one_sock assert_rc 0 ssh-add -L
assert_eq "$(cat "$KEYS/ed25519.pub" "$KEYS/ed25519-cert.pub")" "$OUT" "keys of agent one"
SSH_AUTH_SOCK=$two_sock assert_rc 0 ssh-add -L
assert_eq "$(cat "$KEYS/rsa-2048.pub")" "$OUT" "keys of agent two"
SSH_AUTH_SOCK=$one_sock assert_rc 0 ssh-add -D
SSH_AUTH_SOCK=$two_sock assert_rc 0 ssh-add -T "$KEYS/rsa-2048.pub"
SSH_AUTH_SOCK=$one_sock assert_rc 1 ssh-add -T "$KEYS/rsa-2048.pub"

step "a client of another uid is refused even when the socket's mode lets it connect"
if [ "$(id -u)" -eq 0 ]; then
    require setpriv
    make_user
    chmod 711 "$TMP"
    chmod 666 "$one_sock"
    SSH_AUTH_SOCK=$one_sock assert_rc 0 ssh-add -q -k "$KEYS/ed25519"
    rc=0
    OUT=$(setpriv --reuid="$(id -u "$LK_USER")" --regid="$(id -g "$LK_USER")" --clear-groups \
        env SSH_AUTH_SOCK="$one_sock" ssh-add -l 2>&1) || rc=$?
    # The agent closes the connection unanswered: ssh-add reports it, or dies of SIGPIPE (141) writing to it.
    [ "$rc" -eq 141 ] || [[ "$rc" -eq 1 && "$OUT" == *"communication with agent failed"* ]] ||
        fail "ssh-add -l as $LK_USER against root's agent exited $rc: $OUT"
    SSH_AUTH_SOCK=$one_sock assert_rc 0 ssh-add -l
    chmod 700 "$TMP"
else
    echo "NOTE: not root, so the other-uid check cannot switch users and is not run"
fi

step "agent -a PATH over an existing file fails and leaves the file alone"
echo precious >"$TMP/existing"
rc=0
timeout 10 "$AGENT" -D -a "$TMP/existing" >/dev/null 2>&1 </dev/null || rc=$?
[ "$rc" -ne 0 ] || fail "'$AGENT -D -a $TMP/existing' exited 0"
[ "$rc" -ne 124 ] || fail "'$AGENT -D -a $TMP/existing' did not exit"
assert_eq precious "$(cat "$TMP/existing")" "content of the existing file"

step "agent -a PATH with a symbolic link two directories up"
mkdir -p "$TMP/real-parent/one/two"
chmod 700 "$TMP/real-parent/one/two"
ln -s "$TMP/real-parent" "$TMP/linked-parent"
linked_sock=$TMP/linked-parent/one/two/agent.sock
if agent_is_latchkeyd; then
    rc=0
    timeout 10 "$AGENT" -D -a "$linked_sock" >"$TMP/linked.out" 2>&1 </dev/null || rc=$?
    [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "'$AGENT -D -a $linked_sock' exited $rc; output: $(cat "$TMP/linked.out")"
    assert_contains "$(cat "$TMP/linked.out")" "$TMP/linked-parent: is a symbolic link" "the refusal names the link"
    assert_contains "$(cat "$TMP/linked.out")" "give -a $(realpath "$TMP/real-parent")/one/two/agent.sock" \
        "the refusal names the path to give"
    [ ! -e "$TMP/real-parent/one/two/agent.sock" ] || fail "a socket was made through the linked directory"
else
    echo "    (OpenSSH's ssh-agent follows links in its -a path: the refusal is checked for latchkeyd only)"
fi
real_sock=$TMP/real-parent/one/two/agent.sock
"$AGENT" -D -a "$real_sock" >"$TMP/unlinked.out" 2>&1 </dev/null &
unlinked_pid=$!
track_pid "$unlinked_pid"
wait_until 10 "the agent at the path without links to answer" agent_answers "$real_sock"
kill "$unlinked_pid"

step "bad command lines are refused with ssh-agent's exit status and start nothing"
for args in "-Z" "-c -s" "-s -c" "-D -d" "-t nonsense" "-D true" "-s true"; do
    rc=0
    # shellcheck disable=SC2086
    timeout 10 "$AGENT" $args -a "$TMP/bad.sock" >"$TMP/bad.out" 2>&1 </dev/null || rc=$?
    [ "$rc" -eq 1 ] || fail "'$AGENT $args' exited $rc, expected 1 (usage); output: $(cat "$TMP/bad.out")"
    [ ! -e "$TMP/bad.sock" ] || fail "'$AGENT $args' left a socket behind"
done
rc=0
timeout 10 "$AGENT" -E nonsense -D -a "$TMP/bad.sock" >"$TMP/bad.out" 2>&1 </dev/null || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "'$AGENT -E nonsense' exited $rc; output: $(cat "$TMP/bad.out")"

step "command mode: every agent exits by itself after its command ends, and removes its socket"
while read -r pid; do
    wait_until 15 "command-mode agent $pid to exit" pid_gone "$pid"
done <"$TMP/cmd-pids"
[ ! -e "$cmd_sock" ] || fail "command-mode socket $cmd_sock still exists after the command ended"
