"""A file received from a multipart upload (a bulk import's, a tip's attachment): spooled to
disk while hashed, never held whole in memory."""
from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from .errors import ApiError


@dataclass(frozen=True)
class Upload:
    name: str
    size: int
    sha256: str
    content_type: str  # as the client declared it
    path: Path


async def receive(request: Request, path: Path, max_bytes: int) -> Upload:
    """The multipart field `file`, spooled by Starlette, copied to `path` while hashed."""
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise ApiError(422, "no file in the upload", fields=[{"field": "file", "reason": "is required"}])

    def copy() -> tuple[int, str]:
        digest, size = hashlib.sha256(), 0
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as out:
            while chunk := upload.file.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise ApiError(413, f"the file is larger than {max_bytes} bytes",
                                   fields=[{"field": "file", "reason": f"at most {max_bytes} bytes"}])
                digest.update(chunk)
                out.write(chunk)
        return size, digest.hexdigest()

    try:
        size, sha = await asyncio.to_thread(copy)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        await form.close()
    return Upload(upload.filename or "upload", size, sha, upload.content_type or "application/octet-stream", path)
