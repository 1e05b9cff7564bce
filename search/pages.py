"""Who may find a Wagtail page: its view restrictions as search principals.

Wagtail decides who may *open* a page (``PageViewRestriction.accept_request``);
this module says the same thing in the index's terms, so that search, suggestions,
exports and feeds never show a page to someone Wagtail would refuse. Every page
adapter (projects, editorial pages…) asks here; search/ knows Wagtail, not apps.

- no restriction on the page or its ancestors → everyone;
- « connectés » (login) → any signed-in member;
- « groupes » → members of those groups (by id: renaming a group changes
  nothing) and superusers, whom Wagtail lets through;
- a password → nobody finds it through search (the password lives in a session).
Every restriction on the path applies, as Wagtail checks each: the principals are
intersected (conservative: a page under two group restrictions is found only by
members of a group named in both).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wagtail.models import Page, PageViewRestriction

from .documents import AUTHENTICATED, PUBLIC

SUPERUSER = "role:superuser"


def group_principal(group_id: int) -> str:
    return f"group:{group_id}"


@dataclass(frozen=True)
class Restriction:
    path: str
    kind: str
    group_ids: frozenset[int]


class Restrictions:
    """Every view restriction of the site, loaded once (two queries) and applied to
    many pages: bulk indexing checks a batch of 500 pages without a query per page."""

    def __init__(self, restrictions: Iterable[Restriction] | None = None):
        if restrictions is None:
            restrictions = self._load()
        self._items = sorted(restrictions, key=lambda r: r.path)

    @staticmethod
    def _load() -> list[Restriction]:
        groups: dict[int, set[int]] = {}
        through = PageViewRestriction.groups.through
        for restriction_id, group_id in through.objects.values_list(
            "pageviewrestriction_id", "group_id"
        ):
            groups.setdefault(restriction_id, set()).add(group_id)
        return [
            Restriction(path, kind, frozenset(groups.get(pk, ())))
            for pk, path, kind in PageViewRestriction.objects.values_list(
                "pk", "page__path", "restriction_type"
            )
        ]

    def on_path(self, path: str) -> list[Restriction]:
        return [r for r in self._items if path.startswith(r.path)]

    def visibility(self, page: Page) -> list[str] | None:
        """The principals that may find ``page``, or None when nobody may (password)."""
        return visibility_of(self.on_path(page.path))


def visibility_of(restrictions: Iterable[Restriction]) -> list[str] | None:
    principals: set[str] | None = None
    for restriction in restrictions:
        if restriction.kind == PageViewRestriction.PASSWORD:
            return None
        if restriction.kind == PageViewRestriction.LOGIN:
            allowed = {AUTHENTICATED}
        else:
            allowed = {group_principal(g) for g in restriction.group_ids} | {SUPERUSER}
        if principals is None or principals == {AUTHENTICATED}:
            principals = allowed
        elif allowed != {AUTHENTICATED}:
            principals &= allowed
    if principals is None:
        return [PUBLIC]
    return sorted(principals) or None


def page_visibility(page: Page) -> list[str] | None:
    """One page's principals (queries its own restrictions only)."""
    restrictions = [
        Restriction(page.path, r.restriction_type, frozenset(g.pk for g in r.groups.all()))
        for r in page.get_view_restrictions().prefetch_related("groups")
    ]
    return visibility_of(restrictions)
