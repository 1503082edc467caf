#!/usr/bin/env python3
"""Faults around the agent in LATCHKEY_AGENT (default build/agent/latchkeyd), which it must ride out:
kill -9 then a restart on the same -a path (the stale socket is replaced); a log it cannot write (stderr on
/dev/full, debug logging on); an askpass program that hangs, crashes or prints garbage, which must never hold up
other clients; a client that hangs up while its prompt is open, whose prompt (and only its) is cancelled.
latchkeyd only: OpenSSH's ssh-agent refuses an existing -a path."""

import os
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from agentproto import (FAILURE, IDENTITIES_ANSWER, REQUEST_IDENTITIES, SIGN_RESPONSE, SUCCESS, Agent,  # noqa: E402
                        Closed, Conn, agent_under_test, capture, describe, main_guard)

LIST = bytes([REQUEST_IDENTITIES])
failures = []


def check(condition, what):
    print("%-4s %s" % ("ok" if condition else "FAIL", what), flush=True)
    if not condition:
        failures.append(what)


def wait_until(condition, seconds):
    """Polls condition() every 20 ms until it holds (True) or `seconds` pass (False)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def answers(sock):
    try:
        with Conn(sock, timeout=2) as c:
            return c.request(LIST)[:1] == bytes([IDENTITIES_ANSWER])
    except (OSError, Closed):
        return False


def served(sock, what):
    """A new connection lists and signs with the plain key within 5 s."""
    start = time.monotonic()
    try:
        with Conn(sock, timeout=5) as c:
            listed = c.request(LIST)[:1] == bytes([IDENTITIES_ANSWER])
            signed = c.request(capture("sign-rsa-2048"))[:1] == bytes([SIGN_RESPONSE])
    except (OSError, Closed) as e:
        listed = signed = False
        print("     %s: %s" % (type(e).__name__, e))
    check(listed and signed and time.monotonic() - start < 5, what)


def restart_after_kill(binary):
    with Agent(binary, "faults-kill") as first:
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait()
        check(os.path.exists(first.sock), "kill -9 leaves the socket file behind")
        check(not answers(first.sock), "nothing answers on it")
        second = subprocess.Popen([binary, "-D", "-a", first.sock], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            check(wait_until(lambda: answers(first.sock) or second.poll() is not None, 10) and second.poll() is None,
                  "a new agent started with the same -a path replaces the stale socket and answers")
        finally:
            second.kill()
            second.wait()


def unwritable_log(binary):
    with open("/dev/full", "wb") as full:
        with tempfile.TemporaryDirectory(prefix="latchkey-faults.") as directory:
            sock = os.path.join(directory, "agent.sock")
            proc = subprocess.Popen([binary, "-d", "-a", sock], stdin=subprocess.DEVNULL, stdout=full, stderr=full)
            try:
                check(wait_until(lambda: answers(sock) or proc.poll() is not None, 10) and proc.poll() is None,
                      "with its log on a full disk (stderr on /dev/full, -d) the agent starts")
                with Conn(sock) as c:
                    check(c.request(capture("add-rsa-2048")) == bytes([SUCCESS]), "  and adds a key")
                    check(c.request(bytes([13, 0, 0])) == bytes([FAILURE]), "  and refuses a malformed request")
                served(sock, "  and keeps serving")
                check(proc.poll() is None, "  and is still running")
            finally:
                proc.kill()
                proc.wait()


def askpass_script(directory, name, body):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\necho $$ >>%s/%s.pids\n%s\n" % (directory, name, body))
    os.chmod(path, 0o700)
    return path


def process_gone(pid):
    """True once `pid` has exited and been reaped (or is a zombie nobody will run again)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def read_pids(path):
    """The pids the askpass scripts have appended to `path`, in order of starting (written whole: lines under
    PIPE_BUF, appended)."""
    try:
        with open(path) as f:
            return [int(line) for line in f.read().split()]
    except FileNotFoundError:
        return []


def prompt_cancelled_on_hang_up(agent, pid_file, first):
    """Regression test (prompt cancellation): two clients wait on the hanging askpass; the first hangs up. The
    agent must kill that askpass alone, keep serving, and kill the second when its client hangs up too."""
    second = agent.conn()
    second.send(capture("sign-ed25519"))
    check(wait_until(lambda: len(read_pids(pid_file)) == 2, 5), "  a second client waits on a prompt of its own")
    first_pid, second_pid = read_pids(pid_file)
    first.close()
    check(wait_until(lambda: process_gone(first_pid), 5),
          "  the first client hangs up: its askpass (pid %d) is killed by the agent" % first_pid)
    served(agent.sock, "  other clients are served meanwhile")
    check(not process_gone(second_pid), "  the second client's askpass (pid %d) still runs" % second_pid)
    second.close()
    check(wait_until(lambda: process_gone(second_pid), 5),
          "  the second client hangs up: its askpass (pid %d) is killed too" % second_pid)
    served(agent.sock, "  and the agent serves on")
    if failures:
        print("agent log:\n" + agent.log())


def broken_askpass(binary):
    directory = tempfile.mkdtemp(prefix="latchkey-askpass.")
    scripts = {
        "hangs": askpass_script(directory, "hangs", "exec sleep 600"),
        "crashes": askpass_script(directory, "crashes", "kill -SEGV $$"),
        "prints garbage": askpass_script(directory, "garbage", "printf 'n\\000\\377\\376yes\\n%.0s' $(seq 200)"),
    }
    try:
        for behaviour, script in scripts.items():
            env = dict(os.environ, DISPLAY=":0", SSH_ASKPASS=script, SSH_ASKPASS_REQUIRE="force")
            with Agent(binary, "faults-askpass", env=env) as agent:
                with agent.conn() as c:
                    assert c.request(capture("add-constrained-confirm")) == bytes([SUCCESS])
                    assert c.request(capture("add-rsa-2048")) == bytes([SUCCESS])
                asking = agent.conn()
                asking.send(capture("sign-ed25519"))
                pid_file = os.path.join(directory, os.path.basename(script) + ".pids")
                check(wait_until(lambda: read_pids(pid_file), 5), "an askpass that %s is started" % behaviour)
                served(agent.sock, "  other clients are served while it runs")
                if behaviour == "hangs":
                    prompt_cancelled_on_hang_up(agent, pid_file, asking)
                else:
                    try:
                        reply = asking.recv()
                    except (OSError, Closed) as e:
                        reply = None
                        print("     %s: %s" % (type(e).__name__, e))
                    check(reply == bytes([FAILURE]), "  the signature is refused (got %s)" % describe(reply))
                    asking.close()
                check(agent.alive(), "  the agent is alive")
                os.unlink(pid_file)
    finally:
        for name in os.listdir(directory):
            os.unlink(os.path.join(directory, name))
        os.rmdir(directory)


def run():
    binary = agent_under_test()
    restart_after_kill(binary)
    unwritable_log(binary)
    broken_askpass(binary)
    print("PASS" if not failures else "FAIL: %d check(s) failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    main_guard(run)
