"""``assistant``: ingest, ask, chat, serve, eval, calibrate, golden. No traceback ever reaches the user."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from index.errors import AssistantError

from .cli_errors import friendly
from index.settings import Settings, apply_offline_env


def settings_from_env() -> Settings:
    apply_offline_env()
    return Settings.from_env()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
def main(verbose: bool) -> None:
    """Grounded Q&A over the sources in sources/ (see README)."""
    apply_offline_env()
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING if verbose else logging.ERROR)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Build a fresh collection and swap it in when complete.")
@click.option("--if-missing", is_flag=True, help="Do nothing when an index already exists.")
@click.option("--wait", default=0.0, show_default=True, help="Seconds to wait for another ingest's lock.")
@friendly
def ingest(paths, rebuild, if_missing, wait):
    """Read .md/.txt sources (default: ASSISTANT_SOURCES) into the index."""
    from index.ingest import ingest as run_ingest

    s = settings_from_env()
    if if_missing and _index_exists(s):
        click.echo(f"Index present at {s.chroma_location}; nothing to do.")
        return
    report = run_ingest(s, list(paths) or None, rebuild=rebuild, show_progress=sys.stderr.isatty(), wait=wait)
    for line in report.errors:
        click.echo(f"Skipped {line}", err=True)
    click.echo(f"Sources read: {len(report.sources)} ({', '.join(report.sources) or 'none'})")
    click.echo(f"Passages: {report.added} added, {report.unchanged} unchanged, {report.removed} removed "
               f"({report.passages} in {report.collection}); texts embedded: {report.embedded}")
    click.echo(f"Took {report.seconds:.2f} s")
    if report.errors:
        sys.exit(1)


def _index_exists(s: Settings) -> bool:
    from index import store

    try:
        return store.read_active(store.connect(s), s) is not None
    except AssistantError:
        return False


def _history_arg(value: str | None) -> list:
    if not value:
        return []
    try:
        data = json.loads(value)
    except ValueError:
        raise click.BadParameter("must be a JSON list of {\"role\", \"content\"} objects") from None
    if not isinstance(data, list):
        raise click.BadParameter("must be a JSON list")
    return data


def format_answer(ans) -> str:
    lines = [ans.answer]
    for i, c in enumerate(ans.citations, 1):
        snippet = " ".join(c.text.split())
        lines.append(f"  [{i}] {c.section} ({c.source}:{c.start}-{c.end}): {snippet[:160]}{'…' if len(snippet) > 160 else ''}")
    return "\n".join(lines)


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (the HTTP API's shape).")
@click.option("--history", help="Earlier turns as JSON: [{\"role\": \"user\", \"content\": \"…\"}, …]")
@friendly
def ask(question, as_json, history):
    """Answer one QUESTION from the index, with citations."""
    from .core import Assistant

    a = Assistant.load(settings_from_env())
    ans = a.ask(question, _history_arg(history))
    if as_json:
        click.echo(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
    else:
        if ans.query != question.strip():
            click.echo(f"(searched: {ans.query})")
        click.echo(format_answer(ans))


@main.command()
@friendly
def chat():
    """An interactive conversation in the terminal (Ctrl-D or 'exit' to leave)."""
    from .core import Assistant

    a = Assistant.load(settings_from_env())
    history: list[dict] = []
    click.echo("Ask about the article. Ctrl-D or 'exit' to leave.")
    while True:
        try:
            q = input("> ").strip()
        except EOFError:
            click.echo()
            return
        if q.lower() in {"exit", "quit"}:
            return
        if not q:
            continue
        try:
            ans = a.ask(q, history)
        except AssistantError as exc:
            click.echo(f"Error: {exc.message}")
            continue
        if ans.query != q:
            click.echo(f"(searched: {ans.query})")
        click.echo(format_answer(ans))
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": ans.answer}]


from .cli_eval import eval_cmd, golden_group  # noqa: E402

@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print the result without writing calibration.json.")
@friendly
def calibrate(files, dry_run):
    """Compute the refusal threshold from golden FILES (default: tests/golden/*.jsonl)."""
    from . import calibration
    from .core import Assistant

    files = list(files) or sorted((Path(__file__).resolve().parent.parent / "tests" / "golden").glob("*.jsonl"))
    if not files:
        raise click.UsageError("give golden .jsonl files to calibrate on")
    s = settings_from_env().with_(cache_size=0, refusal_threshold=None)
    result = calibration.run(Assistant.load(s), files, write=None if dry_run else calibration.CALIBRATION_FILE)
    click.echo(json.dumps(result, indent=2))
    if not dry_run:
        click.echo(f"Wrote {calibration.CALIBRATION_FILE}")


main.add_command(eval_cmd)
main.add_command(golden_group)


def _load_plugins() -> None:
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


_load_plugins()

if __name__ == "__main__":  # pragma: no cover
    main()
