"""How editorial pages become search documents (registered in CmsConfig.ready)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from search.documents import SearchDocument
from search.pages import Restrictions
from search.registry import DocumentAdapter

from .blocks import stream_text
from .models import EditorialPage


class EditorialPageAdapter(DocumentAdapter):
    kind = "page"
    label = gettext_lazy("Page éditoriale")  # the facet value's label, in the reader's language
    model = EditorialPage

    def queryset(self) -> QuerySet[EditorialPage]:
        return EditorialPage.objects.all()

    def documents(self, objects):
        restrictions = Restrictions()
        return [(page, self.document(page, restrictions=restrictions)) for page in objects]

    def document(
        self, page: EditorialPage, *, restrictions: Restrictions | None = None
    ) -> SearchDocument | None:
        if not page.live:
            return None
        visibility = (restrictions or Restrictions()).visibility(page)
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
