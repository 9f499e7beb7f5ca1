"""One-shot admission tickets for the chat.

The admission step (which checks the question and charges the client's rate budget) issues a ticket; the queued
answering step redeems it, once. An answering event sent again — Gradio's ``queue/join`` with the same session and
``fn_index`` — finds no ticket and answers nothing, so every answer the chat computes was paid for by one admission.
Tickets not redeemed within ``ttl`` seconds expire; at most ``max_open`` are kept (oldest dropped first).
"""
from __future__ import annotations

import secrets
import threading
import time

from cachetools import TTLCache


class Tickets:
    def __init__(self, ttl: float = 600.0, max_open: int = 10_000, clock=time.monotonic):
        self.ttl, self.max_open, self.clock = ttl, max_open, clock
        # token → question; expired tickets and, when full, the oldest go (TTLCache, on the injectable clock)
        self._open: TTLCache[str, str] = TTLCache(maxsize=max(1, max_open), ttl=ttl, timer=clock)
        self._lock = threading.Lock()

    def issue(self, question: str) -> str:
        token = secrets.token_urlsafe(18)
        with self._lock:
            self._open[token] = question
        return token

    def redeem(self, token) -> str | None:
        """The admitted question, the first time only (None for an unknown, used or expired ticket)."""
        if not isinstance(token, str):
            return None
        with self._lock:
            return self._open.pop(token, None)  # an expired ticket is not found

    def __len__(self) -> int:
        with self._lock:
            self._open.expire()
            return len(self._open)
