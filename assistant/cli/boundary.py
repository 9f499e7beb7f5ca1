"""The CLI's one error boundary: an error from our code is one line on stderr and an exit code, never a traceback.

:class:`AssistantGroup` (the ``assistant`` group) catches what any command lets through:

- :class:`~index.errors.AssistantError`: ``Error: …`` (click's own error display) and exit 2 for bad usage or input
  (:data:`USAGE_CODES`), 1 for anything else; a :class:`Command` may force one code for every error
  (``assistant eval`` and ``golden draft`` exit 2 for any error, keeping 1 for a missed threshold);
- :class:`OSError` (a file that cannot be written…): ``Error: …`` and exit 1 (or the command's forced code);
- Ctrl-C: ``Interrupted.`` and exit 130.
"""
from __future__ import annotations

import click

from index.errors import AssistantError

USAGE_CODES = ("bad_golden_file", "bad_config", "bad_request")
USAGE_EXIT = 2  # bad usage or input
INTERRUPTED = 130
_FORCED = "assistant.error_exit_code"  # key in click's ctx.meta, shared by every context of one invocation


class Command(click.Command):
    """A verb; ``error_exit_code`` (optional) is the exit code of every error it raises."""

    def __init__(self, *args, error_exit_code: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.error_exit_code = error_exit_code

    def invoke(self, ctx: click.Context):
        if self.error_exit_code is not None:
            ctx.meta[_FORCED] = self.error_exit_code
        return super().invoke(ctx)


class Failed(click.ClickException):
    """An error as click reports it: ``Error: MESSAGE`` on stderr and ``exit_code``."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def exit_code(exc: AssistantError, forced: int | None = None) -> int:
    if forced is not None:
        return forced
    return USAGE_EXIT if exc.code in USAGE_CODES else 1


class AssistantGroup(click.Group):
    """The root group: every command runs inside :meth:`invoke`, the one place errors become exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AssistantError as exc:
            raise Failed(exc.message, exit_code(exc, ctx.meta.get(_FORCED))) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise Failed(f"{where}{exc.strerror or exc}", ctx.meta.get(_FORCED) or 1) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(INTERRUPTED)
