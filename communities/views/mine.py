"""/mes-communautes/: the communities I belong to (with my role), my pending
requests and invitations, suggestions, and « Mon fil », the feed of all my
communities (keyset-paginated: ``?avant=<id>``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..models import MembershipState
from ..rules import proposals_open
from ..selectors import communities_of_user, communities_suggested, feed_page, feed_personal
from ._common import feed_cursor, invitations_for_user


@login_required
@require_safe
def my_communities(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = list(communities_of_user(user=user))
    return render(
        request,
        "communities/mine.html",
        {
            "active": [m for m in memberships if m.state == MembershipState.ACTIVE],
            "requested": [m for m in memberships if m.state == MembershipState.REQUESTED],
            # Invitations to the account's verified addresses, whether or not the
            # service could mark a membership « invité·e » (the account may be newer).
            "invitations": invitations_for_user(user),
            "suggestions": communities_suggested(user=user),
            "feed": feed_page(items=feed_personal(user=user), before=feed_cursor(request)),
            "proposals_open": proposals_open(),
        },
    )
