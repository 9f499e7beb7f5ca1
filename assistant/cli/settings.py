"""The settings every command runs with: the environment's (``ASSISTANT_*``), offline switches applied first."""
from __future__ import annotations

from index.settings import Settings, apply_offline_env


def settings_from_env() -> Settings:
    apply_offline_env()
    return Settings.from_env()
