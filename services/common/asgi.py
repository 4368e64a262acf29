"""Pure ASGI middleware every service runs outermost (cheaper than Starlette's
BaseHTTPMiddleware: no extra task, no response re-streaming):

- `SecurityHeaders`: the same headers on every response (a Content-Security-Policy,
  `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
  and HSTS when the request came over TLS, directly or through a proxy that says so in
  `X-Forwarded-Proto`), and `HEAD` answered as `GET` without the body on every path.
- `DrainRefusedBody`: a response that starts before the request's body was read (a 413 for a
  declared length over the limit, a 401 before an upload) first reads the rest of that body, up
  to a bound, so that a client which keeps sending (no `Expect: 100-continue`) reads the answer
  instead of a broken pipe: closing a socket with unread data makes the kernel reset the
  connection, and the client's pending send fails before it reads anything (nginx's lingering
  close solves the same). A client that stops sending for `DRAIN_IDLE_S` (it waits for the
  answer before it sends the body) gets the answer then.
"""
from __future__ import annotations

import asyncio
import hashlib
import re
from base64 import b64encode
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# A JSON API's responses load nothing and may be framed by nobody.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000; includeSubDomains"
DRAIN_MAX_BYTES = 16 * 1024**2
DRAIN_IDLE_S = 1.0  # no byte of the body for this long: the client waits, answer now
# FastAPI's Swagger UI (/docs) loads its script and style from this CDN and starts with one
# inline script, allowed by its hash (docs_policy).
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect")


def page_policy(*, img_sources: tuple[str, ...] = ()) -> str:
    """The policy of pages whose scripts, styles, fonts and images are all their own (images also
    as data: URIs, and from `img_sources`), which call only their own API and may be framed by
    nobody. No inline script or style element or attribute (a script's `element.style` is not
    one), no eval, no plugins."""
    images = " ".join(("'self'", "data:", *img_sources))
    return ("default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
            f"img-src {images}; connect-src 'self'; manifest-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def docs_policy(html: str) -> str:
    """The policy of a framework docs page `html`: its CDN and its own inline scripts (by hash)."""
    inline = re.findall(r"<script>(.*?)</script>", html, re.S)
    hashes = " ".join(f"'sha256-{b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in inline)
    return (f"default-src 'none'; script-src {DOCS_CDN} {hashes}; style-src {DOCS_CDN}; "
            "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def security_headers(scope: Scope, policy: str) -> list[tuple[bytes, bytes]]:
    headers = [(b"content-security-policy", policy.encode()), (b"x-frame-options", b"DENY"),
               (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
               (b"cross-origin-opener-policy", b"same-origin")]
    if _over_tls(scope):
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


def _over_tls(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    forwarded = dict(scope.get("headers") or []).get(b"x-forwarded-proto", b"")
    return forwarded.split(b",")[0].strip().lower() == b"https"


class SecurityHeaders:
    """Adds `security_headers` to every HTTP response (replacing any the app set), with
    `policy_of(path)` as the CSP; answers HEAD as GET without a body."""

    def __init__(self, app: ASGIApp, policy_of: Callable[[str], str]):
        self.app = app
        self.policy_of = policy_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        extra = security_headers(scope, self.policy_of(scope["path"]))
        names = {name for name, _ in extra}

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            elif message["type"] == "http.response.body" and head:
                if message.get("more_body", False):
                    return
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_secured)


class DrainRefusedBody:
    """Reads the rest of a request body the app did not read before its response starts, unless
    the body is (declared) larger than `max_bytes` or the client waits for `100 Continue` before
    sending it (reading would ask for the body the answer refuses)."""

    def __init__(self, app: ASGIApp, max_bytes: int = DRAIN_MAX_BYTES, idle_s: float = DRAIN_IDLE_S):
        self.app = app
        self.max_bytes = max_bytes
        self.idle_s = idle_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self.app(scope, receive, send)
            return
        has_body = declared not in (b"", b"0") or b"chunked" in headers.get(b"transfer-encoding", b"")
        # the server sends `100 Continue` on the app's first receive(): the body follows only then
        waits = headers.get(b"expect", b"").lower() == b"100-continue"
        state = {"done": not has_body, "read": 0, "asked": False}

        async def tracked_receive() -> Message:
            state["asked"] = True
            message = await receive()
            _account(state, message)
            return message

        async def drain_then_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not state["done"] and (state["asked"] or not waits):
                while not state["done"] and state["read"] <= self.max_bytes:
                    try:
                        _account(state, await asyncio.wait_for(receive(), self.idle_s))
                    except TimeoutError:
                        break
            await send(message)

        await self.app(scope, tracked_receive, drain_then_send)


def _account(state: dict, message: Message) -> None:
    if message["type"] == "http.disconnect":
        state["done"] = True
    elif message["type"] == "http.request":
        state["read"] += len(message.get("body", b""))
        if not message.get("more_body", False):
            state["done"] = True
