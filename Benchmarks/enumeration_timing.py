"""Issue 11, item 10: how long a wrong-password Login takes for an unknown
user (the anchor, measured in the same run) and for known users whose stored
hash is cheaper or dearer than the configured argon2id parameters.

Run from the repo root:
  RIEGEL_BIN_DIR=.build/debug .venv/bin/python Benchmarks/enumeration_timing.py [rounds]

Prints one Markdown table row per kind of user: median and p90 of
interleaved calls and the ratio of the medians to the unknown-user anchor;
then the share of slow answers (above the midpoint of the current-parameter
and the bcrypt-12 medians) among unknown names and among known users: unknown
names are verified against sampled stored hashes, so the two shares should
match the population (a third of the known users here are bcrypt-12).
Each known user gets at most 3 wrong passwords (below the throttle's delay).
"""
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Tests" / "IntegrationTests"))

import bcrypt  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from passlib.hash import pbkdf2_sha256  # noqa: E402

from riegel_harness import Daemon, make_root, remove_root  # noqa: E402

PW = "Kl4vier-Sonate-Mond"
WRONG = "Wrong-Wrong-99"


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    kinds = {
        "pbkdf2-sha256, 1000 rounds (cheap import)": lambda: pbkdf2_sha256.using(rounds=1000).hash(PW),
        "argon2id m=19456 t=2 p=1 (current parameters)": lambda: PasswordHasher(
            time_cost=2, memory_cost=19456, parallelism=1).hash(PW),
        "bcrypt cost 12 (dear import)": lambda: bcrypt.hashpw(PW.encode(), bcrypt.gensalt(rounds=12)).decode(),
    }
    users_per_kind = (rounds + 2) // 3
    root = make_root()
    d = Daemon(root).start()
    try:
        names = {}
        with d.client().open("io.riegel.Admin") as adm:
            for k, (kind, make) in enumerate(kinds.items()):
                names[kind] = [f"k{k}u{i}" for i in range(users_per_kind)]
                for n in names[kind]:
                    adm.ImportAccount(username=n, password_hash=make())
        times = {"unknown user (anchor)": []} | {kind: [] for kind in kinds}
        with d.client().open("io.riegel.Auth") as a:
            def timed(name):
                start = time.perf_counter()
                try:
                    a.Login(username=name, password=WRONG)
                except Exception:
                    pass
                return time.perf_counter() - start
            for r in range(rounds):
                times["unknown user (anchor)"].append(timed(f"ghost{r}"))
                for kind in kinds:
                    times[kind].append(timed(names[kind][r % users_per_kind]))
        anchor = statistics.median(times["unknown user (anchor)"])
        print("| user | median | p90 | median / anchor |")
        print("|---|---|---|---|")
        for kind, ts in times.items():
            ts = sorted(ts)
            med = statistics.median(ts)
            p90 = ts[int(len(ts) * 0.9) - 1]
            print(f"| {kind} | {med * 1000:.1f} ms | {p90 * 1000:.1f} ms | {med / anchor:.2f}× |")
        kinds_list = list(kinds)
        cut = (statistics.median(times[kinds_list[1]]) + statistics.median(times[kinds_list[2]])) / 2
        known_all = [t for kind in kinds for t in times[kind]]
        unknown_all = times["unknown user (anchor)"]
        share = lambda ts: sum(t > cut for t in ts) / len(ts)  # noqa: E731
        print(f"\nslow answers (> {cut * 1000:.0f} ms): unknown names {share(unknown_all):.0%}, "
              f"known users {share(known_all):.0%}")
        print(f"\n{rounds} rounds, interleaved; binary {d.address and Path(sys.modules['riegel_harness'].RIEGELD)}")
    finally:
        d.stop()
        d.notify.close()
        remove_root(root)


if __name__ == "__main__":
    main()
