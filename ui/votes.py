"""At most ``ASSISTANT_VOTES_PER_ANSWER`` votes (like, dislike, un-vote) stored per answer shown in a chat session.

(The store keeps one vote per answer, the last: these are how many times it may be changed. The same limit, counted
apart, caps the "what was wrong?" texts sent per answer.)

Counted on the server per (session, answer), atomically, so votes sent in parallel cannot slip past the limit.
Memory is bounded: the least recently voted ``max_answers`` answers are remembered.
"""
from __future__ import annotations

import threading

from cachetools import LRUCache

MAX_ANSWERS = 100_000


class VoteLimit:
    def __init__(self, per_answer: int, max_answers: int = MAX_ANSWERS):
        self.per_answer = int(per_answer)
        self.max_answers = max_answers
        self._counts: LRUCache[tuple, int] = LRUCache(maxsize=max(1, max_answers))  # least recently voted go
        self._lock = threading.Lock()

    def take(self, session: str, answer: int | str) -> bool:
        """Count one vote on ``answer`` of ``session``; False when it has had its share already."""
        key = (str(session), str(answer))
        with self._lock:
            n = self._counts.get(key, 0)
            self._counts[key] = n + 1 if n < self.per_answer else n
            return n < self.per_answer

    def give_back(self, session: str, answer: int | str) -> None:
        """Un-count a vote that could not be stored."""
        key = (str(session), str(answer))
        with self._lock:
            if self._counts.get(key, 0) > 0:
                self._counts[key] -= 1
