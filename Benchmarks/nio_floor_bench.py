#!/usr/bin/env python3
"""The floor under CheckSession on SwiftNIO (issue 18): CPU per call of riegeld,
of the least a NIO server can do per call, and of redis, in the same run.

Three servers on Unix sockets, driven alike by Benchmarks/varlink_load.c
(c=16, --epoll: one client thread, one call in flight per connection):

  riegeld    CheckSession (touch=true) over 16 live sessions (release build);
  nio-floor  Benchmarks/nio-floor: riegeld's event-loop setup (one loop per
             core) answering each NUL-terminated message with a fixed reply
             of riegeld's reply size, without reading it: what NIO and the
             kernel cost for one read and one write per call;
  redis      GET of a 43-byte value (--raw, as session_bench.py), the issue's anchor.

ROUNDS rounds, the order rotated each round; each server's CPU time (user and
system, all threads, /proc/PID/stat) per call, medians over the rounds. The
issue's goal is riegeld CPU per call <= 2x redis's; if nio-floor alone is
at or above that, no handler riegeld could run on NIO meets it.

Usage (repo root; redis-server and cc as for session_bench.py):
  swift build -c release --product riegeld && swift build -c release --product nio-floor
  .venv/bin/python Benchmarks/nio_floor_bench.py [--rounds 7] [--duration 3]
"""
import argparse
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
sys.path.insert(0, str(REPO / "Benchmarks"))

from riegel_harness import RIEGELD, Daemon, make_root, raw_call, raw_connect, remove_root  # noqa: E402
from session_bench import SESSION_CONFIG, Redis, build_load_generator, login_tokens, run_load, write_tokens  # noqa: E402


def reply_size(sock: Path, token: str) -> int:
    """Bytes of one CheckSession reply, NUL included."""
    with raw_connect(sock) as s:
        reply = raw_call(s, b'{"method":"io.riegel.Auth.CheckSession","parameters":{"token":"%s"}}' % token.encode())
    if b'"error"' in reply:
        raise RuntimeError(f"CheckSession failed: {reply!r}")
    return len(reply) + 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--duration", type=float, default=3.0)
    args = ap.parse_args()
    floor_bin = Path(os.environ["RIEGEL_BIN_DIR"]) / "nio-floor"
    for need in (RIEGELD, floor_bin):
        if not need.exists():
            sys.exit(f"{need} is missing: swift build -c release --product {need.name}")
    root = make_root()
    tmp = Path(tempfile.mkdtemp(prefix="riegel-floor-"))
    load = build_load_generator(tmp)
    redis = Redis(tmp)
    d = Daemon(root, extra_config=SESSION_CONFIG).start()
    floor = None
    rows: dict[str, list[dict]] = {"riegeld": [], "nio-floor": [], "redis": []}
    try:
        tokens = login_tokens(d, 16)
        tokfile = write_tokens(tmp / "tokens", tokens)
        size = reply_size(d.sock, tokens[0])
        floor_sock = tmp / "floor.sock"
        floor = subprocess.Popen([str(floor_bin), str(floor_sock), str(size)], stdout=subprocess.PIPE, text=True)
        if "listening" not in floor.stdout.readline():
            raise RuntimeError("nio-floor did not start")
        servers = {
            "riegeld": lambda: run_load(load, d.sock, 16, args.duration, tokfile, server_pid=d.proc.pid, epoll=True),
            "nio-floor": lambda: run_load(load, floor_sock, 16, args.duration, tokfile, server_pid=floor.pid,
                                          epoll=True),
            "redis": lambda: run_load(load, redis.sock, 16, args.duration, raw=True, server_pid=redis.proc.pid,
                                      epoll=True),
        }
        names = list(servers)
        for i in range(args.rounds):
            for name in names[i % 3:] + names[:i % 3]:
                r = servers[name]()
                rows[name].append(r)
                print(f"round {i} {name:9s} {r['rate']:8.0f} calls/s p99 {r['p99_us']:5.0f} us  CPU/call "
                      f"{r['cpu_user_us']:5.1f} user + {r['cpu_sys_us']:5.1f} sys = "
                      f"{r['cpu_user_us'] + r['cpu_sys_us']:5.1f} us", flush=True)
    finally:
        if floor:
            floor.kill()
            floor.wait()
        d.stop()
        redis.stop()
        remove_root(root)

    def med(name, key):
        return statistics.median(r[key] for r in rows[name])

    def cpu(name):
        return statistics.median(r["cpu_user_us"] + r["cpu_sys_us"] for r in rows[name])

    print(f"\n{args.rounds} rounds of {args.duration:g} s, c=16 (varlink_load --epoll), reply {size} bytes, "
          f"{os.cpu_count()} cores; medians (range of CPU per call); loadavg {os.getloadavg()[0]:.1f}")
    print("| server | calls/s | p99 µs | CPU/call user µs | sys µs | total µs | ÷ redis |")
    print("|---|---|---|---|---|---|---|")
    for name in rows:
        totals = [r["cpu_user_us"] + r["cpu_sys_us"] for r in rows[name]]
        print(f"| {name} | {med(name, 'rate'):.0f} | {med(name, 'p99_us'):.0f} | {med(name, 'cpu_user_us'):.1f} | "
              f"{med(name, 'cpu_sys_us'):.1f} | {cpu(name):.1f} ({min(totals):.1f}–{max(totals):.1f}) | "
              f"{cpu(name) / cpu('redis'):.2f} |")
    above = cpu("riegeld") - cpu("nio-floor")
    print(f"\nriegeld above the NIO floor: {above:.1f} µs per call ({above / cpu('riegeld'):.0%} of its CPU); "
          f"the goal (≤ 2× redis) allows {2 * cpu('redis'):.1f} µs, the floor alone takes "
          f"{cpu('nio-floor') / (2 * cpu('redis')):.0%} of that")
    return 0


if __name__ == "__main__":
    sys.exit(main())
