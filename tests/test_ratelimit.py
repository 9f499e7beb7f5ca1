"""Per-client token buckets: the bucket itself (fake clock), /api/ask over HTTP (429 + Retry-After, X-Forwarded-For not
believed), the chat driven through Gradio's own protocol (one budget for questions, votes and the API; answering events
sent again answer nothing; a bounded session; votes limited per answer), and the chat's admission step in process."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import httpx
import pytest

from conftest import make_settings
from uiserver import GradioSession, serve
from ui.ratelimit import RateLimiter, retry_after
from ui.tickets import Tickets

QUESTION = "Will Ukraine join NATO?"


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_bucket_allows_a_burst_then_refills_at_the_rate():
    clock = Clock()
    rl = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [rl.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = rl.take("a")
    assert wait == pytest.approx(0.5) and retry_after(wait) == 1
    assert rl.take("b") == 0.0  # another client has its own bucket
    clock.t += 0.5
    assert rl.take("a") == 0.0  # one token back after 1/rate seconds
    assert rl.take("a") > 0
    clock.t += 100
    assert [rl.take("a") for _ in range(4)][:3] == [0.0, 0.0, 0.0]  # refill is capped at the burst
    assert rl.take("a") > 0


def test_refused_requests_do_not_dig_a_hole():
    clock = Clock()
    rl = RateLimiter(rate=1.0, burst=1, clock=clock)
    assert rl.take("a") == 0.0
    for _ in range(50):  # hammering while empty does not push the next token further away
        assert rl.take("a") == pytest.approx(1.0)
    clock.t += 1.0
    assert rl.take("a") == 0.0


def test_off_when_rate_is_zero_and_memory_is_bounded():
    off = RateLimiter(rate=0.0, burst=1)
    assert all(off.take("a") == 0.0 for _ in range(1000)) and len(off) == 0
    rl = RateLimiter(rate=1.0, burst=1, max_clients=100)
    for i in range(1000):
        rl.take(f"10.0.{i // 256}.{i % 256}")
    assert len(rl) == 100


def test_bucket_is_exact_under_threads():
    rl = RateLimiter(rate=0.001, burst=25)
    allowed = []
    barrier = threading.Barrier(20)

    def work():
        barrier.wait()
        allowed.extend(1 for _ in range(10) if rl.take("same") == 0.0)

    threads = [threading.Thread(target=work) for _ in range(20)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(allowed) == 25


# -- over HTTP --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def limited(index_settings, tmp_path_factory):
    with serve(index_settings, tmp_path_factory.mktemp("rl-log"), ASSISTANT_RATE_LIMIT="1",
               ASSISTANT_RATE_BURST="3") as srv:
        yield srv


def client_at(srv, address: str) -> httpx.Client:
    """A client of ``srv`` whose connections come from ``address`` (any of 127.0.0.0/8 is this machine): a client
    the server has not seen, so its bucket starts full without waiting for a refill."""
    return httpx.Client(base_url=srv.base, transport=httpx.HTTPTransport(local_address=address), timeout=30,
                        trust_env=False)


def drain(srv) -> None:
    """Empty this client's bucket (whatever earlier requests left in it)."""
    for _ in range(10):
        if srv.post("/api/ask", json={"question": QUESTION}).status_code == 429:
            return
    raise AssertionError("the rate limit never applied")


@pytest.mark.server
def test_api_answers_429_with_retry_after(limited):
    with client_at(limited, "127.0.0.2") as client, client_at(limited, "127.0.0.4") as other:  # full buckets
        # Four at once: they meet the limit within milliseconds, so a slow answer (a busy machine) refills nothing.
        with ThreadPoolExecutor(4) as pool:
            replies = list(pool.map(lambda _: client.post("/api/ask", json={"question": QUESTION}), range(4)))
        assert sorted(r.status_code for r in replies) == [200, 200, 200, 429]
        r = next(r for r in replies if r.status_code == 429)
        assert r.json()["error"]["code"] == "rate_limited" and "try again" in r.json()["error"]["message"]
        seconds = int(r.headers["retry-after"])
        assert 1 <= seconds <= 2
        assert r.headers["x-content-type-options"] == "nosniff"
        assert other.post("/api/ask", json={"question": QUESTION}).status_code == 200  # another client: its own bucket
        time.sleep(seconds + 0.1)
        assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200


