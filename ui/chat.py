"""The Gradio chat: full page (``/``) and compact embed (``/embed``), both over one loaded :class:`Assistant`.

Built from Gradio's own components (``gr.Chatbot`` with its examples, options, like buttons; ``gr.Textbox``;
``gr.HTML`` for the sources panel). The per-session conversation lives in ``gr.State`` (server side); nothing
is put in the browser's storage unless ``ASSISTANT_BROWSER_HISTORY`` is on (then ``gr.BrowserState``).

Admission: a question is answered only through :func:`admit`, which checks it and charges the client's rate budget
(the same buckets as ``POST /api/ask``) and issues a one-shot ticket (:mod:`ui.tickets`) that the queued answering step
redeems; a session keeps at most ``ASSISTANT_MAX_HISTORY`` turns on the server; a vote charges the budget too and each
answer takes at most ``ASSISTANT_VOTES_PER_ANSWER`` votes (:mod:`ui.votes`); a vote that could not be stored says so.

Feedback is one vote per answer, changeable (the store keeps the last, :mod:`ui.feedback`); a dislike opens an optional
"What was wrong?" box whose text (at most ``MAX_REASON`` characters) is kept with that dislike.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from pathlib import Path

import gradio as gr
from cachetools import LRUCache
from starlette.concurrency import run_in_threadpool

from index.errors import AssistantError, BadQuestion
from index.settings import Settings

from . import gradio_queue, ratelimit, render, validation
from .feedback import MAX_REASON, FeedbackStore
from .ratelimit import RateLimiter
from .tickets import Tickets
from .votes import VoteLimit

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
STREAM_WORDS = 3  # words added per streamed update
STREAM_DELAY = 0.025  # seconds between updates

BUSY = "The assistant is busy answering other people right now; please try again in a few seconds."
SERVER_FAULT = "Something went wrong on our side while answering; please try again."
VOTE_NOT_SAVED = "Your vote could not be saved; please try again in a moment."
VOTES_USED = "You have already voted on this answer; your earlier vote stands."
WHY_LABEL = "What was wrong with this answer? (optional)"
WHY_NONE = "Choose Dislike under an answer first, then say what was wrong with it."
WHY_EMPTY = "Type what was wrong first, or close the box with “No thanks”."
WHY_LONG = f"Please keep it under {MAX_REASON} characters."
WHY_USED = "You have already told us what was wrong with this answer; thank you."
WHY_GONE = "That dislike is no longer stored; choose Dislike again, then say what was wrong."
WHY_SAVED = '<p class="why-saved" role="status">Thank you, your note was saved.</p>'
INTRO = ("Ask a question about the article. Every answer quotes the article and cites its source; "
         "if the article doesn't cover something, the assistant says so.")


def _new_state() -> dict:
    return {"history": [], "turns": [], "by_message": {}}


def theme(settings: Settings):
    """Gradio theme with local fonts only (the default theme would fetch Google Fonts)."""
    return gr.themes.Soft(
        primary_hue="blue", neutral_hue="slate",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )


def css(compact: bool = False) -> str:
    text = (STATIC / "chat.css").read_text(encoding="utf-8")
    return text + (STATIC / "embed.css").read_text(encoding="utf-8") if compact else text


def head(settings: Settings) -> str:
    js = (STATIC / "chat.js").read_text(encoding="utf-8")
    default = "dark" if settings.server.theme == "dark" else "light"
    return f'<script>window.ASSISTANT_THEME = "{default}";\n{js}</script>'


def keep_recent(state: dict, chat: list, settings: Settings) -> tuple[dict, list]:
    """At most ``max_history_turns`` turns of a session on the server: conversation messages, answered turns (sources
    panel, votes) and the messages shown (two per turn); message numbers of the kept answers follow the cut."""
    n = max(1, settings.answer.max_history_turns)
    cut = max(0, len(chat) - 2 * n)
    turns = state["turns"][-n:]
    kept = {t["turn"] for t in turns}
    by_message = {str(int(i) - cut): t for i, t in state["by_message"].items() if int(i) >= cut and t in kept}
    return {"history": state["history"][-n:], "turns": turns, "by_message": by_message}, chat[cut:]


def build_chat(assistant, settings: Settings, feedback: FeedbackStore, compact: bool = False,
               limiter: RateLimiter | None = None, tickets: Tickets | None = None) -> gr.Blocks:
    """``limiter``: per-client token buckets (default: the process's, shared with ``/api/ask``); ``tickets``: the
    admission tickets (default: this chat's own)."""
    surface = "embed" if compact else "chat"
    limiter = ratelimit.shared(settings) if limiter is None else limiter  # (an empty limiter is falsy)
    tickets = Tickets() if tickets is None else tickets
    votes = VoteLimit(settings.server.votes_per_answer)
    reasons = VoteLimit(settings.server.votes_per_answer)  # "what was wrong?" texts per answer
    disliked: LRUCache[str, str] = LRUCache(maxsize=100_000)  # session → the answer it last disliked (its key)
    disliked_lock = threading.Lock()
    demo_ref: list[gr.Blocks] = []

    def queue_length() -> int:
        return gradio_queue.length(demo_ref[0]) if demo_ref else 0

    starters = assistant.starters()
    title = settings.server.widget_title

    def admit(message: str, chat: list, request: gr.Request):
        """Runs at once (not queued): check the question, the client's rate budget and the queue's length; put the
        question in the chat with a placeholder, or a friendly bot message saying what to do. The returned ticket
        (the cleaned question, or None) decides whether the queued answering step runs."""
        chat = list(chat or [])
        if not message:
            return gr.update(), chat, None
        problem, shown = None, ""
        try:
            question = validation.check_question(message, settings)
            shown = question
        except BadQuestion as exc:
            question, problem = None, exc.message
            shown = validation.strip_unwanted(str(message))
            shown = shown if len(shown) <= 300 else shown[:300] + "…"
        if problem is None:
            wait = limiter.take(ratelimit.client_key(request))
            if wait > 0:
                problem = ratelimit.message(wait)
        if problem is None and queue_length() >= settings.server.queue_size:
            problem = BUSY
        if shown:
            chat.append({"role": "user", "content": render.user_message(shown)})
        if problem is not None:
            chat.append({"role": "assistant", "content": render.error_message(problem)})
            # What was typed stays in the box to be fixed or sent again (unless there was nothing to keep).
            return (message if shown else ""), chat, None
        # No placeholder bubble: while the answer is computed, the chat shows Gradio's one pending indicator.
        return "", chat, tickets.issue(question)

    def gate(ticket):
        if ticket is None:  # stops the chain quietly: the reason is already in the chat
            raise gr.Error("not admitted", visible=False, print_exception=False)

    async def respond(ticket, chat: list, state: dict):
        question = tickets.redeem(ticket)
        if question is None:  # not admitted, or this admission was answered already
            raise gr.Error("not admitted", visible=False, print_exception=False)
        chat = list(chat or [])
        state = state or _new_state()
        try:
            answer = await run_in_threadpool(assistant.ask, question, state["history"])
            ans = answer.to_dict() | {"suggestions": list(answer.suggestions or []), "message": answer.message}
            for c in ans.get("citations") or []:  # the article's title (front matter), not its file name
                passage = assistant.passage(c.get("id", ""))
                c["title"] = getattr(passage, "title", "") or c.get("source", "")
        except AssistantError as exc:
            if not isinstance(exc, BadQuestion):
                log.warning("ask failed: %s", exc)
            chat.append({"role": "assistant", "content": render.error_message(exc.message)})
            yield gr.update(), chat, gr.update(), state
            return
        except Exception:  # a server fault: logged, and the visitor gets a bot message, not a traceback or toast
            log.exception("answering %r failed", question[:80])
            chat.append({"role": "assistant", "content": render.error_message(SERVER_FAULT)})
            yield gr.update(), chat, gr.update(), state
            return
        turn = state["turns"][-1]["turn"] + 1 if state["turns"] else 1
        n = render.word_count(ans)
        chat.append({"role": "assistant", "content": ""})
        if not ans["refused"]:
            for shown in range(STREAM_WORDS, n, STREAM_WORDS):
                chat[-1] = {"role": "assistant", "content": render.answer_message(ans, question, turn, shown)}
                yield gr.update(), chat, gr.update(), state
                await asyncio.sleep(STREAM_DELAY)
        final = {"role": "assistant", "content": render.answer_message(ans, question, turn)}
        options = render.suggestion_options(ans)
        if options:
            final["options"] = options
        chat[-1] = final
        state, chat = keep_recent({
            "history": state["history"] + [{"role": "user", "content": question},
                                           {"role": "assistant", "content": ans["answer"]}],
            "turns": state["turns"] + [{"turn": turn, "question": question, "answer": ans,
                                        "key": secrets.token_urlsafe(12)}],  # names this answer's one vote
            "by_message": {**state["by_message"], str(len(chat) - 1): turn},
        }, chat, settings)
        yield gr.update(), chat, render.sources_panel(state["turns"]), state

    def spend(counter, session: str, key: str, used: str, request: gr.Request) -> None:
        """One more vote or reason on this answer, paid from the client's rate budget (given back if refused)."""
        if not counter.take(session, key):
            raise gr.Error(used, print_exception=False)
        wait = limiter.take(ratelimit.client_key(request))
        if wait > 0:
            counter.give_back(session, key)
            raise gr.Error(ratelimit.message(wait), print_exception=False)

    def on_like(state: dict, data: gr.LikeData, request: gr.Request):
        """One vote per answer, changeable: the store keeps the last. A dislike opens the "what was wrong?" box."""
        state = state or _new_state()
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = state["by_message"].get(str(index))
        t = next((t for t in state["turns"] if t["turn"] == turn), None)
        if t is None:
            return gr.update(), gr.update(), gr.update()
        session = getattr(request, "session_hash", None) or ""
        key = t.get("key") or f"{session}:{turn}"
        spend(votes, session, key, VOTES_USED, request)
        vote = "up" if data.liked is True else "down" if data.liked is False else "cleared"
        ans = t["answer"]
        try:
            feedback.record(t["question"], ans["answer"], [c["id"] for c in ans.get("citations", [])], vote,
                            query=ans.get("query", ""), refused=ans.get("refused", False), surface=surface,
                            key=f"{surface}:{key}")
        except Exception as exc:  # noqa: BLE001 — whatever the store's trouble, the visitor learns the vote is not saved
            votes.give_back(session, key)
            log.warning("a vote could not be stored: %s", str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
            raise gr.Error(VOTE_NOT_SAVED, print_exception=False) from None
        with disliked_lock:
            if vote == "down":
                disliked[session] = f"{surface}:{key}"
            else:
                disliked.pop(session, None)
        return gr.update(visible=vote == "down"), "", ""

    def on_why(text: str, request: gr.Request):
        """The optional "what was wrong?" text of the session's last dislike, kept with that vote."""
        session = getattr(request, "session_hash", None) or ""
        with disliked_lock:
            key = disliked.get(session)
        if key is None:
            raise gr.Error(WHY_NONE, print_exception=False)
        reason = " ".join(validation.strip_unwanted(str(text or "")).split())
        if not reason:
            raise gr.Error(WHY_EMPTY, print_exception=False)
        if len(reason) > MAX_REASON:
            raise gr.Error(WHY_LONG, print_exception=False)
        spend(reasons, session, key, WHY_USED, request)
        try:
            kept = feedback.explain(key, reason)
        except Exception as exc:  # noqa: BLE001 — as for votes: the visitor learns it was not saved
            reasons.give_back(session, key)
            log.warning("a feedback note could not be stored: %s",
                        str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
            raise gr.Error(VOTE_NOT_SAVED.replace("vote", "note"), print_exception=False) from None
        if not kept:
            reasons.give_back(session, key)
            raise gr.Error(WHY_GONE, print_exception=False)
        return gr.update(visible=False), "", WHY_SAVED

    def no_thanks(request: gr.Request):
        with disliked_lock:
            disliked.pop(getattr(request, "session_hash", None) or "", None)
        return gr.update(visible=False), ""

    def picked(data: gr.SelectData) -> str:
        value = data.value
        if isinstance(value, dict):
            value = value.get("text") or value.get("value") or ""
        return str(value or "")

    def clear(request: gr.Request):
        with disliked_lock:
            disliked.pop(getattr(request, "session_hash", None) or "", None)
        return [], render.sources_panel([]), _new_state(), gr.update(visible=False), ""

    with gr.Blocks(title=title, fill_height=True, analytics_enabled=False,
                   elem_classes=["assistant-app", "compact" if compact else "full"]) as demo:
        state = gr.State(_new_state())
        if not compact:
            gr.HTML(f'<header class="app-header"><h1>{render.esc(title)}</h1>'
                    f'<p class="intro">{render.esc(INTRO)}</p></header>', elem_id="app-header")
        else:  # the page's heading, for screen readers (the panel around the iframe shows the title)
            gr.HTML(f'<h1 class="sr-only" id="embed-title">{render.esc(title)}</h1>', elem_id="embed-header",
                    elem_classes=["sr-only-block"])
        def chat_column():
            chatbot = gr.Chatbot(
                value=[], show_label=False, elem_id="chat", height=None if compact else 560, min_height=260,
                render_markdown=False, sanitize_html=True, latex_delimiters=[], allow_tags=False,
                feedback_options=("Like", "Dislike"), buttons=["copy"], layout="bubble", autoscroll=True,
                placeholder='<div class="welcome">Try one of these questions, or type your own.</div>',
                examples=[{"text": q, "display_text": q} for q in starters] or None,
                scale=1,
            )
            with gr.Column(visible=False, elem_id="why-box", elem_classes=["why-box"]) as why_box:
                why = gr.Textbox(label=WHY_LABEL, lines=2, max_lines=4, max_length=MAX_REASON, elem_id="why-text",
                                 placeholder="For example: it missed part of the question, or quoted the wrong passage.")
                with gr.Row(elem_classes=["why-actions"]):
                    why_send = gr.Button("Send", elem_id="why-send", size="sm", variant="primary", scale=0, min_width=80)
                    why_skip = gr.Button("No thanks", elem_id="why-skip", size="sm", variant="secondary", scale=0,
                                         min_width=96)
            why_note = gr.HTML("", elem_id="why-note")
            with gr.Row(equal_height=True, elem_classes=["ask-row"]):
                box = gr.Textbox(label="Your question", show_label=False, placeholder="Ask about the article…", lines=1,
                                 max_lines=4, elem_id="question", autofocus=not compact, submit_btn="Ask",
                                 max_length=settings.answer.max_question_chars, scale=1)
                with gr.Column(scale=0, min_width=96, elem_classes=["ask-side"]):
                    new_chat = gr.Button("New chat", elem_id="new-chat", size="sm", variant="secondary", min_width=96)
                    # Phones and the widget: the sources are in a drawer; this opens it (chat.js), shown once there are any.
                    gr.Button("Sources", elem_id="sources-open", size="sm", variant="secondary", min_width=96)
            return chatbot, box, new_chat, (why_box, why, why_send, why_skip, why_note)

        if compact:
            chatbot, box, new_chat, why_parts = chat_column()
            sources = gr.HTML(render.sources_panel([]), elem_id="sources", elem_classes=["sources-box", "compact"])
        else:
            with gr.Row(equal_height=False, elem_classes=["main-row"]):
                with gr.Column(scale=3, min_width=360):
                    chatbot, box, new_chat, why_parts = chat_column()
                with gr.Column(scale=2, min_width=280, elem_classes=["sources-col"]):
                    gr.HTML('<h2 class="sources-title">Sources</h2>', elem_classes=["sources-head"])
                    sources = gr.HTML(render.sources_panel([]), elem_id="sources", elem_classes=["sources-box"])

        outputs = [box, chatbot, sources, state]
        ticket = gr.State(None)

        admit_io = dict(inputs=[box, chatbot], outputs=[box, chatbot, ticket], api_visibility="private",
                        queue=False, show_progress="hidden")  # instant; the answer's wait shows in the chat only

        def answer(admitted):
            """admit (at once) → gate (at once) → respond (queued, streamed)."""
            admitted.then(gate, [ticket], None, api_visibility="private", queue=False, show_progress="hidden").success(
                respond, [ticket, chatbot, state], outputs, api_visibility="private", concurrency_id="ask",
                show_progress_on=[chatbot])  # one quiet indicator: the chat's pending "•••" bubble

        answer(box.submit(admit, **admit_io))
        answer(chatbot.example_select(picked, None, box, api_visibility="private", queue=False,
                                      show_progress="hidden").then(admit, **admit_io))
        answer(chatbot.option_select(picked, None, box, api_visibility="private", queue=False,
                                     show_progress="hidden").then(admit, **admit_io))
        why_box, why, why_send, why_skip, why_note = why_parts
        chatbot.like(on_like, [state], [why_box, why, why_note], api_visibility="private", show_progress="hidden")
        for send in (why_send.click, why.submit):
            send(on_why, [why], [why_box, why, why_note], api_visibility="private", show_progress="hidden")
        why_skip.click(no_thanks, None, [why_box, why], api_visibility="private", queue=False, show_progress="hidden")
        new_chat.click(clear, None, [chatbot, sources, state, why_box, why], api_visibility="private", queue=False)

        if settings.server.keep_history_in_browser:
            saved = gr.BrowserState(None, storage_key=f"assistant-{surface}")

            def restore(value):
                if not isinstance(value, dict) or not isinstance(value.get("state"), dict):
                    return gr.update(), gr.update(), gr.update()
                return value.get("chat", []), render.sources_panel(value["state"].get("turns", [])), value["state"]

            demo.load(restore, [saved], [chatbot, sources, state], api_visibility="private", queue=False)
            chatbot.change(lambda c, s: {"chat": c, "state": s}, [chatbot, state], saved,
                           api_visibility="private", queue=False)

    demo.queue(default_concurrency_limit=settings.server.concurrency, max_size=settings.server.queue_size)
    gradio_queue.poll_every(demo)
    demo_ref.append(demo)
    return demo
