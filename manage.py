#!/usr/bin/env python
"""Django's command-line utility for Carrefour."""

import os
import sys

from cms.bootstrap import load_settings_or_exit


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    load_settings_or_exit()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
