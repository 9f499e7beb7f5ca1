"""``assistant``: ingest, ask, chat, serve, eval, train, golden. No traceback ever reaches the user.

One module per group of verbs (:mod:`.ingest`, :mod:`.ask`, :mod:`.eval`, :mod:`.golden`, :mod:`.train`);
errors become one line and an exit code in one place, :class:`.boundary.AssistantGroup`. Commands from other
layers (``serve`` from ui/) register through the ``assistant.commands`` entry-point group."""
from __future__ import annotations

import logging

import click

from index.settings import apply_offline_env

from .ask import ask, chat
from .boundary import AssistantGroup
from .eval import eval_cmd
from .golden import golden_group
from .ingest import ingest
from .train import train

__all__ = ["main"]


@click.group(cls=AssistantGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
def main(verbose: bool) -> None:
    """Grounded Q&A over the sources in sources/ (see README)."""
    apply_offline_env()
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING if verbose else logging.ERROR)


for command in (ingest, ask, chat, train, eval_cmd, golden_group):
    main.add_command(command)


def load_plugins() -> None:
    """Commands from other layers (e.g. ``serve`` from ui/) register through the
    ``assistant.commands`` entry-point group, so assistant/ never imports ui/.
    Plugin modules import only click at module level; their heavy imports are inside the commands."""
    from importlib.metadata import entry_points

    for ep in entry_points(group="assistant.commands"):
        if ep.name not in main.commands:
            try:
                main.add_command(ep.load(), ep.name)
            except Exception as exc:  # a broken plugin must not break the CLI
                logging.getLogger(__name__).warning("command %s unavailable: %s", ep.name, exc)


load_plugins()
