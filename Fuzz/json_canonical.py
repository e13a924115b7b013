"""Python's reading of JSON inputs, for the differential test of riegel's parser.

Reads inputs from stdin: each is a 4-byte big-endian length and that many
bytes. For each, writes one line: "reject" if Python does not read it as
JSON, else "accept " and a canonical form of the value (see canonical()).
Inputs are decoded as strict UTF-8 first: varlink is UTF-8 only (RFC 8259
§8.1), so json.loads's UTF-16/32 detection is not part of the comparison.
"""
import json
import struct
import sys


def canonical(value) -> str:
    """n, t, f; i<decimal>; d<IEEE-754 bits in hex>; s<UTF-8 hex> (S! for a
    string with a lone surrogate, which UTF-8 cannot hold); arrays in
    order; objects with members sorted by key."""
    if value is None:
        return "n"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return "d" + struct.pack(">d", value).hex()
    if isinstance(value, str):
        try:
            return "s" + value.encode("utf-8").hex()
        except UnicodeEncodeError:
            return "S!"
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        members = sorted((canonical(k), canonical(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in members) + "}"
    raise TypeError(type(value))


def main():
    data = sys.stdin.buffer.read()
    out = []
    offset = 0
    while offset < len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        offset += 4
        raw = data[offset:offset + length]
        offset += length
        try:
            out.append("accept " + canonical(json.loads(raw.decode("utf-8"))))
        except (UnicodeDecodeError, ValueError, RecursionError):
            out.append("reject")
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


main()
