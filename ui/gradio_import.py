"""Importing Gradio without its stub writer (an adapter over one Gradio internal; the only one of its kind).

Each Gradio component class, as it is defined, runs ``gradio.component_meta.create_or_modify_pyi``: it reads the
component's source file, parses it, rebuilds the ``.pyi`` type stub and compares it with the one installed — work
for Gradio's own developers (it keeps their stubs in step with the code), done again on every import and writing
into site-packages when they differ. Measured here: ``import gradio`` costs 2.4 s of CPU with it and 1.35 s without,
about a quarter of ``assistant serve``'s start. Gradio offers no switch, so :func:`install` puts a finder before the
first import that replaces that one function by a no-op as the module loads. If Gradio renames or drops the
function, the finder does nothing and Gradio imports as usual.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys

MODULE = "gradio.component_meta"


class _SkipStubWriter(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != MODULE:
            return None
        sys.meta_path.remove(self)  # once; find the real spec without us
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            if callable(getattr(module, "create_or_modify_pyi", None)):
                module.create_or_modify_pyi = lambda *args, **kwargs: None

        spec.loader.exec_module = exec_module
        return spec


def install() -> None:
    """Before Gradio is first imported; afterwards (or twice) it does nothing."""
    if MODULE not in sys.modules and not any(isinstance(f, _SkipStubWriter) for f in sys.meta_path):
        sys.meta_path.insert(0, _SkipStubWriter())
