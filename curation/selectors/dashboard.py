"""The editors' panel on the Wagtail admin home: what waits for them this week."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import WorkflowState

from communities.models import MessageReport
from communities.selectors.communities import community_proposals_pending
from innovations.models import ImportRun
from innovations.selectors import claims_pending
from search.selectors import search_analytics


def editors_dashboard(*, days: int = 7) -> dict:
    since = timezone.now() - datetime.timedelta(days=days)
    users = get_user_model().objects.filter(is_active=True)
    analytics = search_analytics(days=days, limit=5, documents=0)
    return {
        "moderation": {
            "pages": WorkflowState.objects.active().count(),
            "claims": claims_pending().count(),
            "proposals": community_proposals_pending().count(),
            "reports": MessageReport.objects.filter(resolved_at__isnull=True).count(),
        },
        "imports": list(
            ImportRun.objects.filter(dry_run=False)
            .select_related("source")
            .order_by("-created_at")[:5]
        ),
        "top_searches": analytics["top"],
        "zero_searches": analytics["zero"],
        "searches_total": analytics["total"],
        "new_members": users.filter(date_joined__gte=since).count(),
        "latest_members": list(users.order_by("-date_joined")[:5]),
        "days": days,
    }
