#!/usr/bin/env python3
"""What the memory a libargon2 hash works in costs (issue 18). A benchmark, not a test.

riegeld hashes in blocks from `Argon2WorkingMemory`: mapped once 2 MiB-aligned,
`madvise(MADV_HUGEPAGE)`d and kept between hashes. This script calls the same
library riegeld links (Debian's libargon2.so.1, `argon2_ctx`, argon2id at riegeld's
parameters m=19456 KiB, t=2, p=1) from one thread per core, each thread turning
through three kinds of memory hash by hash, so that all three see the same load:

- malloc    no callbacks: libargon2 mallocs and frees (what `argon2id_hash_raw`
            does, and riegeld did before);
- kept      one block per thread, mapped once and reused, no advice;
- huge      the same block asked for transparent huge pages (riegeld's way).

It prints the CPU time per hash of each (thread CPU time, so other tenants'
load counts less), per round and the median, and the ratio to malloc.

Usage (repo root, after `scripts/setup --test`):

    .venv/bin/python Benchmarks/argon2_memory_bench.py [--rounds 5] [--hashes 30]
"""
from __future__ import annotations

import argparse
import ctypes
import mmap
import os
import statistics
import threading
import time
from pathlib import Path

M_KIB, T_COST, LANES, HASH_LEN, SALT_LEN = 19456, 2, 1, 32, 16
GRANULE = 2 << 20
KINDS = ("malloc", "kept", "huge")

ALLOCATE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.c_size_t)
FREE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_size_t)


class Argon2Context(ctypes.Structure):
    """argon2.h's `argon2_context` (libargon2 20171227)."""
    _fields_ = [("out", ctypes.c_void_p), ("outlen", ctypes.c_uint32),
                ("pwd", ctypes.c_void_p), ("pwdlen", ctypes.c_uint32),
                ("salt", ctypes.c_void_p), ("saltlen", ctypes.c_uint32),
                ("secret", ctypes.c_void_p), ("secretlen", ctypes.c_uint32),
                ("ad", ctypes.c_void_p), ("adlen", ctypes.c_uint32),
                ("t_cost", ctypes.c_uint32), ("m_cost", ctypes.c_uint32),
                ("lanes", ctypes.c_uint32), ("threads", ctypes.c_uint32),
                ("version", ctypes.c_uint32),
                ("allocate_cbk", ALLOCATE), ("free_cbk", FREE),
                ("flags", ctypes.c_uint32)]


LIB = ctypes.CDLL("libargon2.so.1")
LIB.argon2_ctx.argtypes = [ctypes.POINTER(Argon2Context), ctypes.c_int]
LIB.argon2_ctx.restype = ctypes.c_int
ARGON2_ID = 2
local = threading.local()


def block(advise: bool) -> int:
    """This thread's block for `advise`: a mapping one granule larger than the hash's
    memory, used from its first 2 MiB boundary (as riegeld aligns its blocks)."""
    key = "huge" if advise else "kept"
    if not hasattr(local, key):
        size = (M_KIB * 1024 + GRANULE - 1) // GRANULE * GRANULE
        m = mmap.mmap(-1, size + GRANULE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        if advise:
            m.madvise(mmap.MADV_HUGEPAGE)
        base = ctypes.addressof(ctypes.c_char.from_buffer(m))
        setattr(local, key, (m, (base + GRANULE - 1) // GRANULE * GRANULE))
    return getattr(local, key)[1]


def _allocate(advise: bool):
    def allocate(memory, _size):
        memory[0] = block(advise)
        return 0
    return ALLOCATE(allocate)


CALLBACKS = {"kept": (_allocate(False), FREE(lambda _m, _s: None)),
             "huge": (_allocate(True), FREE(lambda _m, _s: None))}


def hash_once(kind: str, pwd: bytes) -> None:
    salt, out = os.urandom(SALT_LEN), ctypes.create_string_buffer(HASH_LEN)
    ctx = Argon2Context(out=ctypes.cast(out, ctypes.c_void_p), outlen=HASH_LEN,
                        pwd=ctypes.cast(ctypes.c_char_p(pwd), ctypes.c_void_p), pwdlen=len(pwd),
                        salt=ctypes.cast(ctypes.c_char_p(salt), ctypes.c_void_p), saltlen=SALT_LEN,
                        t_cost=T_COST, m_cost=M_KIB, lanes=LANES, threads=LANES, version=0x13, flags=0)
    if kind in CALLBACKS:
        ctx.allocate_cbk, ctx.free_cbk = CALLBACKS[kind]
    rc = LIB.argon2_ctx(ctypes.byref(ctx), ARGON2_ID)
    if rc != 0:
        raise RuntimeError(f"argon2_ctx: {rc}")


def round_(threads: int, hashes: int) -> dict[str, float]:
    """CPU ms per hash of each kind, `hashes` of each kind per thread, kinds in turn."""
    cpu = {k: [] for k in KINDS}
    lock = threading.Lock()

    def worker(i: int) -> None:
        for k in KINDS:
            hash_once(k, b"warm-up")
        for n in range(hashes * len(KINDS)):
            kind = KINDS[(n + i) % len(KINDS)]
            t0 = time.thread_time()
            hash_once(kind, b"benchmark-password-%d" % i)
            with lock:
                cpu[kind].append(time.thread_time() - t0)

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return {k: 1000 * statistics.fmean(v) for k, v in cpu.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--hashes", type=int, default=30, help="hashes of each kind per thread and round")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    thp = Path("/sys/kernel/mm/transparent_hugepage/enabled").read_text().strip()
    print(f"argon2id m={M_KIB} KiB t={T_COST} p={LANES}, {args.threads} threads, "
          f"{args.hashes} hashes of each kind per thread and round; transparent_hugepage: {thp}")
    rounds = []
    for r in range(args.rounds):
        res = round_(args.threads, args.hashes)
        rounds.append(res)
        print(f"round {r + 1}: " + ", ".join(f"{k} {res[k]:.2f} ms" for k in KINDS)
              + f" | huge ÷ malloc {res['huge'] / res['malloc']:.3f}", flush=True)
    print("\n| memory | CPU ms per hash, median (range) | ÷ malloc, median (range) |\n|---|---|---|")
    for k in KINDS:
        v = [x[k] for x in rounds]
        q = [x[k] / x["malloc"] for x in rounds]
        print(f"| {k} | {statistics.median(v):.2f} ({min(v):.2f}–{max(v):.2f}) | "
              f"{statistics.median(q):.3f} ({min(q):.3f}–{max(q):.3f}) |")


if __name__ == "__main__":
    main()
