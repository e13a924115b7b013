#!/usr/bin/env python3
"""Key re-wrap benchmark for issue 12: rows/s of the re-wrap after a rotation,
and CheckSession latency while it runs, against CheckSession latency without it
in the same run.

One run (about 5 minutes for 100 k accounts on the 2-vCPU machines):
  1. starts a release riegeld (Tests/IntegrationTests/riegel_harness.py) with the
     default [keys] pace (rewrap_batch_size 200, rewrap_pause 10 ms);
  2. imports N accounts (default 100 000), each with an e-mail and an argon2id
     hash, through io.riegel.Admin.ImportAccount (PyPI varlink client): every row
     has a sealed password hash, a sealed e-mail and an e-mail blind index;
  3. logs one user in 16 times for CheckSession tokens;
  4. anchor: CheckSession at concurrency 4 with Benchmarks/varlink_load.c
     (--epoll), several 3 s windows, with no re-wrap running;
  5. for `password` then `pii`: RotateKey (streaming), and CheckSession windows
     back to back until the re-wrap has finished; rows/s = processed / the
     RotateKey call's wall time (a lower bound: it includes up to 1 s before the
     job's first batch).
Phones are not populated: each would need an SMS enrolment; a phone costs the
re-wrap what an e-mail costs (open, seal, one HMAC).

The machine is shared and noisy: compare the windows of one run with each other.
Usage (from the repo root; needs .venv from scripts/setup --test, and cc):
  swift build -c release --product riegeld
  .venv/bin/python Benchmarks/rewrap_bench.py [--accounts 100000] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("RIEGEL_BIN_DIR", str(REPO / ".build" / "release"))
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))
sys.path.insert(0, str(REPO / "Benchmarks"))

from riegel_harness import RIEGELD, Daemon, make_root, remove_root  # noqa: E402
from session_bench import build_load_generator, run_load  # noqa: E402

PASSWORD = "Kl4vier-Sonate-Mond"
CONFIG = '[session]\nidle_timeout = "1d"\nabsolute_timeout = "2d"\nmax_per_user = 10000\n'


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def import_accounts(d: Daemon, n: int) -> float:
    import argon2
    phc = argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash("not-a-real-user")
    start = time.monotonic()
    with d.client().open("io.riegel.Admin") as admin:
        for i in range(n):
            admin.ImportAccount(username=f"bench{i}", password_hash=phc, email=f"bench{i}@example.org")
            if i and i % 20000 == 0:
                log(f"  imported {i}")
    return n / (time.monotonic() - start)


def windows_while(load: Path, d: Daemon, tokens: Path, busy) -> list[dict]:
    """CheckSession windows (3 s, c=4) back to back while busy() holds (at least one)."""
    out = []
    while True:
        out.append(run_load(load, d.sock, 4, 3.0, tokens=tokens, epoll=True))
        if not busy():
            return out


def summary(ws: list[dict]) -> dict:
    p99 = [w["p99_us"] for w in ws]
    p50 = [w["p50_us"] for w in ws]
    return {"windows": len(ws), "p50_us_median": statistics.median(p50), "p99_us_median": statistics.median(p99),
            "p99_us_min": min(p99), "p99_us_max": max(p99), "rate_median": statistics.median(w["rate"] for w in ws)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--anchor-windows", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not RIEGELD.exists():
        sys.exit(f"{RIEGELD} missing: swift build -c release --product riegeld")
    tmp = Path(tempfile.mkdtemp(prefix="riegel-rewrap-bench-"))
    root = make_root()
    d = Daemon(root, extra_config=CONFIG).start()
    result = {"accounts": args.accounts, "riegeld": str(RIEGELD), "nproc": os.cpu_count()}
    try:
        load = build_load_generator(tmp)
        log(f"importing {args.accounts} accounts ...")
        result["imports_per_s"] = import_accounts(d, args.accounts)
        with d.client().open("io.riegel.Auth") as auth:
            auth.Register(username="bench", password=PASSWORD)
            tokens = [auth.Login(username="bench", password=PASSWORD)["session"]["token"] for _ in range(16)]
        token_file = tmp / "tokens"
        token_file.write_text("\n".join(tokens) + "\n")

        log("anchor: CheckSession without a re-wrap ...")
        anchor = [run_load(load, d.sock, 4, 3.0, tokens=token_file, epoll=True) for _ in range(args.anchor_windows)]
        result["anchor"] = summary(anchor)
        log(f"  {result['anchor']}")

        for purpose in ("password", "pii"):
            state = {"last": None}

            def follow():
                with d.client().open("io.riegel.Admin") as admin:
                    for reply in admin.RotateKey(purpose=purpose, _more=True):
                        state["last"] = reply

            t = threading.Thread(target=follow)
            began = time.monotonic()
            t.start()
            while state["last"] is None:
                time.sleep(0.05)
            during = windows_while(load, d, token_file, t.is_alive)
            t.join()
            wall = time.monotonic() - began
            job = state["last"]["progress"]
            # The job's own times are whole seconds; the call's wall time also
            # holds the wait for the service's next poll (up to 1 s) and the
            # last progress interval (0.25 s).
            elapsed = seconds(job["updated_at"]) - seconds(job["started_at"])
            result[purpose] = {"rows": job["processed"], "state": job["state"], "job_seconds": elapsed,
                               "call_seconds": wall, "rows_per_s": job["processed"] / wall,
                               "checksession": summary(during)}
            log(f"{purpose}: {result[purpose]}")
        # After: the same anchor again, to see whether the machine changed during the run.
        result["anchor_after"] = summary([run_load(load, d.sock, 4, 3.0, tokens=token_file, epoll=True)
                                          for _ in range(args.anchor_windows)])
        log(f"anchor after: {result['anchor_after']}")
    finally:
        d.stop()
        remove_root(root)
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
