"""How editorial pages become search documents (registered in CmsConfig.ready)."""

from __future__ import annotations

from django.db.models import QuerySet
from wagtail.models import PageViewRestriction

from search.documents import AUTHENTICATED, PUBLIC, SearchDocument
from search.registry import DocumentAdapter

from .blocks import stream_text
from .models import EditorialPage


def page_visibility(page) -> list[str] | None:
    """Who may find a live page: everyone, members, some groups — or None when a
    password protects it (it is then not searchable)."""
    restrictions = list(page.get_view_restrictions())
    if not restrictions:
        return [PUBLIC]
    principals: set[str] | None = None
    for restriction in restrictions:
        if restriction.restriction_type == PageViewRestriction.PASSWORD:
            return None
        if restriction.restriction_type == PageViewRestriction.LOGIN:
            allowed = {AUTHENTICATED}
        else:
            allowed = {f"group:{group.name}" for group in restriction.groups.all()}
        # Every restriction on the path applies: keep the strictest combination.
        if principals is None or principals == {AUTHENTICATED}:
            principals = allowed
        elif allowed != {AUTHENTICATED}:
            principals &= allowed
    return sorted(principals or [])


class EditorialPageAdapter(DocumentAdapter):
    kind = "page"
    label = "Page éditoriale"
    model = EditorialPage

    def queryset(self) -> QuerySet[EditorialPage]:
        return EditorialPage.objects.all()

    def document(self, page: EditorialPage) -> SearchDocument | None:
        if not page.live:
            return None
        visibility = page_visibility(page)
        if not visibility:
            return None
        return SearchDocument(
            kind=self.kind,
            object_id=str(page.pk),
            url=page.url or "",
            title=page.title,
            summary=page.intro or page.summary_text,
            body=stream_text(page.body),
            published_at=page.first_published_at,
            updated_at=page.last_published_at,
            visibility=visibility,
        )
