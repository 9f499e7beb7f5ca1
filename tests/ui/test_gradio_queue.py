"""The chat's Gradio queues look for work every POLL_SECONDS, not every millisecond (an idle server's CPU)."""
from __future__ import annotations

from conftest import make_settings


def test_both_chat_surfaces_poll_less_and_report_their_length(assistant, tmp_path):
    from ui import gradio_queue
    from ui.chat import build_chat
    from ui.feedback import FeedbackStore

    for compact in (False, True):  # the page and /embed
        demo = build_chat(assistant, make_settings(tmp_path), FeedbackStore(tmp_path / "f.sqlite3"), compact=compact)
        assert gradio_queue.poll_seconds(demo) == gradio_queue.POLL_SECONDS > 0.001  # Gradio's own: 1 ms
        assert gradio_queue.length(demo) == 0


def test_a_blocks_without_a_queue_has_length_zero():
    import gradio as gr

    from ui import gradio_queue

    with gr.Blocks() as demo:
        gr.Markdown("x")
    assert gradio_queue.length(demo) == 0
    gradio_queue.poll_every(demo)  # nothing to set yet: no error
