"""Photos and signatures attached to an order: kinds, accepted image types and the size
limit a node checks before queueing a blob (the hub's blob store enforces the same)."""

PHOTO, SIGNATURE = "photo", "signature"
KINDS = frozenset({PHOTO, SIGNATURE})
MIMES = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_BYTES = 16 * 1024 * 1024
