"""Photos and signatures attached to an order: kinds, accepted image types and the size
limit a node checks before queueing a blob (the hub's blob store enforces the same)."""

PHOTO, SIGNATURE = "photo", "signature"
KINDS = frozenset({PHOTO, SIGNATURE})
MIMES = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_BYTES = 16 * 1024 * 1024


def sniff_mime(data: bytes) -> str | None:
    """The image type by its first bytes (a file's name may lie), None if not one of ours."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
