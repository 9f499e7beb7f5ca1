"""The one FastAPI app: JSON API, ``/widget.js``, the compact chat at ``/embed`` and the full chat at ``/``."""
from __future__ import annotations

import json
from pathlib import Path

from index.settings import Settings, apply_offline_env

apply_offline_env()  # before gradio is imported anywhere below

import gradio as gr  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402
from fastapi.middleware.cors import CORSMiddleware  # noqa: E402
from fastapi.responses import RedirectResponse, Response  # noqa: E402

from . import api, ratelimit  # noqa: E402
from .chat import build_chat, css, head, theme  # noqa: E402
from .errors import ErrorShape  # noqa: E402
from .feedback import FeedbackStore  # noqa: E402
from .gradio_gate import GradioGate  # noqa: E402
from .security import SecurityHeaders  # noqa: E402
from .surface import Surface  # noqa: E402

STATIC = Path(__file__).resolve().parent / "static"


def widget_js(settings: Settings) -> str:
    return (STATIC / "widget.js").read_text(encoding="utf-8").replace("__DEFAULT_TITLE__", json.dumps(settings.server.widget_title))


def one_blas_thread() -> None:
    """numpy's BLAS (OpenBLAS) runs one thread per core for any product above its size threshold: the query ×
    vocabulary and query × sentence products cross it once the sources pass a few articles (2,250 embedded words at
    8 articles). Under load every request thread then hands its product to the same BLAS thread pool, which is
    shared and locked, and its workers spin while they wait: on 2 cores 17 ms of CPU per answer at 8 articles
    instead of 9 (py-spy: ``_soft_match`` 2.2 ms → 0.13, ``candidates`` 5.0 → 2.4 ms per question). Requests are
    already answered in parallel by the thread pool, so the server keeps numpy's BLAS to one thread. Same numbers:
    each output of a matrix-vector product is one thread's dot product either way (answers are byte-identical,
    benchmarks/golden_dump.py)."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
    except Exception:  # threadpoolctl missing or no BLAS found: nothing to limit
        pass


def create_app(settings: Settings | None = None, assistant=None) -> FastAPI:
    """Build the app around one loaded Assistant (loaded here when not given)."""
    settings = settings or Settings.from_env()
    one_blas_thread()
    if assistant is None:
        from assistant import Assistant

        assistant = Assistant.load(settings)
    feedback = FeedbackStore(settings.index.feedback_path)

    app = FastAPI(title=settings.server.widget_title, docs_url=None, redoc_url=None)
    app.state.assistant = assistant
    app.state.feedback = feedback
    app.state.settings = settings
    api.install_errors(app)
    app.include_router(api.router(assistant, feedback))

    script = widget_js(settings)

    @app.get("/widget.js", include_in_schema=False)
    async def widget():
        return Response(script, media_type="application/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300"})

    @app.get("/embed", include_in_schema=False)
    async def embed_redirect(request: Request):
        query = request.url.query
        return RedirectResponse("/embed/" + (f"?{query}" if query else ""), status_code=307)

    # Outermost first: security headers on everything; one error shape; our CORS policy (the allowlist), which
    # replaces Gradio's own (that would reflect any origin); only the known routes (ui.surface); chat events checked
    # before Gradio sees them (ui.gradio_gate).
    limiter = ratelimit.shared(settings)
    chats = {"/embed": build_chat(assistant, settings, feedback, compact=True, limiter=limiter),
             "": build_chat(assistant, settings, feedback, compact=False, limiter=limiter)}
    app.add_middleware(GradioGate, mounts=chats, settings=settings, limiter=limiter)
    app.add_middleware(Surface)
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.server.embed_origins), allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type"], allow_credentials=False, max_age=600)
    app.add_middleware(ErrorShape)
    app.add_middleware(SecurityHeaders, embed_origins=settings.server.embed_origins)

    # No uploads (the chat has no file input; the upload route is not even reachable through ui.surface), and
    # gradio_api/file= serves the app's static files only.
    common = dict(footer_links=[], run_history=settings.server.keep_history_in_browser, theme=theme(settings),
                  head=head(settings), show_error=False, ssr_mode=False, mcp_server=False, pwa=False,
                  enable_monitoring=False, max_file_size=0, allowed_paths=[str(STATIC)])
    gr.mount_gradio_app(app, chats["/embed"], path="/embed", css=css(True), **common)
    gr.mount_gradio_app(app, chats[""], path="/", css=css(False), **common)
    return app
