"""Size limits on what is read: records too large, and compressed inputs that expand past a ratio (decompression bombs)."""

from __future__ import annotations

import hashlib
import io
from typing import IO, Any


class TooLarge(ValueError):
    pass


class Bomb(TooLarge):
    """Decompressed bytes outgrow the compressed ones by more than max_ratio."""


class CountingReader(io.RawIOBase):
    """A read-only stream over a file's stored bytes that counts them (the
    compressed side of a decompressor, for the expansion-ratio check) and
    hashes them (the manifest's content_sha256, without reading the file twice)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._sha256 = hashlib.sha256()
        self.count = 0
        self.eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self._sha256.update(data)
        self.count += len(data)
        self.eof = self.eof or not data
        return len(data)

    @property
    def sha256(self) -> str | None:
        """Hex SHA-256 of the whole file, once it has been read to its end."""
        return self._sha256.hexdigest() if self.eof else None


# Below this many decompressed bytes no ratio check: small, repetitive pages compress well.
RATIO_FLOOR = 1 << 20


def read_limited(stream: IO[bytes], limit: int, compressed: CountingReader | None = None, max_ratio: float = 0) -> bytes:
    """Read at most ``limit`` bytes, raising TooLarge as soon as more arrive,
    and Bomb as soon as the output passes max_ratio times the compressed input
    read so far: a decompression bomb is stopped while streaming, not after."""
    chunks, total = [], 0
    while True:
        chunk = stream.read(min(1 << 16, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise TooLarge(f"more than {limit} bytes")
        if compressed is not None and max_ratio and total > RATIO_FLOOR and total > max_ratio * max(compressed.count, 1):
            raise Bomb(f"expands more than {max_ratio:g} times ({compressed.count} compressed bytes gave {total} so far)")
    return b"".join(chunks)


def decompressing(stream: IO[bytes], compression: str | None) -> IO[bytes]:
    if compression is None:
        return stream
    from fsspec.compression import compr

    return compr[compression](stream, mode="rb")
