"""Make small, valid binary payloads for models whose output is a file (`format: binary`)."""

from __future__ import annotations

import random
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def binary_payload(content_type: str, rng: random.Random) -> bytes:
    """Return bytes a client can take for `content_type`: a real image for image/png."""
    if content_type == "image/png":
        return tiny_png(rng)
    return rng.randbytes(rng.randint(16, 64))


def tiny_png(rng: random.Random) -> bytes:
    """Return a valid PNG of 1 to 4 pixels a side, filled with one seeded colour."""
    side = rng.randint(1, 4)
    colour = rng.randbytes(3)
    rows = b"".join(b"\x00" + colour * side for _ in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
