"""Progress bars of long commands (tqdm), and ``--fond``: hand the work to the
background worker instead of running it in the terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.utils.translation import gettext as _
from tqdm import tqdm


class Bar:
    """``bar(done, total)``: a tqdm bar on stderr (shown only on a terminal, so that
    cron's mail and CI logs stay clean); ``close()`` when done."""

    def __init__(self, description: str, *, enabled: bool = True):
        self.description = description
        self.enabled = enabled
        self._bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            self._bar = tqdm(
                total=total or None,
                desc=self.description,
                unit=" enr.",
                file=sys.stderr,
                disable=None,  # off when stderr is not a terminal
                dynamic_ncols=True,
            )
        if total and self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def add_background_option(parser) -> None:
    parser.add_argument(
        "--fond",
        action="store_true",
        help=_("Confier la tâche au worker (make worker) et la suivre dans l'admin."),
    )


def started_line(job) -> str:
    return _("Tâche n° %(id)s confiée au worker : suivez-la dans l'admin, « Tâches de fond ».") % {
        "id": job.pk
    }


ProgressCallback = Callable[[int, int], None]
