"""Notifications about proposed communities: to the editors, then to the proposer."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ..models import Community
from ..paths import community_path
from ._core import _french, community_scope, editors, notify


def proposal_created(*, community: Community, proposer) -> None:
    with _french():
        title = _("Nouvelle proposition de communauté : « %(name)s »") % {"name": community.name}
    notify(
        recipients=editors(),
        kind="community.proposal",
        title=title,
        body=community.short_description,
        url=reverse("wagtailsnippets_communities_community:list"),
        actor=proposer,
        scope=community_scope(community),
    )


def proposal_decided(*, community: Community, approved: bool, actor, message: str) -> None:
    with _french():
        if approved:
            title = _("Votre communauté « %(name)s » est ouverte") % {"name": community.name}
        else:
            title = _("Votre proposition « %(name)s » n'a pas été retenue") % {
                "name": community.name
            }
    notify(
        recipients=[community.proposed_by],
        kind="community.proposal",
        title=title,
        body=message,
        url=community_path(community),
        actor=actor,
    )
