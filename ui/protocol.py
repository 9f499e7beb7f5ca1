"""The HTTP/1.1 connection in front of the app: uvicorn's h11 protocol with limits it lacks.

* **Read timeouts** (``ASSISTANT_READ_TIMEOUT``): a client has that long to send a request's line and headers (from
  the moment it connects or its previous response ended), and that long again to send the body it announced; a slower
  client gets ``408`` and is disconnected — with one warning line in the log. Idle keep-alive connections are closed
  after uvicorn's ``timeout_keep_alive``.
* **Header size** (``ASSISTANT_MAX_HEADER_BYTES``): a longer request line plus headers gets ``431`` and the connection
  is closed, whether it arrives in pieces (h11's ``max_incomplete_event_size``) or at once (counted here).
* **Connections per client** (``ASSISTANT_MAX_CONNECTIONS``): beyond the cap, a new connection's request gets ``429``
  and the connection is closed. Trusted proxies (``ASSISTANT_TRUSTED_PROXIES``) are exempt: behind one, every
  visitor arrives from its address, so the proxy's own limits apply there.
* Errors found here (a malformed request line, a bad ``Content-Length``, …) are JSON in the app's one error shape
  (:mod:`ui.errors`), never uvicorn's plain text.
"""
from __future__ import annotations

import asyncio
import logging
from collections import Counter

import h11
from uvicorn.protocols.http.h11_impl import STATUS_PHRASES, H11Protocol

from . import errors, ratelimit

log = logging.getLogger("ui.http")


class _Connection(h11.Connection):
    """h11, also refusing a complete request whose line and headers exceed ``max_header_bytes``, and keeping the
    last protocol error (for its status hint)."""

    def __init__(self, max_header_bytes: int):
        super().__init__(h11.SERVER, max_incomplete_event_size=max_header_bytes)
        self.max_header_bytes = max_header_bytes
        self.last_error: h11.RemoteProtocolError | None = None

    def next_event(self):
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as exc:
            self.last_error = exc
            raise
        if isinstance(event, h11.Request):
            size = len(event.method) + len(event.target) + sum(len(k) + len(v) + 4 for k, v in event.headers)
            if size > self.max_header_bytes:
                self.last_error = h11.RemoteProtocolError("request headers too large", error_status_hint=431)
                raise self.last_error
        return event


def _raw_response(status: int, message: str, code: str | None = None) -> bytes:
    payload = errors.body(status, code, message)
    head = (f"HTTP/1.1 {status} {STATUS_PHRASES[status].decode()}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(payload)}\r\nconnection: close\r\n\r\n")
    return head.encode("ascii") + payload


async def _too_many_connections(scope, receive, send) -> None:
    payload = errors.body(429, "too_many_connections", "Too many open connections from your address; close some "
                          "and try again.")
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
        (b"connection", b"close"), (b"retry-after", b"1")]})
    await send({"type": "http.response.body", "body": payload})


class GuardedH11Protocol(H11Protocol):
    """Configured by :func:`protocol_class`; see the module docstring."""

    read_timeout: float = 10.0
    max_header_bytes: int = 32768
    max_per_client: int = 0
    is_trusted = staticmethod(lambda host: False)
    open_per_client: Counter = Counter()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conn = _Connection(self.max_header_bytes)
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._counted: str | None = None

    # -- connection lifetime ------------------------------------------------------------------------------------------
    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        host = self.client[0] if self.client else ""
        if self.max_per_client > 0 and host and not self.is_trusted(host):
            if self.open_per_client[host] >= self.max_per_client:
                self.app = _too_many_connections  # this connection's request gets 429, then it is closed
                log.warning("refused a connection from %s: %d already open", host, self.open_per_client[host])
            else:
                self.open_per_client[host] += 1
                self._counted = host
        self._sync_timers()

    def connection_lost(self, exc) -> None:
        self._cancel_timers()
        if self._counted is not None:
            self.open_per_client[self._counted] -= 1
            if self.open_per_client[self._counted] <= 0:
                del self.open_per_client[self._counted]
            self._counted = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._sync_timers()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._sync_timers()

    # -- timeouts -----------------------------------------------------------------------------------------------------
    def _sync_timers(self) -> None:
        if self.transport is None or self.transport.is_closing():
            self._cancel_timers()
            return
        state = self.conn.their_state
        self._want("headers", state is h11.IDLE)
        self._want("body", state is h11.SEND_BODY)

    def _want(self, what: str, wanted: bool) -> None:
        timer = self._timers.get(what)
        if wanted and timer is None:
            self._timers[what] = self.loop.call_later(self.read_timeout, self._too_slow, what)
        elif not wanted and timer is not None:
            timer.cancel()
            del self._timers[what]

    def _cancel_timers(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def _too_slow(self, what: str) -> None:
        self._timers.pop(what, None)
        if self.transport is None or self.transport.is_closing():
            return
        if what == "body" or self._has_partial_request():  # (an idle connection is just closed)
            host = self.client[0] if self.client else "?"
            log.warning("dropped a slow client %s: request %s not received within %g s", host, what, self.read_timeout)
            answering = self.cycle if what == "body" else None  # (while headers arrive, no response is under way)
            if answering is None or not answering.response_started:
                self.transport.write(_raw_response(408, f"The request {what} did not arrive within "
                                                        f"{self.read_timeout:g} seconds.", "request_timeout"))
        self.transport.close()

    def _has_partial_request(self) -> bool:
        return bool(self.conn.trailing_data[0])

    # -- errors in the request itself -----------------------------------------------------------------------------------
    def send_400_response(self, msg: str) -> None:
        exc = self.conn.last_error
        status = getattr(exc, "error_status_hint", 400) if exc is not None else 400
        status = status if status in (400, 413, 414, 431) else 400
        if status == 431:
            message = f"The request line and headers are larger than {self.max_header_bytes} bytes."
        else:
            detail = str(exc) if exc is not None else ""
            echoes = "bytearray(" in detail or "b'" in detail or len(detail) > 80  # (never send the client's bytes back)
            message = "The request is not valid HTTP" + (f" ({detail})" if detail and not echoes else "") + "."
        self._cancel_timers()
        self.transport.write(_raw_response(status, message))
        self.transport.close()


def protocol_class(settings) -> type[GuardedH11Protocol]:
    """A protocol class for ``uvicorn.run(http=…)`` with these settings' limits."""
    return type("AssistantH11Protocol", (GuardedH11Protocol,), {
        "read_timeout": float(settings.server.read_timeout),
        "max_header_bytes": int(settings.server.max_header_bytes),
        "max_per_client": int(settings.server.max_connections_per_client),
        "is_trusted": staticmethod(ratelimit.address_matcher(settings.server.trusted_proxies)),
        "open_per_client": Counter(),
    })
