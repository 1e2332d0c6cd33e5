"""Rebuild shared/ui_assets/fonts/NotoSansSC-subset.otf: Flutter's CanvasKit renders no
Chinese offline unless the app serves a font, and it cannot read .ttc collections. We take
Noto Sans CJK SC (SIL OFL 1.1, Debian's fonts-noto-cjk) and keep GB2312's hanzi, ASCII,
CJK punctuation and a few symbols: ~3.4 MB instead of ~19 MB.

Usage: apt-get install -y fonts-noto-cjk; pip install fonttools; python tools/make_ui_font.py"""
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
TARGET = Path(__file__).parent.parent / "shared" / "ui_assets" / "fonts" / "NotoSansSC-subset.otf"
SYMBOLS = {0xA5, 0xB7, 0x2014, 0x2026, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x25B2, 0x25BC,
           0x2713, 0x2717, 0x2192}


def gb2312_hanzi() -> set[int]:
    chars = set()
    for b1 in range(0xB0, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([b1, b2]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def main() -> None:
    font = next(f for f in TTCollection(SOURCE).fonts if f["name"].getDebugName(4) == "Noto Sans CJK SC")
    chars = set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0)) | SYMBOLS | gb2312_hanzi()
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(chars))
    sub.subset(font)
    font.save(TARGET)
    print(f"{TARGET}: {len(chars)} characters, {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    main()
