#!/usr/bin/env python3
"""CheckSession during a login storm (issue 18): throughput and p99 against CheckSession alone.

Three riegelds of the same release build run at once, with riegel's default
argon2id cost: `[password] hash_nice = 10` (the default: hashing threads run
nicer than the event loops), `hash_nice = 0` (the same priority: what
riegeld did before) and `hash_idle = true` (the hashing threads in
SCHED_IDLE). In each round, for each daemon (order rotated every round, so
machine noise hits all alike):

  alone   CheckSession at c=16 (`varlink_load --epoll`, touch=false): the anchor;
  storm   the same while STORM Python threads log in as fast as riegeld answers
          (more than the hash workers, so the pool stays saturated; each
          thread its own user and client address, so nothing is throttled).

Reported: medians over the rounds of CheckSession calls/s and p99, the ratio
storm ÷ alone (goal ≥ 0.8 with p99 ≤ 2 ms), and the logins/s the storm got.

Then what each setting costs a login on a busy host: with one nice-0 busy
loop per core running in other processes (a portal back end on the same
host, say), LOGINS sequential logins per daemon, one at a time; their
median and longest time.

Usage (repo root, release build):
  swift build -c release --product riegeld
  .venv/bin/python Benchmarks/login_storm_bench.py [--rounds 5] [--storm 8] [--duration 3] [--busy-logins 5]
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


def check_sessions(load: Path, sock: Path, tokens: Path, duration: float) -> dict:
    argv = [str(load), "-s", str(sock), "-c", "16", "-d", str(duration), "--warmup", "0.5", "-t", str(tokens),
            "--no-touch", "--epoll"]
    cp = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    r = {k: float(v) for k, v in (kv.split("=", 1) for kv in cp.stdout.split())}
    if r.get("failed") or r.get("errors"):
        raise RuntimeError(f"CheckSession: {cp.stdout}{cp.stderr}")
    return r


class Storm:
    """COUNT threads, each its own user, connection and client address, logging in until stopped."""

    def __init__(self, daemon: Daemon, count: int):
        self.daemon, self.count = daemon, count
        self.stop_flag = threading.Event()
        self.errors: list[str] = []
        self.lock = threading.Lock()
        with daemon.client().open("io.riegel.Auth") as a:
            for i in range(count):
                a.Register(username=f"storm{i}", password=PASSWORD)

    def _run(self, i: int):
        client = {"ip": f"192.0.2.{10 + i}", "user_agent": "storm"}
        try:
            with self.daemon.client().open("io.riegel.Auth") as a:
                while not self.stop_flag.is_set():
                    a.Login(username=f"storm{i}", password=PASSWORD, client=client)
                    with self.lock:
                        self.done += 1
        except Exception as e:  # reported, and the round fails
            self.errors.append(repr(e))

    def __enter__(self):
        self.stop_flag.clear()
        self.done = 0
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.count)]
        for t in self.threads:
            t.start()
        time.sleep(1.0)  # the pool saturated before measuring
        self.started, self.done_at_start = time.monotonic(), self.done
        return self

    def __exit__(self, *exc):
        self.rate = (self.done - self.done_at_start) / (time.monotonic() - self.started)
        self.stop_flag.set()
        for t in self.threads:
            t.join(60)
        if self.errors:
            raise RuntimeError(f"storm failed: {self.errors[:3]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--storm", type=int, default=8, help="login threads (more than the hash workers)")
    ap.add_argument("--duration", type=float, default=3.0, help="seconds per measurement")
    ap.add_argument("--busy-logins", type=int, default=5, help="logins per setting on a busy host (0: skip)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="riegel-storm-"))
    load = build_load_generator(tmp)
    settings = {"hash_nice=10": "hash_nice = 10", "hash_nice=0": "hash_nice = 0", "hash_idle": "hash_idle = true"}
    daemons: dict[str, tuple[Daemon, Path, Storm]] = {}
    alone: dict[str, list[dict]] = {n: [] for n in settings}
    storm: dict[str, list[dict]] = {n: [] for n in settings}
    logins: dict[str, list[float]] = {n: [] for n in settings}
    try:
        for n, (name, line) in enumerate(settings.items()):
            d = Daemon(make_root(), extra_config=SESSION_CONFIG + f"[password]\n{line}\n").start()
            tokens = write_tokens(tmp / f"tokens-{n}", login_tokens(d, 16))
            daemons[name] = (d, tokens, Storm(d, args.storm))
        names = list(settings)
        for i in range(args.rounds):
            for name in names[i % len(names):] + names[:i % len(names)]:
                d, tokens, s = daemons[name]
                alone[name].append(check_sessions(load, d.sock, tokens, args.duration))
                with s:
                    storm[name].append(check_sessions(load, d.sock, tokens, args.duration))
                logins[name].append(s.rate)
                a, b = alone[name][-1], storm[name][-1]
                print(f"round {i} {name}: alone {a['rate']:.0f}/s p99 {a['p99_us']:.0f} us; storm {b['rate']:.0f}/s "
                      f"p99 {b['p99_us']:.0f} us ({b['rate'] / a['rate']:.2f}x), logins {s.rate:.1f}/s", flush=True)
        busy = busy_host_logins({name: d for name, (d, _, _) in daemons.items()}, args.busy_logins)
    finally:
        for d, _, _ in daemons.values():
            d.stop()
            remove_root(d.root)

    print(f"\n{args.rounds} rounds, {args.storm} login threads, {os.cpu_count()} cores; medians (range); loadavg "
          f"{os.getloadavg()[0]:.1f}")
    print("| setting | CheckSession alone /s | p99 µs | during the storm /s | p99 µs | storm ÷ alone | logins/s |")
    print("|---|---|---|---|---|---|---|")
    for name in settings:
        ratios = [b["rate"] / a["rate"] for a, b in zip(alone[name], storm[name])]
        p99a = [r["p99_us"] for r in alone[name]]
        p99s = [r["p99_us"] for r in storm[name]]
        print(f"| {name} | {statistics.median(r['rate'] for r in alone[name]):.0f} | {statistics.median(p99a):.0f} | "
              f"{statistics.median(r['rate'] for r in storm[name]):.0f} | {statistics.median(p99s):.0f} "
              f"({min(p99s):.0f}–{max(p99s):.0f}) | {statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) | "
              f"{statistics.median(logins[name]):.1f} |")
    if busy:
        print(f"\nOne login at a time while {os.cpu_count()} nice-0 busy loops run in other processes "
              f"({args.busy_logins} per setting):")
        print("| setting | login median ms | longest ms |")
        print("|---|---|---|")
        for name, times in busy.items():
            print(f"| {name} | {statistics.median(times) * 1e3:.0f} | {max(times) * 1e3:.0f} |")
    return 0


def busy_host_logins(daemons: dict[str, Daemon], count: int) -> dict[str, list[float]]:
    """Seconds per login, one at a time, while one busy loop per core runs at nice 0 in other processes."""
    if count <= 0:
        return {}
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        time.sleep(0.5)
        times: dict[str, list[float]] = {}
        for name, d in daemons.items():
            with d.client().open("io.riegel.Auth") as a:
                for _ in range(count):
                    started = time.monotonic()
                    a.Login(username="storm0", password=PASSWORD, client={"ip": "192.0.2.250", "user_agent": "busy"})
                    times.setdefault(name, []).append(time.monotonic() - started)
        return times
    finally:
        for h in hogs:
            h.kill()
            h.wait()


if __name__ == "__main__":
    sys.exit(main())
