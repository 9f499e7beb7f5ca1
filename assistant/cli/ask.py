"""``assistant ask`` (one question) and ``assistant chat`` (a conversation in the terminal)."""
from __future__ import annotations

import json

import click

from index.errors import AssistantError

from .. import validation
from .boundary import Command
from .settings import settings_from_env


def history_arg(value: str | None) -> list | None:
    """``--history``'s JSON (its shape is checked by assistant/validation.py, as for every way in)."""
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        raise click.BadParameter(f"must be JSON: a list of {validation.TURN_SHAPE} objects") from None


def format_answer(ans) -> str:
    lines = [ans.answer]
    for i, c in enumerate(ans.citations, 1):
        snippet = " ".join(c.text.split())
        lines.append(f"  [{i}] {c.section} ({c.source}:{c.start}-{c.end}): {snippet[:160]}{'…' if len(snippet) > 160 else ''}")
    return "\n".join(lines)


@click.command(cls=Command)
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (the HTTP API's shape).")
@click.option("--history", help="Earlier turns as JSON: [{\"role\": \"user\", \"content\": \"…\"}, …]")
def ask(question, as_json, history):
    """Answer one QUESTION from the index, with citations."""
    from assistant import Assistant

    settings = settings_from_env()
    # Checked before the model loads: a bad question or history fails at once, with the API's messages.
    question, turns = validation.check(question, history_arg(history), settings)
    a = Assistant.load(settings)
    ans = a.ask(question, turns)
    if as_json:
        click.echo(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
    else:
        if ans.query != question.strip():
            click.echo(f"(searched: {ans.query})")
        click.echo(format_answer(ans))


@click.command(cls=Command)
def chat():
    """An interactive conversation in the terminal (Ctrl-D or 'exit' to leave)."""
    from assistant import Assistant

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
        except AssistantError as exc:  # one bad question does not end the conversation
            click.echo(f"Error: {exc.message}")
            continue
        if ans.query != q:
            click.echo(f"(searched: {ans.query})")
        click.echo(format_answer(ans))
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": ans.answer}]
