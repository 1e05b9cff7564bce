"""Load the settings module before Django does, so that a configuration error is
reported on one line naming the variable at fault rather than as a traceback."""

from __future__ import annotations

import importlib
import os
import sys


def load_settings_or_exit() -> None:
    from core.env import ConfigurationError

    module = os.environ.get("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    try:
        importlib.import_module(module)
    except ConfigurationError as exc:
        sys.stderr.write(f"Configuration invalide : {exc}\n")
        raise SystemExit(2) from None
