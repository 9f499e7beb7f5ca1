"""Response headers set on every response (pure ASGI, so Gradio's streaming is untouched).

``/embed`` may be framed by the educator allowlist (``ASSISTANT_EMBED_ORIGINS``) through CSP ``frame-ancestors``;
every other page only by the server itself. Further headers (issue 7) belong in :func:`headers_for`.
"""
from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def frame_ancestors(origins: tuple[str, ...] | list[str]) -> str:
    return "frame-ancestors " + " ".join(["'self'", *origins])


class SecurityHeaders:
    def __init__(self, app: ASGIApp, embed_origins: tuple[str, ...] = ()):
        self.app = app
        self.embed_policy = frame_ancestors(tuple(o.rstrip("/") for o in embed_origins))
        self.self_policy = frame_ancestors(())

    def headers_for(self, path: str) -> dict[str, str]:
        embed = path == "/embed" or path.startswith("/embed/")
        return {"Content-Security-Policy": self.embed_policy if embed else self.self_policy}

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
