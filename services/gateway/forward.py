"""Forwarding of commands to the service that owns the state, unchanged, answer included."""
from __future__ import annotations

import httpx
from fastapi import Request, Response

from services.common.errors import unavailable

PASSED_REQUEST_HEADERS = ("authorization", "content-type", "accept", "accept-language")
PASSED_RESPONSE_HEADERS = ("content-type", "retry-after", "www-authenticate")


async def forward(request: Request, service: str, extra_headers: tuple[str, ...] = ()) -> Response:
    client: httpx.AsyncClient = request.app.state.service.upstreams[service]
    passed = PASSED_REQUEST_HEADERS + extra_headers
    headers = {k: v for k, v in request.headers.items() if k in passed}
    if request.client:
        headers["x-forwarded-for"] = request.client.host
    try:
        upstream = await client.request(request.method, request.url.path,
                                        params=request.query_params, content=await request.body(),
                                        headers=headers)
    except httpx.TransportError:
        raise unavailable(f"the {service} service") from None
    return Response(upstream.content, status_code=upstream.status_code,
                    headers={k: v for k, v in upstream.headers.items() if k in PASSED_RESPONSE_HEADERS})
