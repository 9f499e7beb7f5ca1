"""Response headers set on every response (pure ASGI, so Gradio's streaming is untouched): the API, its errors,
``/widget.js``, Gradio's pages, assets and queue routes alike.

* ``Content-Security-Policy: frame-ancestors …``: ``/embed`` may be framed by the educator allowlist
  (``ASSISTANT_EMBED_ORIGINS``); every other page only by the server itself.
* ``X-Frame-Options: SAMEORIGIN`` wherever only the server may frame the page (everything but an allowlisted
  ``/embed``, where it would override the allowlist in old browsers; modern ones obey ``frame-ancestors``).
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` (nothing of a page's address, which may
  carry a question, leaks to other sites), ``Permissions-Policy`` (no camera, microphone, geolocation, payment).

The catch-all 500 handler (outside this middleware in Starlette's stack) adds :func:`headers_for` itself.
"""
from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def frame_ancestors(origins: tuple[str, ...] | list[str]) -> str:
    return "frame-ancestors " + " ".join(["'self'", *origins])


def is_embed(path: str) -> bool:
    return path == "/embed" or path.startswith("/embed/")


def headers_for(path: str, embed_origins: tuple[str, ...] | list[str] = ()) -> dict[str, str]:
    """The security headers of a response to ``path``."""
    origins = tuple(o.rstrip("/") for o in embed_origins)
    framable_elsewhere = is_embed(path) and bool(origins)
    out = dict(COMMON)
    out["Content-Security-Policy"] = frame_ancestors(origins if is_embed(path) else ())
    if not framable_elsewhere:
        out["X-Frame-Options"] = "SAMEORIGIN"
    return out


class SecurityHeaders:
    def __init__(self, app: ASGIApp, embed_origins: tuple[str, ...] = ()):
        self.app = app
        self.embed_origins = tuple(embed_origins)

    def headers_for(self, path: str) -> dict[str, str]:
        return headers_for(path, self.embed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers_for(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in extra.items():
                    if k not in headers:
                        headers[k] = v
            await send(message)

        await self.app(scope, receive, send_with_headers)
