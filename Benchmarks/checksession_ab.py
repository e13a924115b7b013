#!/usr/bin/env python3
"""CheckSession at c=16 (touch=true, varlink_load --epoll) on two riegeld builds, alternating.

Both daemons run at once (each with 16 sessions); ROUNDS rounds of 3 s per build,
the order flipped every round, so machine noise hits both alike.
Usage (repo root): .venv/bin/python Benchmarks/checksession_ab.py OLD_BIN_DIR NEW_BIN_DIR [ROUNDS]
"""
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))
sys.path.insert(0, str(REPO / "Benchmarks"))

import riegel_harness  # noqa: E402
from session_bench import SESSION_CONFIG, build_load_generator, login_tokens, run_load, write_tokens  # noqa: E402


def main():
    bins = {"old": Path(sys.argv[1]), "new": Path(sys.argv[2])}
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    tmp = Path(tempfile.mkdtemp(prefix="riegel-ab-"))
    load = build_load_generator(tmp)
    daemons = {}
    try:
        for name, bin_dir in bins.items():
            riegel_harness.RIEGELD = bin_dir / "riegeld"
            d = riegel_harness.Daemon(riegel_harness.make_root(), extra_config=SESSION_CONFIG).start()
            daemons[name] = (d, write_tokens(tmp / f"tokens-{name}", login_tokens(d, 16)))
        for i in range(rounds):
            for name in ("old", "new") if i % 2 == 0 else ("new", "old"):
                d, tokens = daemons[name]
                r = run_load(load, d.sock, 16, 3.0, tokens, epoll=True)
                print(f"round {i} {name}: {r['rate']:.0f} calls/s p50 {r['p50_us']:.0f} us p99 {r['p99_us']:.0f} us",
                      flush=True)
    finally:
        for d, _ in daemons.values():
            d.stop()
            riegel_harness.remove_root(d.root)


if __name__ == "__main__":
    main()
