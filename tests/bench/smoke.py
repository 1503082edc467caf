#!/usr/bin/env python3
"""tests/bench/smoke.py: a few seconds of scripts/bench --smoke against latchkeyd and ssh-agent, so the
benchmark cannot rot. Asserts that every case ran on both agents, that no request failed, that signatures
were verified and that the results are well formed. Never asserts a timing.

Usage: smoke.py LATCHKEYD LATCHKEY_BENCH
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EXPECTED_CASES = {"list-1", "sign-only-key", "sign-ed25519-1", "sign-ed25519-8", "sign-ecdsa-p256-1",
                  "sign-rsa-2048-1", "sign-ed25519-reconnect-1", "list-many", "sign-last-key", "idle-sign"}


def check(condition, message):
    if not condition:
        print(f"FAIL [bench_smoke]: {message}", file=sys.stderr)
        sys.exit(1)


def main():
    latchkeyd, generator = sys.argv[1:3]
    with tempfile.TemporaryDirectory(prefix="latchkey-bench-smoke-") as output:
        done = subprocess.run([sys.executable, str(ROOT / "scripts/bench"), "--smoke", "--no-chart", "--output", output,
                               "--latchkeyd", latchkeyd, "--generator", generator], capture_output=True, text=True)
        print(done.stdout)
        check(done.returncode == 0, f"scripts/bench --smoke exited with {done.returncode}: {done.stderr.strip()}")
        results = json.loads((Path(output) / "results.json").read_text())
        check((Path(output) / "results.md").read_text().startswith("Machine: "), "results.md has no table")
    agents = results["agents"]
    check(agents == ["latchkeyd", "ssh-agent"], f"unexpected agents {agents}")
    cases = {case["id"]: case for case in results["cases"]}
    check(EXPECTED_CASES <= cases.keys(), f"cases missing: {sorted(EXPECTED_CASES - cases.keys())}")
    for case_id, case in cases.items():
        for agent in agents:
            runs = case["runs"][agent]
            check(len(runs) == (1 if case_id == "idle-sign" else results["rounds"]), f"{case_id}/{agent}: {len(runs)} runs")
            for run in runs:
                check(run["failures"] == 0, f"{case_id}/{agent}: failed requests: {run['errors']}")
                check(run["requests"] > 0 and run["requests_per_second"] > 0, f"{case_id}/{agent}: no requests")
                latency = run["latency_us"]
                check(latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"],
                      f"{case_id}/{agent}: percentiles out of order: {latency}")
                if run["mode"] != "list":
                    check(run["verified"] > 0, f"{case_id}/{agent}: no signature verified")
            if case_id == "idle-sign":
                check(all(run["idle_connections"] == 200 for run in runs), f"{case_id}/{agent}: idle connections")
    last_vs_only = results["last_key_vs_only_key"]
    check(last_vs_only is not None and set(last_vs_only) == {"last", "only"}, "no last-key against only-key figures")
    for name, summary in last_vs_only.items():
        check(summary["failures"] == 0 and summary["requests"] > 0 and summary["verified"] > 0,
              f"last-key against only-key, {name}: {summary}")
    for agent in agents:
        for stage in ("idle", "before_storm", "after_storm", "fresh", "keys"):
            memory = results["memory"][agent][stage]
            check(memory["VmRSS"] > 0 and memory["VmLck"] >= 0, f"{agent} {stage}: bad memory figures {memory}")
        check(results["start_to_first_answer_us"][agent] > 0, f"{agent}: no start time")
    check(results["memory"]["latchkeyd"]["keys"]["VmLck"] > 0, "latchkeyd holds keys outside locked memory")
    print(f"PASS [bench_smoke]: {len(cases)} cases on both agents, no failed request")


if __name__ == "__main__":
    main()
