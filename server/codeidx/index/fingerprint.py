"""File fingerprints: size, mtime_ns and a content hash.

A file whose size and mtime_ns match the index is not read at all; one whose
stat changed is read and hashed, and only parsed when the hash differs too
(``touch``, ``git checkout`` of identical content, copies).
"""

from __future__ import annotations

import hashlib


def content_hash(data: bytes) -> str:
    """A 128-bit BLAKE2b hex digest: collision-safe and about 1 GB/s."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def looks_binary(data: bytes) -> bool:
    """A NUL byte in the first 8 KiB means binary, as git decides."""
    return b"\0" in data[:8192]
