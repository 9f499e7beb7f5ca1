"""Gradio's event queue, reached through its private attribute ``Blocks._queue`` here and nowhere else.

Two uses:

- The chat's admission step compares the queue's length with ``ASSISTANT_QUEUE_SIZE`` before a question is let in
  (Gradio has no public reader for it).
- How often the queue looks for work. Gradio's loop sleeps 1 ms between looks while it has nothing to do
  (``Queue.sleep_when_free``; 50 ms on Windows): an idle `assistant serve`, with its two chat pages, used 5 % of a
  core doing nothing (0.53 s of CPU in 10 s). :func:`poll_every` makes it :data:`POLL_SECONDS`, which adds at most
  that to the moment a chat event starts (the HTTP API does not go through the queue). Its second loop, which
  relays ``gr.Progress`` updates (the chat sends none), looks every :data:`PROGRESS_POLL_SECONDS` instead of 10 ms.
"""
from __future__ import annotations

POLL_SECONDS = 0.01
PROGRESS_POLL_SECONDS = 0.05


def _queue(demo):
    """``demo``'s queue, or None before ``demo.queue(...)``."""
    return getattr(demo, "_queue", None)


def length(demo) -> int:
    """Events waiting in ``demo``'s queue (0 before it has one)."""
    queue = _queue(demo)
    return len(queue) if queue is not None else 0


def poll_every(demo, seconds: float = POLL_SECONDS) -> None:
    """Let ``demo``'s queue (after ``demo.queue(...)``) look for work every ``seconds`` while it is free."""
    queue = _queue(demo)
    if queue is not None and hasattr(queue, "sleep_when_free"):
        queue.sleep_when_free = seconds
        queue.progress_update_sleep_when_free = max(seconds, PROGRESS_POLL_SECONDS)


def poll_seconds(demo) -> float | None:
    """How often ``demo``'s queue looks for work while free (None without a queue)."""
    return getattr(_queue(demo), "sleep_when_free", None)
