"""`assistant serve` exactly as shipped, plus one read-only route for the benchmark: ``GET /_bench/stats``
(the query embedder's batch counters and the process's RSS), so batching under HTTP load can be counted.

Usage: python benchmarks/serve.py --host 127.0.0.1 --port N   (same options and environment as `assistant serve`)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _patch() -> None:
    import re

    import ui.server
    import ui.surface

    ui.surface.TABLE.insert(0, (re.compile(r"/_bench/stats\Z"), ("GET",)))  # let the route through the surface

    create = ui.server.create_app

    def create_app(settings=None, assistant=None):
        app = create(settings, assistant)
        emb = app.state.assistant.embedder

        def stats():
            import psutil

            me = psutil.Process()
            cpu = me.cpu_times()
            return {"batches": emb.batches, "embedded": emb.embedded, "waited": getattr(emb, "waited", 0.0),
                    "pid": os.getpid(), "rss": me.memory_info().rss, "cpu_s": cpu.user + cpu.system,
                    "threads": me.num_threads()}

        # first in the route table, so the chat mounted at "/" cannot shadow it
        from fastapi.routing import APIRoute

        app.router.routes.insert(0, APIRoute("/_bench/stats", stats, methods=["GET"]))
        return app

    ui.server.create_app = create_app


if __name__ == "__main__":
    from ui.cli import serve

    _patch()
    serve.main(args=sys.argv[1:], prog_name="assistant serve", standalone_mode=True)
