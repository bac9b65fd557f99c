#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Turns a captured report stream (report.bin) into seeds for fuzz_reports: the stream as it
# is, and the same frames without checksums ([u8 type][u16 len][payload]...) so mutations
# reach the result builder. The job frame (type 100) becomes type 40 (the target maps types
# of 40 and above to JOB).
# usage: tests/fuzz/seed-from-stream.py STREAM OUTDIR
import os, struct, sys

src, out = sys.argv[1], sys.argv[2]
data = open(src, 'rb').read()
name = os.path.splitext(os.path.basename(src))[0]
chunks, off = bytearray(b'\x03'), 0
while True:
    off = data.find(b'KTSR', off)
    if off < 0 or off + 20 > len(data):
        break
    _, _, ftype, _, length, _ = struct.unpack_from('<IHHIII', data, off)
    payload = data[off + 20:off + 20 + length]
    if length > 0xffff or len(payload) != length:
        off += 1
        continue
    chunks += struct.pack("<BH", ftype if ftype < 40 else 40, length) + payload
    off += 20 + length + 8
os.makedirs(out, exist_ok=True)
open(os.path.join(out, name + '.bin'), 'wb').write(data)
open(os.path.join(out, name + '.frames'), 'wb').write(bytes(chunks))
