#!/usr/bin/env bash
# latchkeyd --check-config and config.toml at start: the settings in effect (command line over file), a bad
# line named with exit status 1 and no agent started, and a setting of the file that the agent then uses.
source "$(dirname "$0")/lib.sh"
lk_init

export XDG_CONFIG_HOME=$TMP/config
CONFIG=$XDG_CONFIG_HOME/latchkey/config.toml

step "--check-config without a file: the defaults"
assert_rc 0 "$AGENT" --check-config
assert_contains "$OUT" "# no $CONFIG: the defaults" "--check-config"
assert_contains "$OUT" 'locked_memory = "2MiB"' "--check-config"
assert_contains "$OUT" '# lifetime: not set' "--check-config"

step "--check-config with a file: its settings, with -t over the file's lifetime"
mkdir -p "$(dirname "$CONFIG")"
cat >"$CONFIG" <<'TOML'
lifetime = "2h"
socket = "~/agent.sock"
[session]
on_suspend = "drop"
[[key]]
path = "~/.ssh/id_ed25519"
confirm = true
TOML
assert_rc 0 "$AGENT" --check-config
assert_contains "$OUT" "# $CONFIG is valid" "--check-config"
assert_contains "$OUT" 'lifetime = "2h"' "--check-config"
assert_contains "$OUT" "socket = \"$HOME/agent.sock\"" "--check-config"
assert_contains "$OUT" 'on_suspend = "drop"' "--check-config"
assert_contains "$OUT" "[[key]]
path = \"$HOME/.ssh/id_ed25519\"
confirm = true" "--check-config"
assert_rc 0 "$AGENT" -t 5m --check-config
assert_contains "$OUT" 'lifetime = "5m"' "--check-config with -t"

step "the socket of config.toml is where the agent listens (no -a)"
"$AGENT" -D >"$TMP/agent.log" 2>&1 </dev/null &
AGENT_PID=$!
track_pid "$AGENT_PID"
wait_until 10 "the agent on the configured socket" agent_answers "$HOME/agent.sock"
assert_contains "$(cat "$TMP/agent.log")" "[[key]] $HOME/.ssh/id_ed25519 not loaded: cannot read" "the missing key file, logged"
kill -TERM "$AGENT_PID"
wait_until 10 "the agent to exit" pid_gone "$AGENT_PID"

step "a bad line: --check-config and the agent name it and exit 1; no agent starts"
printf 'lifetime = "2h"\n\n[session]\non_suspend = "hibernate"\n' >"$CONFIG"
assert_rc 1 "$AGENT" --check-config
assert_eq "latchkeyd: $CONFIG:4: session.on_suspend must be one of \"keep\", \"lock\", \"drop\"" "$OUT" "the error"
assert_rc 1 "$AGENT" -D -a "$TMP/agent.sock"
assert_eq "latchkeyd: $CONFIG:4: session.on_suspend must be one of \"keep\", \"lock\", \"drop\"" "$OUT" "the error"
[ ! -e "$TMP/agent.sock" ] || fail "an agent with a bad config.toml made its socket"
printf 'lifetime = "2h"\nlifetime = "3h"\n' >"$CONFIG"
assert_rc 1 "$AGENT" --check-config
assert_contains "$OUT" "$CONFIG:2: " "a TOML error names its line"
