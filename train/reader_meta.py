"""Rewrites the blend a contextual reader file (DBRD, crates/debrief-core/src/learned/reader.rs)
carries in its meta, leaving its weights as they are: how the bar and weight shipped were chosen
on the dev split without retraining.

Usage: python3 train/reader_meta.py IN.bin OUT.bin key=value...   (from=0.3 weight=0.5
only_lowers=0 only_raises=1 class=claims; numbers stay numbers, 0/1 for only_lowers and
only_raises)
"""

import json
import struct
import sys


def main(src, dst, *pairs):
    b = open(src, "rb").read()
    assert b[:4] == b"DBRD", f"{src}: not a reader file"
    (n,) = struct.unpack_from("<I", b, 32)
    meta = json.loads(b[36 : 36 + n])
    at = 36 + n
    at += (4 - at % 4) % 4
    for p in pairs:
        k, v = p.split("=", 1)
        meta[k] = v if k in ("class", "provenance") else (v == "1" if k in ("only_lowers", "only_raises") else float(v))
    m = json.dumps(meta, sort_keys=True).encode()
    out = bytearray(b[:32] + struct.pack("<I", len(m)) + m)
    out += b"\0" * ((4 - len(out) % 4) % 4)
    out += b[at:]
    open(dst, "wb").write(out)
    print(json.dumps(meta))


if __name__ == "__main__":
    main(*sys.argv[1:])
