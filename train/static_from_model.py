"""Writes the word pieces' static vectors that a judge model carries (train/static.bin's format:
b"DBSTATIC", u32 S, u32 N, then per piece an f32 scale and S int8) back out of the model file.

The judge model holds the same int8 rows and scales that train/static.py wrote, so this gives
train/static.bin byte for byte in a second, where distilling them again from all-MiniLM-L6-v2
takes many minutes on two cores. rebuild.sh checks the result against its pinned sha256 and
falls back to distilling where it differs.

Usage: python3 train/static_from_model.py packs/cloudflare-pm/model/judge.bin train/static.bin
"""

import struct
import sys


def main(model_path: str, out_path: str) -> None:
    b = open(model_path, "rb").read()
    if b[:4] != b"DBLM":
        sys.exit(f"{model_path}: not a debrief model")
    # The header (crates/debrief-core/src/learned/model.rs, Weights::to_bytes): format, feature
    # version, classes, dim, hidden, rows, table bits, members, static dim, static count.
    _fmt, _ver, _k, d, _h, v, bits, e, s, n = struct.unpack_from("<10I", b, 4)
    if s == 0 or n == 0:
        sys.exit(f"{model_path}: the model carries no static vectors")
    meta_len = struct.unpack_from("<I", b, 44)[0]
    at = 48 + meta_len
    at += -at % 8
    at += (1 << bits) * 4 + v * 8  # the hash table and the feature keys
    at += v * 4 + v * e * d  # the feature rows' scales and int8 rows
    scales = struct.unpack_from(f"<{n}f", b, at)
    at += n * 4
    rows = b[at : at + n * s]
    if len(rows) != n * s:
        sys.exit(f"{model_path}: shorter than its header says")
    out = bytearray(b"DBSTATIC" + struct.pack("<II", s, n))
    for i in range(n):
        out += struct.pack("<f", scales[i]) + rows[i * s : (i + 1) * s]
    with open(out_path, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
