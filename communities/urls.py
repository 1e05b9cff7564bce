"""Public pages of communities, events and invitations (issue 12).

The paths are those written in ``communities/paths.py`` (and in e-mails already
sent): ``/communautes/``, ``/communautes/<slug>/``, ``/evenements/<id>/``,
``/communautes/invitation/<token>/``, ``/mes-communautes/``. Included from
``cms/urls.py`` before Wagtail's catch-all, so they win over any page of the tree
with the same slug. Fixed words (``proposer``, ``invitation``) come before
``<slug>/``.
"""

from django.urls import path

from .views import channels, community, directory, events, invitation, members, mine, propose

app_name = "communities"

urlpatterns = [
    path("communautes/", directory.directory, name="directory"),
    path("communautes/proposer/", propose.propose, name="propose"),
    path("communautes/invitation/<str:token>/", invitation.landing, name="invitation"),
    path("mes-communautes/", mine.my_communities, name="mine"),
    # A community and what a visitor does on it (POST only).
    path("communautes/<slug:slug>/", community.detail, name="detail"),
    path("communautes/<slug:slug>/rejoindre/", community.join, name="join"),
    path("communautes/<slug:slug>/demander/", community.request_membership, name="request"),
    path("communautes/<slug:slug>/quitter/", community.leave, name="leave"),
    path(
        "communautes/<slug:slug>/demande/annuler/",
        community.request_cancel,
        name="request_cancel",
    ),
    path(
        "communautes/<slug:slug>/invitation/accepter/",
        community.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "communautes/<slug:slug>/invitation/refuser/",
        community.invitation_decline,
        name="invitation_decline",
    ),
    path("communautes/<slug:slug>/annonces/", community.announce, name="announce"),
    path("communautes/<slug:slug>/projets/", community.project_attach, name="project_attach"),
    path(
        "communautes/<slug:slug>/projets/<id:project_id>/detacher/",
        community.project_detach,
        name="project_detach",
    ),
    # Members: directory and moderation.
    path("communautes/<slug:slug>/membres/", members.members, name="members"),
    path(
        "communautes/<slug:slug>/membres/demandes/<id:membership_id>/",
        members.request_decide,
        name="request_decide",
    ),
    path(
        "communautes/<slug:slug>/membres/invitations/",
        members.invite,
        name="invite",
    ),
    path(
        "communautes/<slug:slug>/membres/invitations/<id:invitation_id>/revoquer/",
        members.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "communautes/<slug:slug>/membres/<id:user_id>/",
        members.member_action,
        name="member_action",
    ),
    # Events.
    path("communautes/<slug:slug>/evenements/", events.community_events, name="events"),
    path("evenements/<id:event_id>/", events.event_detail, name="event"),
    path("evenements/<id:event_id>/reponse/", events.rsvp, name="rsvp"),
    path("evenements/<id:event_id>/modifier/", events.event_edit, name="event_edit"),
    path("evenements/<id:event_id>/annuler/", events.event_cancel, name="event_cancel"),
]

# Channels and direct messages (issue 13). Fixed words (``nouveau``) come before
# ``<channel_slug>/``; ``/messages/ecrire/`` before ``/messages/<id>/``.
from .views import chat_moderation, directs  # noqa: E402

urlpatterns += [
    path("communautes/<slug:slug>/discussions/", channels.channel_list, name="channels"),
    path(
        "communautes/<slug:slug>/discussions/nouveau/",
        channels.channel_new,
        name="channel_new",
    ),
    path(
        "communautes/<slug:slug>/discussions/<slug:channel_slug>/",
        channels.channel,
        name="channel",
    ),
    path(
        "communautes/<slug:slug>/discussions/<slug:channel_slug>/reglages/",
        channels.channel_settings,
        name="channel_settings",
    ),
    path(
        "communautes/<slug:slug>/discussions/<slug:channel_slug>/notifications/",
        channels.channel_mute,
        name="channel_mute",
    ),
    path("communautes/<slug:slug>/moderation/", chat_moderation.queue, name="chat_moderation"),
    path(
        "communautes/<slug:slug>/moderation/silence/<id:user_id>/",
        chat_moderation.member_mute,
        name="member_mute",
    ),
    path("discussions/message/<id:message_id>/", channels.message_redirect, name="message"),
    path(
        "discussions/message/<id:message_id>/<str:action>/",
        channels.message_action,
        name="message_action",
    ),
    path("messages/", directs.directs, name="directs"),
    path("messages/ecrire/<id:user_id>/", directs.direct_open, name="direct_open"),
    path("messages/<id:channel_id>/", directs.direct, name="direct"),
    path("messages/<id:channel_id>/notifications/", directs.direct_mute, name="direct_mute"),
]

# --- C4: API-free exports (iCalendar, Atom) ---
# iCalendar (communities/ics.py) and Atom (communities/feeds.py): 404 for whoever
# may not read the community's events (private: a member's ?jeton= address).
from . import feeds, ics  # noqa: E402

urlpatterns += [
    path("communautes/<slug:slug>/evenements.ics", ics.community_calendar, name="community_ics"),
    path("evenements/<id:event_id>.ics", ics.event_calendar, name="event_ics"),
    path("communautes/<slug:slug>/flux.atom", feeds.community_atom, name="community_atom"),
]

# « S'en inspirer » (issue 16): the request form beside the project's other public
# actions (``/projets-actions/<id>/…``, innovations/urls.py), the member's requests
# and the team's inbox under « Mon espace ». Fixed words (``pause``) come before
# ``<id:inspiration_id>/``.
from .views import inspirations  # noqa: E402

urlpatterns += [
    path(
        "projets-actions/<id:project_id>/s-en-inspirer/",
        inspirations.inspire,
        name="inspire",
    ),
    path("mon-espace/inspirations/", inspirations.mine, name="my_inspirations"),
    path(
        "mon-espace/inspirations/<id:inspiration_id>/retirer/",
        inspirations.withdraw,
        name="inspiration_withdraw",
    ),
    path(
        "mon-espace/projets/<id:project_id>/inspirations/",
        inspirations.inbox,
        name="inspiration_inbox",
    ),
    path(
        "mon-espace/projets/<id:project_id>/inspirations/pause/",
        inspirations.pause,
        name="inspiration_pause",
    ),
    path(
        "mon-espace/projets/<id:project_id>/inspirations/<id:inspiration_id>/reponse/",
        inspirations.decide,
        name="inspiration_decide",
    ),
]
