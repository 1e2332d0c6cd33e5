"""The customer's signature is saved as a PNG drawn from the pad's strokes: ink where the
pen went, white elsewhere, at twice the pad's size."""
import struct
import zlib

from node.ui.png import strokes_png


def decode(png: bytes) -> tuple[int, int, list[bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(png):
        (n,), kind = struct.unpack(">I", png[pos:pos + 4]), png[pos + 4:pos + 8]
        data = png[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", png[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + data)
        if kind == b"IHDR":
            width, height = struct.unpack(">II", data[:8])
        elif kind == b"IDAT":
            idat += data
        pos += 12 + n
    raw = zlib.decompress(idat)
    rows = [raw[y * (width + 1) + 1:(y + 1) * (width + 1)] for y in range(height)]
    return width, height, rows


def test_ink_follows_the_strokes():
    stroke = [(10.0, 50.0), (60.0, 50.0), (60.0, 20.0)]  # right, then up
    width, height, rows = decode(strokes_png([stroke, [(100.0, 90.0)]], 120, 100))
    assert (width, height) == (240, 200)
    assert rows[100][20] == 0 and rows[100][70] == 0 and rows[70][120] == 0  # along the lines (×2)
    assert rows[180][200] == 0  # the dot
    assert rows[20][20] == 255 and rows[150][50] == 255  # nowhere near
    assert sum(px == 0 for row in rows for px in row) < width * height // 10


def test_no_strokes_is_a_blank_page():
    _, _, rows = decode(strokes_png([], 50, 20))
    assert all(px == 255 for row in rows for px in row)
