from __future__ import annotations

import pytest


@pytest.fixture
def indexed():
    """Rebuild the database backend's copy of projects, communities, events and pages."""
    from search.indexing import reindex

    def run():
        reindex(kinds=["project", "community", "event", "page"])

    return run


@pytest.fixture
def restrict():
    """Put a login view restriction on a page (what « Confidentialité » does)."""
    from wagtail.models import PageViewRestriction

    def run(page):
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)

    return run
