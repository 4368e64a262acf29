"""The bench's load: many concurrent clients posting tips over kept-alive HTTP/1.1 connections.

A general client (httpx) spends more CPU per request than the service it measures; on a 2-core
machine that CPU is taken from the system under test. This one sends a prepared request and
reads the answer by its Content-Length, nothing more."""
from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit


class Connection:
    def __init__(self, base_url: str):
        url = urlsplit(base_url)
        self.host, self.port = url.hostname, url.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post_json(self, path: str, body: dict) -> tuple[int, bytes]:
        payload = json.dumps(body, ensure_ascii=False).encode()
        request = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode() + payload
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next((int(line.split(":", 1)[1]) for line in lines[1:]
                       if line.lower().startswith("content-length:")), 0)
        answer = await self._reader.readexactly(length)
        if any(line.lower() == "connection: close" for line in lines[1:]):
            await self.close()
        return status, answer

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._reader = self._writer = None


async def burst(base_url: str, bodies: list[dict], concurrency: int,
                path: str = "/api/v1/tips") -> tuple[float, list[float]]:
    """Post every body, `concurrency` at a time, each answer a 202; (seconds, latencies)."""
    waiting = list(reversed(bodies))
    latencies: list[float] = []

    async def client() -> None:
        connection = Connection(base_url)
        try:
            while waiting:
                body = waiting.pop()
                started = time.perf_counter()
                status, answer = await connection.post_json(path, body)
                if status != 202:
                    raise RuntimeError(f"{path} answered {status}: {answer[:300]!r}")
                latencies.append(time.perf_counter() - started)
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies
