"""A small TCP proxy for fault injection on loopback: put it between a client and a server
(give the client the proxy's address) and cut, drop or delay the connections on command.

- `cut()`: close every open connection now (both sides see a reset / EOF); new ones are served.
- `drop(True)`: refuse new connections and close open ones until `drop(False)` (a partition).
- `delay(seconds)`: hold every chunk this long before forwarding it (a slow link; 0 = off).

It runs on its own event loop in a daemon thread, so synchronous code (a test, the chaos
suite) can control it while other threads talk through it."""
from __future__ import annotations

import asyncio
import threading

from .processes import free_port


class TcpProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1", port: int | None = None,
                 name: str = "proxy"):
        self.name = name
        self.target_host, self.target_port = target_host, target_port
        self.port = port or free_port()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._dropping = False
        self._delay_s = 0.0
        self.connections = 0  # accepted so far
        self.cuts = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "TcpProxy":
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._accept, "127.0.0.1", self.port))
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

        self._thread = threading.Thread(target=run, name=f"tcp-{self.name}", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{self.name}: proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        async def close() -> None:
            self._server.close()
            self._close_all()
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop = None

    # -- controls (thread-safe) -------------------------------------------------------------
    def cut(self) -> int:
        """Close every open connection; return how many were cut."""
        return self._call(self._cut)

    def drop(self, on: bool = True) -> None:
        def set_drop() -> None:
            self._dropping = on
            if on:
                self._cut()
        self._call(set_drop)

    def delay(self, seconds: float) -> None:
        def set_delay() -> None:
            self._delay_s = max(0.0, seconds)
        self._call(set_delay)

    # -- internals ---------------------------------------------------------------------------
    def _call(self, func):
        async def run():
            return func()
        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(5)

    def _cut(self) -> int:
        self.cuts += 1
        return self._close_all()

    def _close_all(self) -> int:
        writers, self._writers = list(self._writers), set()
        for w in writers:
            try:
                w.transport.abort()  # RST, not a polite FIN: the peer sees a broken connection
            except Exception:  # noqa: BLE001 - already closed
                pass
        return len(writers) // 2

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self._dropping:
            client_w.transport.abort()
            return
        try:
            server_r, server_w = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            client_w.transport.abort()
            return
        self.connections += 1
        self._writers.update((client_w, server_w))
        await asyncio.gather(self._pipe(client_r, server_w, client_w),
                             self._pipe(server_r, client_w, server_w), return_exceptions=True)
        self._writers.difference_update((client_w, server_w))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    other: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self._delay_s:
                    await asyncio.sleep(self._delay_s)
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for w in (writer, other):
                try:
                    w.transport.abort()
                except Exception:  # noqa: BLE001
                    pass
