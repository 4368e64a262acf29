"""Forwarding of commands to the service that owns the state, unchanged, answer included."""
from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from services.common.errors import ApiError, unavailable

from .upstream import Upstream

PASSED_REQUEST_HEADERS = ("authorization", "content-type", "accept", "accept-language")
PASSED_RESPONSE_HEADERS = ("content-type", "retry-after", "www-authenticate")


def _path(request: Request) -> str:
    """The path as the client sent it, still percent-encoded: a decoded one may hold
    characters (controls) that no URL may carry."""
    return request.scope.get("raw_path", b"").decode("latin-1") or request.url.path


def _upstream_failed(service: str, exc: httpx.TransportError) -> ApiError:
    """503 only when the request never reached the service (nothing can have been applied);
    once it was sent, a lost answer means the outcome is unknown: 504 on a timeout, else 502,
    and the client repeats the request with the same idempotency key."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return unavailable(f"the {service} service")
    status = 504 if isinstance(exc, httpx.TimeoutException) else 502
    return ApiError(status, f"the {service} service did not answer: the request may or may not have "
                            "been applied; repeat it (with the same idempotency_key, if any)",
                    headers={"Retry-After": "5"})


def _headers(request: Request, passed: tuple[str, ...]) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k in passed}
    if request.client:
        headers["x-forwarded-for"] = request.client.host
    return headers


async def forward(request: Request, service: str, extra_headers: tuple[str, ...] = ()) -> Response:
    """To one of the service's replicas (round robin; the next one if it could not connect)."""
    replicas: Upstream = request.app.state.service.upstreams[service]
    headers = _headers(request, PASSED_REQUEST_HEADERS + extra_headers)
    try:
        upstream = await replicas.request(request.method, _path(request),
                                          params=request.query_params, content=await request.body(),
                                          headers=headers)
    except httpx.TransportError as exc:
        raise _upstream_failed(service, exc) from None
    return Response(upstream.content, status_code=upstream.status_code,
                    headers={k: v for k, v in upstream.headers.items() if k in PASSED_RESPONSE_HEADERS})


async def forward_stream(request: Request, service: str) -> Response:
    """Like `forward`, for large bodies: the request body and the answer flow through in
    chunks, never whole in memory. A body beyond the route's limit (the app's `large_bodies`
    table) is refused with 413 before it is read if its length is declared, else cut off there
    (`http.CappedBody` raises in `request.stream()`): the service then sees the connection end
    before the body did, and keeps nothing."""
    replicas: Upstream = request.app.state.service.upstreams[service]
    headers = _headers(request, PASSED_REQUEST_HEADERS + ("content-length",))
    flowing = False

    async def body() -> AsyncIterator[bytes]:
        nonlocal flowing
        flowing = True
        async for chunk in request.stream():
            yield chunk

    has_body = request.method not in ("GET", "HEAD", "DELETE")
    def outgoing(client: httpx.AsyncClient) -> httpx.Request:
        return client.build_request(request.method, _path(request), params=request.query_params,
                                    content=body() if has_body else None, headers=headers)
    try:  # another replica only while no byte of the body was read (it cannot be read twice)
        upstream = await replicas.send(outgoing, stream=True, retryable=lambda: not flowing)
    except httpx.TransportError as exc:
        raise _upstream_failed(service, exc) from None
    passed = PASSED_RESPONSE_HEADERS + ("content-disposition",)
    return StreamingResponse(upstream.aiter_raw(), status_code=upstream.status_code,
                             headers={k: v for k, v in upstream.headers.items() if k in passed},
                             background=BackgroundTask(upstream.aclose))
