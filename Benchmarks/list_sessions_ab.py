#!/usr/bin/env python3
"""ListSessions against CheckSession on two riegeld builds, alternating (a read from SQLite, anchored).

Both daemons run at once, each with one user holding 16 sessions. Six rounds;
per round and build (order flipped every round): ListSessions at c=4 for 2 s
(a task that reads the user's sessions from SQLite), then CheckSession at c=4
for 2 s (answered from memory: the anchor). Printed per build: medians of
calls/s and of ListSessions ÷ CheckSession per round, with its range.

Usage (repo root): .venv/bin/python Benchmarks/list_sessions_ab.py OLD_RIEGELD NEW_RIEGELD
"""
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))
sys.path.insert(0, str(REPO / "Benchmarks"))

import riegel_harness  # noqa: E402
from session_bench import SESSION_CONFIG, build_load_generator, login_tokens, write_tokens  # noqa: E402


def rate(load: Path, sock: Path, tokens: Path, method: str) -> float:
    argv = [str(load), "-s", str(sock), "-c", "4", "-d", "2", "-t", str(tokens), "--method", method, "--epoll"]
    if method.endswith("CheckSession"):
        argv.append("--no-touch")
    cp = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert "errors=0" in cp.stdout, cp.stdout + cp.stderr
    return float(dict(kv.split("=") for kv in cp.stdout.split())["rate"])


def main():
    tmp = Path(tempfile.mkdtemp(prefix="riegel-ls-"))
    load = build_load_generator(tmp)
    bins = {"old": Path(sys.argv[1]), "new": Path(sys.argv[2])}
    daemons = {}
    results = {name: {"list": [], "check": []} for name in bins}
    try:
        for name, binary in bins.items():
            riegel_harness.RIEGELD = binary
            d = riegel_harness.Daemon(riegel_harness.make_root(), extra_config=SESSION_CONFIG).start()
            daemons[name] = (d, write_tokens(tmp / name, login_tokens(d, 16)))
        for i in range(6):
            for name in list(bins) if i % 2 == 0 else list(reversed(bins)):
                d, tokens = daemons[name]
                results[name]["list"].append(rate(load, d.sock, tokens, "io.riegel.Auth.ListSessions"))
                results[name]["check"].append(rate(load, d.sock, tokens, "io.riegel.Auth.CheckSession"))
    finally:
        for d, _ in daemons.values():
            d.stop()
            riegel_harness.remove_root(d.root)
    for name in bins:
        r = results[name]
        ratios = [a / b for a, b in zip(r["list"], r["check"])]
        print(f"{name}: ListSessions {statistics.median(r['list']):.0f}/s, CheckSession "
              f"{statistics.median(r['check']):.0f}/s, ratio {statistics.median(ratios):.3f} "
              f"({min(ratios):.3f}–{max(ratios):.3f})")


if __name__ == "__main__":
    main()
