"""``GET /healthz``: whether this replica can answer, and what is wrong when it only partly can.

Always 200 while the process answers (so a load balancer keeps a replica that still answers from memory), with
``status`` ``"ok"`` or ``"degraded"`` and ``reasons`` (codes): ``chroma_unreachable`` (the Chroma server does not
answer: new ingests cannot be followed), ``index_missing`` (the embedded index folder is gone), ``feedback_unavailable``
(votes cannot be stored). The public answer also names the index version served, nothing more: no paths, thresholds or
counts. ``?detail=1`` adds everything (passage and source counts, where the index lives, the model, the refusal
threshold, feedback counts, each reason's message) for requests from loopback or ``ASSISTANT_TRUSTED_PROXIES``; from
anywhere else it is refused with 403.
"""
from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool

from index import store

from . import ratelimit
from .validation import ApiError

log = logging.getLogger(__name__)
DETAIL = ("passages", "sources", "collection", "version", "fingerprint", "chroma", "chroma_mode", "model", "llm",
          "refusal_threshold")


def may_see_detail(request, settings) -> bool:
    host = ratelimit.client_key(request)
    return ratelimit.is_loopback(host) or ratelimit.address_matcher(settings.server.trusted_proxies)(host)


def _problems(assistant, feedback, settings) -> dict[str, str]:
    problems = {}
    unreachable = store.reachable(settings)
    if unreachable:
        problems["chroma_unreachable" if settings.index.chroma_url else "index_missing"] = unreachable
    else:
        try:  # follow an ingest made elsewhere even when no question came in since
            assistant.refresh()
        except Exception as exc:  # noqa: BLE001 — report what is served; the next question retries
            log.warning("index refresh failed: %s", exc)
            problems["index_refresh_failed"] = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    trouble = feedback.health()
    if trouble:
        problems["feedback_unavailable"] = trouble
    return problems


async def report(request, assistant, feedback, settings) -> dict:
    detail = request.query_params.get("detail", "") not in ("", "0", "false")
    if detail and not may_see_detail(request, settings):
        raise ApiError(403, "forbidden", "The detailed health report is only shown to loopback and trusted proxies.")
    problems = await run_in_threadpool(_problems, assistant, feedback, settings)
    info = assistant.info()
    out = {"status": "degraded" if problems else "ok", "reasons": sorted(problems),
           "collection": info.get("collection"), "version": info.get("version")}
    if detail:
        out.update({k: info.get(k) for k in DETAIL})
        out["details"] = problems
        try:
            out["feedback"] = await run_in_threadpool(feedback.counts)
        except Exception:  # noqa: BLE001 — already reported as feedback_unavailable
            out["feedback"] = None
    return out
