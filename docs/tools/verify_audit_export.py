#!/usr/bin/env python3
"""Verify a riegel audit export offline, with the audit public key alone.

    python3 verify_audit_export.py trail.jsonl audit-key.pem [more-keys.pem ...]

Needs only the Python standard library and the PyPI package `cryptography`
(for Ed25519). Exit status 0 when the export is complete and untouched, 1 with
the first bad sequence number otherwise. The format is described in
docs/audit-export.md; this file is the third-party reference for it.
"""
import hashlib
import json
import struct
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

FORMAT = "riegel-audit-export-v1"
ENTRY_TAG = b"riegel-audit-v1"
CHECKPOINT_TAG = b"riegel-audit-checkpoint-v1"
GENESIS = bytes(32)


class Bad(Exception):
    def __init__(self, seq, problem):
        super().__init__(problem)
        self.seq = seq
        self.problem = problem


def _string(value):
    data = value.encode("utf-8")
    return struct.pack(">I", len(data)) + data


def _optional(value, encode):
    return b"\x00" if value is None else b"\x01" + encode(value)


def _integer(value):
    return struct.pack(">q", value)


def entry_hash(previous, line):
    """SHA-256(previous || canonical encoding), as docs/audit-export.md defines it."""
    out = ENTRY_TAG + _integer(line["seq"]) + struct.pack(">d", float(line["time_unix"]))
    out += _string(line["type"]) + _string(line["outcome"])
    out += _optional(line.get("user_id"), _string)
    out += _optional(line.get("reason"), _string)
    out += _optional(line.get("peer_uid"), _integer)
    out += _optional(line.get("peer_pid"), _integer)
    out += _optional(line.get("client_ip"), _string)
    out += _optional(line.get("user_agent"), _string)
    details = sorted((line.get("details") or {}).items(), key=lambda kv: kv[0].encode("utf-8"))
    out += _integer(len(details))
    for key, value in details:
        out += _string(key) + _string(value)
    return hashlib.sha256(previous + out).digest()


def signed(keys, line):
    """Whether the line's signature over (seq, hash) verifies under any trusted key."""
    if "signature" not in line:
        return False
    message = CHECKPOINT_TAG + _integer(line["seq"]) + bytes.fromhex(line["hash"])
    signature = bytes.fromhex(line["signature"])
    for key in keys:
        try:
            key.verify(signature, message)
            return True
        except InvalidSignature:
            continue
    return False


def verify(lines, keys):
    """Returns (first_seq, last_seq, entries); raises Bad at the first problem."""
    expected, previous, first, entries, head = None, None, None, 0, None
    for number, text in enumerate(lines, start=1):
        if head is not None:
            raise Bad(head + 1, f"line {number} follows the head line: lines were appended after the export ended")
        try:
            line = json.loads(text)
            kind = line["kind"]
        except (ValueError, KeyError, TypeError) as error:
            raise Bad(expected or 0, f"line {number} is not an export record: {error}")
        try:
            if expected is None:
                if kind != "start" or line.get("format") != FORMAT:
                    raise Bad(0, f"line {number}: an export starts with a {FORMAT} start line")
                previous = bytes.fromhex(line["hash"])
                if not (line["seq"] == 0 and previous == GENESIS) and not signed(keys, line):
                    raise Bad(line["seq"], f"the start line (seq {line['seq']}) is not signed by a given key")
                expected = first = line["seq"] + 1
            elif kind == "event":
                seq = line["seq"]
                if seq != expected:
                    what = "missing" if seq > expected else "out of order or inserted"
                    raise Bad(min(seq, expected), f"line {number}: entry {seq} where {expected} was due ({what})")
                if bytes.fromhex(line["previous_hash"]) != previous:
                    raise Bad(seq, f"entry {seq} does not link to entry {seq - 1}")
                computed = entry_hash(previous, line)
                if computed != bytes.fromhex(line["hash"]):
                    raise Bad(seq, f"entry {seq} was altered: its hash does not match its contents")
                previous, expected, entries = computed, expected + 1, entries + 1
            elif kind in ("checkpoint", "head"):
                seq = line["seq"]
                if seq != expected - 1 or bytes.fromhex(line["hash"]) != previous:
                    raise Bad(min(seq, expected), f"line {number}: {kind} {seq} does not match the chain at entry {expected - 1}")
                if not signed(keys, line):
                    raise Bad(seq, f"{kind} {seq}: its signature does not verify under a given key")
                if kind == "head":
                    head = seq
            else:
                raise Bad(expected, f"line {number}: unknown record kind {kind!r}")
        except (KeyError, ValueError, TypeError) as error:
            raise Bad(expected or 0, f"line {number}: malformed {kind} record: {error!r}")
    if expected is None:
        raise Bad(0, "the export is empty")
    if head is None:
        raise Bad(expected, f"the export is truncated after entry {expected - 1}: no signed head line")
    return first, head, entries


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    keys = []
    for path in argv[2:]:
        with open(path, "rb") as f:
            keys.append(load_pem_public_key(f.read()))
    with open(argv[1], encoding="utf-8") as f:
        lines = [line for line in f.read().split("\n") if line]
    try:
        first, last, entries = verify(lines, keys)
    except Bad as bad:
        print(f"FAILED at seq {bad.seq}: {bad.problem}")
        return 1
    print(f"ok: entries {first}-{last} ({entries} entries), complete and signed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
