"""A small PNG drawn in pure Python: the stand-in the UI attaches for a photo or a
customer signature until the tablet's camera and a signature pad are wired in."""
import struct
import time
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def placeholder_png(width: int = 240, height: int = 80, seed: int | None = None) -> bytes:
    """Greyscale: white with a wavy stroke (unique per call, so two attachments differ)."""
    seed = int(time.time() * 1000) if seed is None else seed
    rows = []
    for y in range(height):
        row = bytearray([255] * width)
        for x in range(width):
            wave = height // 2 + int((height // 3) * (((x * 7 + seed) % 97) / 97 - 0.5) * (1 if x % 40 < 20 else -1))
            if abs(y - wave) <= 1:
                row[x] = 20
        rows.append(b"\x00" + bytes(row))
    raw = b"".join(rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")
