"""How CLI commands report errors: one line on stderr and an exit code, never a traceback."""
from __future__ import annotations

import functools
import sys

import click

from index.errors import AssistantError

USAGE_CODES = ("bad_golden_file", "bad_config", "bad_request")


def friendly(fn=None, *, exit_code: int | None = None):
    """Decorator: an :class:`AssistantError` becomes ``Error: …`` and exit 2 (usage/input) or 1 (anything else);
    ``exit_code`` forces one code for every error (``assistant eval`` keeps 1 for a missed threshold)."""
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except AssistantError as exc:
                click.echo(f"Error: {exc.message}", err=True)
                sys.exit(exit_code if exit_code is not None else 2 if exc.code in USAGE_CODES else 1)
            except KeyboardInterrupt:
                click.echo("Interrupted.", err=True)
                sys.exit(130)
        return wrapper
    return decorate(fn) if fn is not None else decorate