@pytest.mark.server
def test_malformed_requests_spend_tokens_too(limited):
    with client_at(limited, "127.0.0.3") as client:  # a full bucket
        bad = [client.post("/api/ask", content=b"{nope", headers={"content-type": "application/json"}).status_code
               for _ in range(3)]
        assert bad == [400, 400, 400]
        assert client.post("/api/ask", json={"question": QUESTION}).status_code == 429


@pytest.mark.server
def test_forwarded_for_is_not_believed(limited):
    drain(limited)
    for i in range(5):  # a client cannot pose as many clients by inventing proxy headers
        r = limited.post("/api/ask", json={"question": QUESTION},
                         headers={"X-Forwarded-For": f"203.0.113.{i}", "X-Real-IP": f"198.51.100.{i}",
                                  "Forwarded": f"for=192.0.2.{i}"})
        assert r.status_code == 429, r.text


@pytest.mark.server
def test_other_routes_are_not_limited(limited):
    drain(limited)
    assert all(limited.get("/healthz").status_code == 200 for _ in range(10))


# -- A: the chat through Gradio's own protocol --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chat_limited(index_settings, tmp_path_factory):
    """Six tokens per client, one back every 50 s; two turns per session; two votes per answer."""
    with serve(index_settings, tmp_path_factory.mktemp("chat-rl-log"), ASSISTANT_RATE_LIMIT="0.02",
               ASSISTANT_RATE_BURST="6", ASSISTANT_MAX_HISTORY="2", ASSISTANT_VOTES_PER_ANSWER="2") as srv:
        yield srv


def answered(done) -> bool:
    return bool(done and done["success"])


@pytest.mark.server
def test_every_way_to_an_answer_or_a_vote_spends_one_budget(chat_limited):
    srv = chat_limited
    gs = GradioSession(srv.base)
    text, done = gs.ask(QUESTION)  # token 1
    assert answered(done) and "[1]" in text
    first_answer = gs.chat[-1]

    # The answering event sent again with the same session (what the issue's probe did 40 times): nothing answered.
    respond = gs.fn("respond")
    again = [gs.run_queued(respond, [None, gs.chat, None]) for _ in range(40)]
    assert not any(a["success"] for a in again), again[:2]
    assert all(a["output"].get("error") == "not admitted" and a["output"].get("visible") is False for a in again)

    # Likes: two per answer are stored (tokens 2, 3); more are refused without spending the budget.
    votes = [gs.like(len(gs.chat) - 1) for _ in range(5)]
    assert [v["success"] for v in votes] == [True, True, False, False, False]
    assert "already voted" in votes[-1]["output"]["error"]

    # Two more questions (tokens 4, 5): the session keeps two turns on the server, the chat shows them only.
    for q in ("What is the Coalition of the Willing?", "How might Russia respond?"):
        text, done = gs.ask(q)
        assert answered(done), text
    assert len(gs.chat) == 4 and first_answer not in gs.chat
    assert gs.sources.count('class="turn"') == 2
    assert gs.like(1)["success"]  # the kept answers keep their numbers (token 6): votes still land on them

    # The budget is spent: the next question, through the page's protocol or through another session, is refused…
    text, done = gs.ask("Will Ukraine join NATO? (again)")
    assert done is None and "Too many questions" in text
    other = GradioSession(srv.base, mount="/embed")
    text, done = other.ask(QUESTION)
    assert done is None and "Too many questions" in text
    # … and so is the API, and a vote: one budget per client.
    r = srv.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    vote = gs.like(3, liked=False)
    assert not vote["success"] and "Too many" in vote["output"]["error"]
    log = srv.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-2000:]


# -- the chat's admission step (in process) ----------------------------------------------------------------------------

def admit_fn(demo):
    fns = [f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "admit"]
    assert len(fns) == 3  # typed, starter clicked, suggestion clicked
    return fns[0]


def request_from(host: str):
    return SimpleNamespace(client=SimpleNamespace(host=host), headers={})


TICKETS = Tickets()


