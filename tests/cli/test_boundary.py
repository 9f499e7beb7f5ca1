"""The CLI's one error boundary, in process: an error is one line on stderr and the documented exit code."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.cli.boundary import AssistantGroup, Command
from index.errors import AssistantError, GoldenFileError


def group_raising(exc: BaseException, **command_kwargs) -> click.Group:
    @click.group(cls=AssistantGroup)
    def root():
        pass

    @root.command("boom", cls=Command, **command_kwargs)
    def boom():
        raise exc

    @root.group("sub")
    def sub():
        pass

    @sub.command("boom", cls=Command, **command_kwargs)
    def nested():
        raise exc

    return root


CASES = {  # error, forced exit code, expected exit code, expected stderr
    "runtime": (AssistantError("Chroma is unreachable."), None, 1, "Error: Chroma is unreachable.\n"),
    "usage": (GoldenFileError("g.jsonl:3: missing field 'id'"), None, 2, "Error: g.jsonl:3: missing field 'id'\n"),
    "forced": (AssistantError("Chroma is unreachable."), 2, 2, "Error: Chroma is unreachable.\n"),
    "oserror": (PermissionError(13, "Permission denied", "/x/out.jsonl"), None, 1, "Error: /x/out.jsonl: Permission denied\n"),
    "oserror-forced": (PermissionError(13, "Permission denied", "/x/out.jsonl"), 2, 2, "Error: /x/out.jsonl: Permission denied\n"),
    "interrupt": (KeyboardInterrupt(), None, 130, "Interrupted.\n"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("where", [["boom"], ["sub", "boom"]])
def test_errors_become_one_line_and_an_exit_code(case, where):
    exc, forced, code, stderr = CASES[case]
    result = CliRunner().invoke(group_raising(exc, error_exit_code=forced), where)
    assert result.exit_code == code, (result.output, result.exception)
    assert result.stderr == stderr and result.stdout == ""


def test_a_bug_is_not_hidden():
    result = CliRunner().invoke(group_raising(RuntimeError("bug")), ["boom"])
    assert isinstance(result.exception, RuntimeError)


def test_the_real_cli_uses_the_boundary():
    assert isinstance(main, AssistantGroup)
    assert {"ingest", "ask", "chat", "eval", "train", "golden"} <= set(main.commands)
    assert main.commands["eval"].error_exit_code == 2
    assert main.commands["golden"].commands["draft"].error_exit_code == 2
    assert main.commands["ask"].error_exit_code is None
