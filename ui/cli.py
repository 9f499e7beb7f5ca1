"""``assistant serve``: registered through the ``assistant.commands`` entry point.

Only click and the standard library at module level: the CLI stays fast; the app is imported inside the command.
"""
from __future__ import annotations

import socket
import sys

import click


@click.command()
@click.option("--host", default=None, help="Bind address [default: ASSISTANT_HOST or 127.0.0.1].")
@click.option("--port", default=None, type=int, help="Port [default: ASSISTANT_PORT or 7860].")
def serve(host: str | None, port: int | None) -> None:
    """Serve the chat (/), the embed (/embed, /widget.js) and the JSON API (/api/ask, /healthz)."""
    from index.errors import AssistantError, ConfigError
    from index.settings import Settings, apply_offline_env

    apply_offline_env()
    try:
        settings = Settings.from_env()
        host = host or settings.server.host
        port = settings.server.port if port is None else port
        _check_port(host, port)
        from assistant import Assistant

        assistant = Assistant.load(settings)  # once per process, before serving
        from ui.server import create_app

        app = create_app(settings, assistant)
    except AssistantError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(2 if isinstance(exc, ConfigError) else 1)  # 2: bad usage, as every other command
    except OSError as exc:
        click.echo(f"Error: cannot listen on {host}:{port} ({exc.strerror or exc}). Pick another --port.", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)

    import logging

    import uvicorn

    from ui.protocol import protocol_class

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s:  %(name)s: %(message)s")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"Serving the assistant on http://{shown}:{port} (Ctrl-C to stop)", err=True)
    # X-Forwarded-For is believed only from ASSISTANT_TRUSTED_PROXIES (uvicorn would trust 127.0.0.1 by default),
    # so a client cannot pick its own rate-limit identity by sending the header. The h11 protocol of ui.protocol
    # adds read timeouts, the header size limit and the per-client connection cap; no websockets (Gradio uses SSE).
    proxies = ",".join(settings.server.trusted_proxies)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None, timeout_graceful_shutdown=5, http=protocol_class(settings),
                ws="none", h11_max_incomplete_event_size=settings.server.max_header_bytes,
                timeout_keep_alive=max(1, min(5, int(settings.server.read_timeout))))


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
