"""Footage uploads: a multipart body is parsed as it arrives, each chunk written to disk and
hashed in a worker thread (the event loop never waits on the disk), then the file is moved to
its content address `<dir>/<extraction_id>/<sha256>`."""
from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from services.common.errors import ApiError


class TooLarge(Exception):
    pass


@dataclass
class _Part:
    """The state of the one file part while the parser feeds it."""
    directory: Path
    max_bytes: int
    headers: dict[bytes, bytes] = field(default_factory=dict)
    field_name: bytes = b""
    name: str | None = None
    size: int = 0
    digest: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    handle: object = None
    path: Path | None = None
    files: int = 0
    _header: bytes = b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        key = self._header.lower()
        self.headers[key] = self.headers.get(key, b"") + data[start:end]

    def on_header_end(self) -> None:
        self._header = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.headers = {}
        if b"filename" not in options:
            return
        self.files += 1
        if self.files > 1:
            raise ApiError(422, "one file per upload", fields=[{"field": "file", "reason": "send one file per request"}])
        self.name = os.path.basename(options[b"filename"].decode("utf-8", "replace").replace("\\", "/"))
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".upload-")
        self.handle, self.path = os.fdopen(fd, "wb"), Path(tmp)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.handle is None or self.handle.closed:
            return
        chunk = data[start:end]
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise TooLarge()
        self.digest.update(chunk)
        self.handle.write(chunk)

    def discard(self) -> None:
        if self.handle is not None and not self.handle.closed:
            self.handle.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def on_part_end(self) -> None:
        if self.handle is not None and not self.handle.closed:
            self.handle.close()


@dataclass(frozen=True)
class Stored:
    name: str
    size: int
    sha256: str
    path: Path


async def receive(request: Request, directory: Path, max_bytes: int) -> Stored:
    """Stream the request's file part to `directory`; 413/415/422 naming what is wrong."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in options:
        raise ApiError(415, "send the file as multipart/form-data (field 'file')")
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    part = _Part(directory, max_bytes)
    parser = MultipartParser(options[b"boundary"], {
        name: getattr(part, name) for name in ("on_header_field", "on_header_value", "on_header_end",
                                               "on_headers_finished", "on_part_data", "on_part_end")})
    try:
        async for chunk in request.stream():
            await asyncio.to_thread(parser.write, chunk)
        await asyncio.to_thread(parser.finalize)
    except TooLarge:
        part.discard()
        raise ApiError(413, f"the file is larger than {max_bytes} bytes",
                       fields=[{"field": "file", "reason": f"at most {max_bytes} bytes"}]) from None
    except MultipartParseError as exc:
        part.discard()
        raise ApiError(422, "the multipart body is malformed", fields=[{"field": "file", "reason": str(exc)}]) from None
    except ClientDisconnect:  # e.g. the gateway cut an upload off at its limit
        part.discard()
        raise ApiError(400, "the upload ended before its body did; nothing was stored",
                       fields=[{"field": "file", "reason": "cut off"}]) from None
    except BaseException:
        part.discard()
        raise
    part.on_part_end()
    if part.path is None or not part.name:
        raise ApiError(422, "no file in the upload", fields=[{"field": "file", "reason": "is required"}])
    sha = part.digest.hexdigest()
    final = directory / sha
    await asyncio.to_thread(os.replace, part.path, final)
    return Stored(part.name, part.size, sha, final)
