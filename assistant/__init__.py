"""Grounded Q&A over the article: ``Assistant.load().ask(question, history=[])``."""
from index.errors import AssistantError, BadQuestion

from .answering.types import REFUSAL_TEXT, Answer, Citation

__all__ = ["Assistant", "Answer", "Citation", "AssistantError", "BadQuestion", "REFUSAL_TEXT"]


def __getattr__(name):  # lazy: importing the package does not load torch
    if name == "Assistant":
        from .answering.core import Assistant

        return Assistant
    raise AttributeError(name)
