"""Gradio imported through ui/ skips its stub writer (a start-up cost) and still builds the chat."""
from __future__ import annotations

import subprocess
import sys

PROBE = """
import ui.chat, gradio, gradio.component_meta as meta
from ui.gradio_import import _SkipStubWriter
print(meta.create_or_modify_pyi.__qualname__.startswith(_SkipStubWriter.__name__))
print(any(e.event_name == "submit" for e in gradio.Textbox.EVENTS))
"""


def test_stub_writer_is_skipped_and_components_keep_their_events():
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["True", "True"]


def test_install_after_gradio_is_imported_changes_nothing():
    import gradio  # noqa: F401  (already imported by earlier tests or now)
    from ui import gradio_import

    before = list(sys.meta_path)
    gradio_import.install()
    assert sys.meta_path == before
