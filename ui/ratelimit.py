"""Per-client token buckets: one budget per client for ``POST /api/ask``, the chat's questions (``/`` and ``/embed``),
its votes, and malformed chat events (:mod:`ui.gradio_gate`).

Each client (``request.client.host``: the socket peer) has a bucket of ``ASSISTANT_RATE_BURST`` tokens refilled at
``ASSISTANT_RATE_LIMIT`` tokens per second; a question or a vote takes one token; an empty bucket means HTTP 429 with
``Retry-After`` (the API) or a "wait a moment" message (the chat). ``ASSISTANT_RATE_LIMIT=0`` turns it off.

Client identity: the socket peer address. ``X-Forwarded-For`` is *not* believed unless ``ASSISTANT_TRUSTED_PROXIES``
lists the proxy (then uvicorn rewrites the peer address from the header, for those proxies only). Behind a reverse
proxy without that setting every visitor shares the proxy's bucket.

Memory is bounded: at most ``MAX_CLIENTS`` buckets are kept (least recently used dropped; a dropped bucket was the
least active, so forgetting it at worst gives that client a fresh burst).
"""
from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Callable

from cachetools import LRUCache

MAX_CLIENTS = 10_000


class RateLimiter:
    def __init__(self, rate: float, burst: int, *, clock=time.monotonic, max_clients: int = MAX_CLIENTS):
        self.rate = float(rate)
        self.burst = max(1, int(burst))
        self.clock = clock
        self.max_clients = max_clients
        # key → (tokens, last refill time); the least recently seen client goes when full
        self._buckets: LRUCache[str, tuple[float, float]] = LRUCache(maxsize=max(1, max_clients))
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> "RateLimiter":
        return cls(settings.server.rate_limit, settings.server.rate_burst)

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: str) -> float:
        """Spend one token of ``key``'s bucket. Returns 0.0 when allowed, else the seconds until a token is back."""
        if not self.enabled:
            return 0.0
        key = key or "unknown"
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            return wait

    def __len__(self) -> int:
        return len(self._buckets)


def retry_after(wait: float) -> int:
    """Whole seconds for the ``Retry-After`` header (at least 1)."""
    return max(1, math.ceil(wait))


def message(wait: float) -> str:
    n = retry_after(wait)
    return f"Too many questions in a short time; wait {n} second{'s' if n != 1 else ''} and try again."


_shared: dict[tuple[float, int], RateLimiter] = {}
_shared_lock = threading.Lock()


def shared(settings) -> RateLimiter:
    """The process's limiter for these settings, so the API and both chats (``/``, ``/embed``) share one budget."""
    key = (float(settings.server.rate_limit), int(settings.server.rate_burst))
    with _shared_lock:
        if key not in _shared:
            _shared[key] = RateLimiter(*key)
        return _shared[key]


def client_key(request) -> str:
    """The client's identity: the socket peer (see the module docstring about proxies)."""
    client = getattr(request, "client", None)
    host = getattr(client, "host", None) if client is not None else None
    return str(host or "unknown")


def address_matcher(addresses) -> Callable[[str], bool]:
    """``is_listed(host)`` for a list of addresses and networks (``10.0.0.0/8``), as ``ASSISTANT_TRUSTED_PROXIES``
    gives them (``*``: every address)."""
    nets, names = [], set()
    for a in addresses:
        try:
            nets.append(ipaddress.ip_network(a, strict=False))
        except ValueError:
            names.add(a)

    def is_listed(host: str) -> bool:
        if "*" in names or host in names:
            return True
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(ip in n for n in nets)
    return is_listed


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
