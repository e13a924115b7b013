#!/usr/bin/env python3
"""Metrics cost (issue 18): CheckSession throughput with metrics on vs off, same run.

Two release riegelds from the same binary run side by side: "off" (no
[metrics] section: counters go to swift-metrics' no-op handler and no call is
timed) and "on" ([metrics] listen on a free loopback port: Prometheus
counters, a duration histogram per method). Each has 16 sessions. Then
ROUNDS rounds of CheckSession at c=16 (touch=true, Benchmarks/varlink_load.c
--epoll), DURATION s per daemon per round, the order flipped every round so
machine noise hits both alike; the "on" daemon is scraped once per round
(GET /metrics), as a Prometheus server would every 15 s. The anchor is the
"off" daemon in the same round: the table gives on/off per round, and the
median with its range. Server CPU per call comes from /proc/PID/stat.

Goal: the two within 3 % (median of on/off ≥ 0.97).
Usage (repo root; needs Tests/IntegrationTests/requirements.txt and cc):
  swift build -c release --product riegeld
  .venv/bin/python Benchmarks/metrics_cost_bench.py [--rounds 8] [--duration 3] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("RIEGEL_BIN_DIR", str(REPO / ".build" / "release"))
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))
sys.path.insert(0, str(REPO / "Benchmarks"))

import riegel_harness  # noqa: E402
from session_bench import SESSION_CONFIG, build_load_generator, log, login_tokens, run_load, write_tokens  # noqa: E402


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--duration", type=float, default=3.0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not riegel_harness.RIEGELD.exists():
        log(f"{riegel_harness.RIEGELD} missing: swift build -c release --product riegeld")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="riegel-metrics-cost-"))
    load = build_load_generator(tmp)
    port = free_port()
    daemons = {}
    rows = []
    try:
        for name, extra in (("off", ""), ("on", f'[metrics]\nlisten = "127.0.0.1:{port}"\n')):
            d = riegel_harness.Daemon(riegel_harness.make_root(), extra_config=SESSION_CONFIG + extra).start()
            daemons[name] = (d, write_tokens(tmp / f"tokens-{name}", login_tokens(d, 16)))
        scrape_bytes = 0
        for i in range(args.rounds):
            row = {"round": i, "load_before": loadavg()}
            for name in ("off", "on") if i % 2 == 0 else ("on", "off"):
                d, tokens = daemons[name]
                r = run_load(load, d.sock, 16, args.duration, tokens, epoll=True, server_pid=d.proc.pid)
                row[name] = {"rate": r["rate"], "p99_us": r["p99_us"],
                             "cpu_us": r["cpu_user_us"] + r["cpu_sys_us"]}
                if name == "on":
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
                        scrape_bytes = len(resp.read())
            row["load_after"] = loadavg()
            row["ratio"] = row["on"]["rate"] / row["off"]["rate"]
            rows.append(row)
            log(f"round {i}: off {row['off']['rate']:.0f}/s on {row['on']['rate']:.0f}/s "
                f"on/off {row['ratio']:.3f} (load {row['load_before']} -> {row['load_after']})")
    finally:
        for d, _ in daemons.values():
            d.stop()
            riegel_harness.remove_root(d.root)

    ratios = [r["ratio"] for r in rows]
    print("| round | off calls/s | on calls/s | on/off | off p99 µs | on p99 µs | off CPU µs/call | on CPU µs/call | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['round']} | {r['off']['rate']:.0f} | {r['on']['rate']:.0f} | {r['ratio']:.3f} | "
              f"{r['off']['p99_us']:.0f} | {r['on']['p99_us']:.0f} | {r['off']['cpu_us']:.1f} | {r['on']['cpu_us']:.1f} | "
              f"{r['load_before']}→{r['load_after']} |")
    med = statistics.median(ratios)
    cpu_off = statistics.median(r["off"]["cpu_us"] for r in rows)
    cpu_on = statistics.median(r["on"]["cpu_us"] for r in rows)
    print(f"\nmedian on/off {med:.3f} (range {min(ratios):.3f}–{max(ratios):.3f}, {len(ratios)} rounds); "
          f"CPU per call off {cpu_off:.2f} µs, on {cpu_on:.2f} µs; scrape {scrape_bytes} bytes; "
          f"goal on/off ≥ 0.97: {'met' if med >= 0.97 else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"rounds": rows, "median_ratio": med, "cpu_off_us": cpu_off,
                                         "cpu_on_us": cpu_on, "scrape_bytes": scrape_bytes}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
