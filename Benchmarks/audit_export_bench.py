#!/usr/bin/env python3
"""Audit export and offline verification speed (issue 13), against the
daemon's own Audit.Verify of the same trail in the same run (the anchor).

One run:
  1. starts a release riegeld and imports N accounts (default 50 000) through
     io.riegel.Admin.ImportAccount: each appends one audit entry
     (account.created, reason imported), so the trail holds about N entries and N/100 signed
     checkpoints;
  2. times, R times each (default 3), in turn: `riegelctl audit verify` (the
     daemon walks the stored chain: the anchor), `riegelctl audit export -o`
     (the daemon verifies while streaming, riegelctl writes JSON lines),
     `riegelctl audit verify FILE --public-key` (offline, Swift) and
     docs/tools/verify_audit_export.py (offline, Python + cryptography).
Reports entries/s per tool (median and range over the R runs) and each
median as a ratio to the anchor's. The machine is shared and noisy: compare
within a run.

Usage (from the repo root; needs .venv from scripts/setup --test):
  swift build -c release --product riegeld && swift build -c release --product riegelctl
  .venv/bin/python Benchmarks/audit_export_bench.py [--accounts 50000] [--runs 3] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("RIEGEL_BIN_DIR", str(REPO / ".build" / "release"))
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))

from riegel_harness import RIEGELCTL, RIEGELD, Daemon, make_root, remove_root  # noqa: E402


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def timed(argv: list[str]) -> float:
    start = time.monotonic()
    cp = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if cp.returncode != 0:
        sys.exit(f"{argv[:4]} failed ({cp.returncode}): {cp.stdout[-500:]}{cp.stderr[-500:]}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    for binary in (RIEGELD, RIEGELCTL):
        if not binary.exists():
            sys.exit(f"{binary} missing: swift build -c release --product {binary.name}")
    import argon2
    tmp = Path(tempfile.mkdtemp(prefix="riegel-audit-bench-"))
    root = make_root()
    d = Daemon(root).start()
    try:
        phc = argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash("not-a-real-user")
        log(f"importing {args.accounts} accounts ...")
        with d.client().open("io.riegel.Admin") as admin:
            for i in range(args.accounts):
                admin.ImportAccount(username=f"audit{i}", password_hash=phc)
        with d.client().open("io.riegel.Audit") as audit:
            entries = audit.Verify()["entries"]
        key = tmp / "audit.pem"
        key.write_text(subprocess.run([str(RIEGELCTL), "audit", "public-key", "--socket", str(d.sock)],
                                      capture_output=True, text=True, check=True).stdout)
        export = tmp / "trail.jsonl"
        tools = {
            "daemon_verify": [str(RIEGELCTL), "audit", "verify", "--socket", str(d.sock)],
            "export": [str(RIEGELCTL), "audit", "export", "-o", str(export), "--socket", str(d.sock)],
            "offline_swift": [str(RIEGELCTL), "audit", "verify", str(export), "--public-key", str(key)],
            "offline_python": [sys.executable, str(REPO / "docs" / "tools" / "verify_audit_export.py"), str(export), str(key)],
        }
        times: dict[str, list[float]] = {name: [] for name in tools}
        for run in range(args.runs):
            for name, argv in tools.items():
                times[name].append(timed(argv))
            log(f"run {run + 1}: " + ", ".join(f"{n} {times[n][-1]:.2f}s" for n in tools))
        result = {"entries": entries, "export_bytes": export.stat().st_size, "runs": args.runs,
                  "riegeld": str(RIEGELD), "nproc": os.cpu_count()}
        anchor = statistics.median(times["daemon_verify"])
        for name, ts in times.items():
            rates = [entries / t for t in ts]
            result[name] = {"entries_per_s_median": round(statistics.median(rates)),
                            "entries_per_s_min": round(min(rates)), "entries_per_s_max": round(max(rates)),
                            "time_ratio_to_daemon_verify": round(statistics.median(ts) / anchor, 2)}
        print(json.dumps(result, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
    finally:
        d.stop()
        remove_root(root)


if __name__ == "__main__":
    main()
