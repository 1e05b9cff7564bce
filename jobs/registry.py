"""Kinds of background job: apps declare what they run (jobs/ knows no app)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .services import JobContext


@dataclass(frozen=True)
class JobKind:
    code: str
    label: str
    # run(context) does the work, reports progress through context.report(...) and
    # returns (message, report): the report is a dict of figures shown when done.
    run: Callable[[JobContext], tuple[str, dict]]
    # Who may start and cancel it from the admin (a Django permission).
    permission: str = "jobs.change_job"
    # Killed workers' jobs are resumed: only for work that may safely start over
    # (each kind says why in its runner's docstring).
    resumable: bool = True


_kinds: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    _kinds[kind.code] = kind


def job_kind(code: str) -> JobKind | None:
    return _kinds.get(code)


def job_kinds() -> dict[str, JobKind]:
    return dict(_kinds)
