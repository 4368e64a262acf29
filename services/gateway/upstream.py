"""One upstream service behind one or more addresses (its replicas): requests go round robin,
and one that could not connect goes to the next replica, since it reached none (nothing can
have been applied). An answer lost after the request was sent is never repeated here."""
from __future__ import annotations

import itertools
from collections.abc import Callable

import httpx

# The request never reached the replica: trying another is safe, whatever the method.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Upstream:
    def __init__(self, urls: list[str], timeout_s: float,
                 transport: httpx.AsyncBaseTransport | None = None):
        if not urls:
            raise ValueError("an upstream needs at least one address")
        self.clients = [httpx.AsyncClient(base_url=url, timeout=timeout_s, transport=transport) for url in urls]
        self._turn = itertools.count()

    def _order(self) -> list[httpx.AsyncClient]:
        first = next(self._turn) % len(self.clients)
        return self.clients[first:] + self.clients[:first]

    async def send(self, build: Callable[[httpx.AsyncClient], httpx.Request], *, stream: bool = False,
                   retryable: Callable[[], bool] = lambda: True) -> httpx.Response:
        """`build` makes the request for a replica's client; `retryable()` says whether it may
        still go to another one (False once a streamed body began to flow)."""
        last: httpx.TransportError | None = None
        for client in self._order():
            if last is not None and not retryable():
                break
            try:
                return await client.send(build(client), stream=stream)
            except NOT_SENT as exc:
                last = exc
        raise last

    async def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        return await self.send(lambda client: client.build_request(method, url, **kwargs))

    async def get(self, url: str, **kwargs) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()
