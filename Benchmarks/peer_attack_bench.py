#!/usr/bin/env python3
"""An honest client's CheckSession latency while local peers attack riegeld (issue 11, items 3 and 8).

One run (~30 s): starts riegeld (via Tests/IntegrationTests/riegel_harness.py), registers a
user and logs in 16 times, then measures CheckSession at c=16 (touch=true) with the C load
generator Benchmarks/varlink_load.c (--epoll), each for --duration seconds:
  1. quiet;
  2. while NOREAD connections send GetInterfaceDescription calls (105 bytes, ~9 KB reply),
     one per send, paced ~1 ms per round, and never read a reply; reports riegeld's VmRSS before/after and the bytes riegeld took;
  3. while a peer with no role (uid 65534, via setpriv; needs root) pipelines
     io.riegel.Admin.Status calls on 4 connections as fast as it can, reading the
     PermissionDenied replies; reports the denial rate and the permission.denied audit rows.

Usage (repo root): RIEGEL_BIN_DIR=.build/release .venv/bin/python Benchmarks/peer_attack_bench.py
  [--duration 3] [--noread 8]
"""
from __future__ import annotations

import argparse
import os
import socket
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

from riegel_harness import RIEGELD, Daemon, make_root, remove_root  # noqa: E402
from session_bench import SESSION_CONFIG, build_load_generator, login_tokens, rss_kib, run_load, write_tokens  # noqa: E402

DESCRIBE = b'{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.riegel.Auth"}}\0'

DENIAL_FLOOD = r"""
import socket, sys, threading, time
path, seconds = sys.argv[1], float(sys.argv[2])
call = b'{"method":"io.riegel.Admin.Status"}\0' * 50
counts = []
def run():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path)
    n = 0; end = time.monotonic() + seconds; buf = b""
    while time.monotonic() < end:
        s.sendall(call)
        got = 0
        while got < 50:
            chunk = s.recv(1 << 16)
            if not chunk: raise SystemExit("closed")
            got += chunk.count(b"\0")
        n += 50
    counts.append(n)
threads = [threading.Thread(target=run) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(sum(counts))
"""


def noread_flood(path: Path, conns: int, stop: threading.Event, sent: list[int]):
    socks = []
    for _ in range(conns):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(str(path))
        s.setblocking(False)
        socks.append(s)
    # One call per send, paced: each read riegeld makes holds one call (the shape that
    # grew its memory before backpressure; batches filled its 64-call queue instead).
    while not stop.is_set():
        progress = False
        for s in socks:
            try:
                sent[0] += s.send(DESCRIBE)
                progress = True
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                pass
        time.sleep(0.001 if progress else 0.01)
    for s in socks:
        s.close()


def denial_rows(d: Daemon) -> tuple[int, int]:
    with d.client().open("io.riegel.Audit") as audit:
        events = [r["event"] for r in audit.Query(filter={"types": ["permission.denied"]}, _more=True) if "event" in r]
    return len(events), sum(int(e.get("details", {}).get("count", "1")) for e in events)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=3.0)
    ap.add_argument("--noread", type=int, default=8, help="connections that never read")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="riegel-peer-bench-"))
    root = make_root()
    d = Daemon(root, extra_config=SESSION_CONFIG).start()
    try:
        load = build_load_generator(tmp)
        tokens = write_tokens(tmp / "tokens", login_tokens(d, 16))
        pid = d.proc.pid
        print(f"riegeld: {RIEGELD}")
        quiet = run_load(load, d.sock, 16, args.duration, tokens, server_pid=pid, epoll=True)
        print(f"quiet: {quiet['rate']:.0f} calls/s p50 {quiet['p50_us']:.0f} us p99 {quiet['p99_us']:.0f} us")

        before = rss_kib(pid)["VmRSS"]
        stop, sent = threading.Event(), [0]
        t = threading.Thread(target=noread_flood, args=(d.sock, args.noread, stop, sent))
        t.start()
        time.sleep(0.5)
        attacked = run_load(load, d.sock, 16, args.duration, tokens, server_pid=pid, epoll=True)
        after = rss_kib(pid)["VmRSS"]
        stop.set()
        t.join()
        print(f"{args.noread} peers not reading: {attacked['rate']:.0f} calls/s p50 {attacked['p50_us']:.0f} us "
              f"p99 {attacked['p99_us']:.0f} us; riegeld took {sent[0]} bytes of calls; "
              f"VmRSS {before} -> {after} KiB")

        rows0, _ = denial_rows(d)
        flood = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
                                  "-c", DENIAL_FLOOD, str(d.sock), str(args.duration + 1.0)],
                                 stdout=subprocess.PIPE, text=True, cwd="/")
        time.sleep(0.5)
        denied_run = run_load(load, d.sock, 16, args.duration, tokens, server_pid=pid, epoll=True)
        out, _ = flood.communicate(timeout=60)
        denied = int(out.strip() or 0)
        time.sleep(1.0)
        rows1, counted = denial_rows(d)
        print(f"denial flood ({denied / (args.duration + 1.0):.0f} denials/s): {denied_run['rate']:.0f} calls/s "
              f"p50 {denied_run['p50_us']:.0f} us p99 {denied_run['p99_us']:.0f} us; "
              f"audit rows {rows1 - rows0} for {denied} denials (counts so far {counted})")
    finally:
        d.stop()
        remove_root(root)


if __name__ == "__main__":
    main()
