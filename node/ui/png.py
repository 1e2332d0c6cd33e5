"""The customer's signature as a PNG, drawn in pure Python from the strokes the signature
pad collected (lists of points in the pad's logical pixels): greyscale, black ink on
white, no image library needed on the node."""
import struct
import zlib
from itertools import pairwise

Stroke = list[tuple[float, float]]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def grey_png(width: int, height: int, pixels: bytes) -> bytes:
    """An 8-bit greyscale PNG of `pixels` (row by row, width·height bytes)."""
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b""))


def strokes_png(strokes: list[Stroke], width: int, height: int, scale: int = 2, pen: float = 1.5) -> bytes:
    """Each stroke as a line of pen radius `pen` through its points, at `scale`× the
    pad's size (a signature stays legible when printed); a one-point stroke is a dot."""
    w, h, r = width * scale, height * scale, max(1.0, pen * scale)
    ink = bytearray(b"\xff" * (w * h))
    ri = int(r + 1)
    disc = [(dx, dy) for dy in range(-ri, ri + 1) for dx in range(-ri, ri + 1) if dx * dx + dy * dy <= r * r]

    def dab(cx: float, cy: float) -> None:
        x0, y0 = int(round(cx)), int(round(cy))
        for dx, dy in disc:
            x, y = x0 + dx, y0 + dy
            if 0 <= x < w and 0 <= y < h:
                ink[y * w + x] = 0

    for stroke in strokes:
        pts = [(x * scale, y * scale) for x, y in stroke]
        if not pts:
            continue
        dab(*pts[0])
        for (x1, y1), (x2, y2) in pairwise(pts):
            steps = max(1, int(max(abs(x2 - x1), abs(y2 - y1)) / max(1.0, r / 2)))
            for i in range(1, steps + 1):
                dab(x1 + (x2 - x1) * i / steps, y1 + (y2 - y1) * i / steps)
    return grey_png(w, h, bytes(ink))
