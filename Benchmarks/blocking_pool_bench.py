#!/usr/bin/env python3
"""Latency of reads while writers wait on fsync: riegeld's blocking pool against Swift's cooperative pool.

Two riegelds of the same build run at once on the real disk (SQLite with
synchronous = FULL, so every commit waits for its fsync): one with
`[daemon] blocking_threads = 8` (handler tasks on `riegel-io-N` threads that
may wait), one with `blocking_threads = 0` (handler tasks on Swift's
cooperative pool, one thread per core). For each, in rounds whose order flips
every round so machine noise hits both alike:

  idle    CheckSession (immediate, on the event loop) and ListSessions (a
          task that reads SQLite) at c=4 with no other load: the anchor;
  writes  the same two measurements while WRITERS Python threads log in and
          out as fast as riegeld answers (every Login and Logout commits a
          session row and its audit entry: two fsyncs per pair).

argon2id is set to its cheapest cost so the logins are bound by the disk, not
by hashing. Reported: medians over the rounds of calls/s, p50 and p99 (µs),
the writers' rate, and p99 under writes ÷ p99 idle for each pool.

Usage (repo root, release build):
  swift build -c release --product riegeld
  .venv/bin/python Benchmarks/blocking_pool_bench.py [--rounds 5] [--writers 8] [--duration 3]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("RIEGEL_BIN_DIR", str(REPO / ".build" / "release"))
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))
sys.path.insert(0, str(REPO / "Benchmarks"))

from riegel_harness import Daemon, make_root, remove_root  # noqa: E402
from session_bench import PASSWORD, SESSION_CONFIG, build_load_generator, login_tokens, write_tokens  # noqa: E402

CHEAP_HASHING = "[password]\nmemory_kib = 8\niterations = 1\nparallelism = 1\n"


def measure(load: Path, sock: Path, tokens: Path, method: str, duration: float) -> dict:
    argv = [str(load), "-s", str(sock), "-c", "4", "-d", str(duration), "--warmup", "0.3", "-t", str(tokens),
            "--method", method, "--epoll"]
    if method.endswith("CheckSession"):
        argv.append("--no-touch")
    cp = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    r = {k: float(v) for k, v in (kv.split("=", 1) for kv in cp.stdout.split())}
    if r.get("failed") or r.get("errors"):
        raise RuntimeError(f"{method}: {cp.stdout}{cp.stderr}")
    return r


class Writers:
    """WRITERS threads, each its own user and connection, logging in and out until stopped."""

    def __init__(self, daemon: Daemon, count: int):
        self.daemon, self.count = daemon, count
        self.stop_flag = threading.Event()
        self.done = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()
        with daemon.client().open("io.riegel.Auth") as a:
            for i in range(count):
                a.Register(username=f"writer{i}", password=PASSWORD)

    def _run(self, i: int):
        try:
            # One address per writer: logins in flight count against their
            # client address until they succeed (docs/flows/login-throttle.md).
            client = {"ip": f"192.0.2.{10 + i}", "user_agent": "writer"}
            with self.daemon.client().open("io.riegel.Auth") as a:
                while not self.stop_flag.is_set():
                    token = a.Login(username=f"writer{i}", password=PASSWORD, client=client)["session"]["token"]
                    a.Logout(token=token)
                    with self.lock:
                        self.done += 2
        except Exception as e:  # reported, and the round fails
            self.errors.append(repr(e))

    def __enter__(self):
        self.stop_flag.clear()
        self.done = 0
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.count)]
        self.started = time.monotonic()
        for t in self.threads:
            t.start()
        time.sleep(0.5)  # writers in full swing before measuring
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for t in self.threads:
            t.join(30)
        self.rate = self.done / (time.monotonic() - self.started)
        if self.errors:
            raise RuntimeError(f"writers failed: {self.errors[:3]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--duration", type=float, default=3.0, help="seconds per measurement")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="riegel-pool-"))
    load = build_load_generator(tmp)
    pools = {"blocking_threads=8": 8, "blocking_threads=0": 0}
    daemons: dict[str, tuple[Daemon, Path, Writers]] = {}
    results: dict[str, dict[str, list[dict]]] = {name: {} for name in pools}
    rates: dict[str, list[float]] = {name: [] for name in pools}
    try:
        for name, threads in pools.items():
            d = Daemon(make_root(), extra_config=SESSION_CONFIG + CHEAP_HASHING)
            d.config.write_text(d.config.read_text().replace("[daemon]\n", f"[daemon]\nblocking_threads = {threads}\n", 1))
            d.start()
            tokens = write_tokens(tmp / f"tokens-{threads}", login_tokens(d, 16))
            daemons[name] = (d, tokens, Writers(d, args.writers))
        for i in range(args.rounds):
            order = list(pools) if i % 2 == 0 else list(reversed(pools))
            for name in order:
                d, tokens, writers = daemons[name]
                for method in ("io.riegel.Auth.CheckSession", "io.riegel.Auth.ListSessions"):
                    short = method.rsplit(".", 1)[1]
                    results[name].setdefault(f"{short} idle", []).append(
                        measure(load, d.sock, tokens, method, args.duration))
                    with writers:
                        results[name].setdefault(f"{short} writes", []).append(
                            measure(load, d.sock, tokens, method, args.duration))
                    rates[name].append(writers.rate)
                print(f"round {i} {name}: " + ", ".join(
                    f"{k} p99 {v[-1]['p99_us']:.0f} us" for k, v in results[name].items()), flush=True)
    finally:
        for d, _, _ in daemons.values():
            d.stop()
            remove_root(d.root)

    def med(rs, key):
        return statistics.median(r[key] for r in rs)

    print(f"\n{args.rounds} rounds, {args.writers} writers, medians (range of p99 in brackets); loadavg "
          f"{os.getloadavg()[0]:.1f}")
    print("| pool | call | load | calls/s | p50 µs | p99 µs | p99 ÷ idle p99 |")
    print("|---|---|---|---|---|---|---|")
    for name in pools:
        for key, rs in results[name].items():
            call, phase = key.split()
            idle = med(results[name][f"{call} idle"], "p99_us")
            p99s = [r["p99_us"] for r in rs]
            print(f"| {name} | {call} | {phase} | {med(rs, 'rate'):.0f} | {med(rs, 'p50_us'):.0f} | "
                  f"{statistics.median(p99s):.0f} ({min(p99s):.0f}–{max(p99s):.0f}) | "
                  f"{statistics.median(p99s) / idle:.2f} |")
        print(f"| {name} | writers (Login + Logout) | | {statistics.median(rates[name]):.0f} | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