@pytest.fixture
def chat(assistant, tmp_path):
    from ui.chat import build_chat
    from ui.feedback import FeedbackStore

    def make(**overrides):
        settings = make_settings(tmp_path, **overrides)
        limiter = RateLimiter(settings.server.rate_limit, settings.server.rate_burst)
        demo = build_chat(assistant, settings, FeedbackStore(tmp_path / "f.sqlite3"), limiter=limiter, tickets=TICKETS)
        return demo, admit_fn(demo)
    return make


def bot_text(chat: list) -> str:
    return chat[-1]["content"]


def test_chat_shows_the_api_messages_as_bot_replies(chat):
    from index.errors import BadQuestion
    from ui import render, validation

    demo, admit = chat()
    settings = make_settings(".")
    for typed in ("   ", "\x00\x07", "x" * 1001):
        with pytest.raises(BadQuestion) as api_side:
            validation.check_question(typed, settings)
        box, messages, ticket = admit(typed, [], request_from("10.0.0.1"))
        assert ticket is None  # nothing is queued
        assert bot_text(messages) == render.error_message(api_side.value.message)
        assert messages[-1]["role"] == "assistant"
    box, messages, ticket = admit("Will\x00 Ukraine join NATO?", [], request_from("10.0.0.1"))
    assert TICKETS.redeem(ticket) == QUESTION and box == "" and messages[-1]["content"] == render.user_message(QUESTION)
    assert TICKETS.redeem(ticket) is None  # once


def test_chat_is_rate_limited_per_client(chat):
    demo, admit = chat(rate_limit=0.01, rate_burst=2)
    tickets = [admit(QUESTION, [], request_from("10.0.0.1"))[2] for _ in range(2)]
    assert [TICKETS.redeem(t) for t in tickets] == [QUESTION, QUESTION]
    box, messages, ticket = admit(QUESTION, [], request_from("10.0.0.1"))
    assert ticket is None and "Too many questions" in bot_text(messages) and "try again" in bot_text(messages)
    assert box == QUESTION  # kept, to send again later
    assert TICKETS.redeem(admit(QUESTION, [], request_from("10.0.0.2"))[2]) == QUESTION  # another visitor is not affected


class FullQueue:
    def __init__(self, n: int):
        self.n = n

    def __len__(self):
        return self.n


def test_chat_says_busy_when_the_queue_is_full(chat, monkeypatch):
    demo, admit = chat(queue_size=3)
    assert demo._queue.max_size == 3  # Gradio's own bound is the same size
    assert TICKETS.redeem(admit(QUESTION, [], request_from("10.0.0.1"))[2]) == QUESTION
    monkeypatch.setattr(demo, "_queue", FullQueue(2))
    assert TICKETS.redeem(admit(QUESTION, [], request_from("10.0.0.1"))[2]) == QUESTION
    monkeypatch.setattr(demo, "_queue", FullQueue(3))
    box, messages, ticket = admit(QUESTION, [], request_from("10.0.0.1"))
    assert ticket is None and "busy" in bot_text(messages) and "try again" in bot_text(messages)
    assert box == QUESTION


def test_tickets_are_one_shot_and_expire():
    clock = Clock()
    t = Tickets(ttl=10, max_open=3, clock=clock)
    a = t.issue("a")
    assert t.redeem(a) == "a" and t.redeem(a) is None
    assert t.redeem("forged") is None and t.redeem(None) is None
    b = t.issue("b")
    clock.t += 11
    assert t.redeem(b) is None  # expired
    keys = [t.issue(str(i)) for i in range(5)]
    assert len(t) == 3 and t.redeem(keys[0]) is None and t.redeem(keys[-1]) == "4"  # oldest dropped


def test_vote_limit_per_answer_is_exact_under_threads():
    from ui.votes import VoteLimit

    limit = VoteLimit(3)
    barrier = threading.Barrier(20)
    allowed = []

    def work():
        barrier.wait()
        allowed.extend(1 for _ in range(5) if limit.take("session", 1))

    threads = [threading.Thread(target=work) for _ in range(20)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(allowed) == 3
    assert limit.take("session", 2) and limit.take("other", 1)
    limit.give_back("session", 1)
    assert limit.take("session", 1) and not limit.take("session", 1)
