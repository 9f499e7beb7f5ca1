"""The Gradio chat, the HTTP API and the embed widget."""
from .gradio_import import install as _install

_install()  # before any module here imports Gradio
