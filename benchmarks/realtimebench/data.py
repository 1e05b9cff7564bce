"""Members of one community, each with a session (what the login form would leave),
a channel per layer; afterwards, the stored ids of the run and their send times."""

from __future__ import annotations

from datetime import timedelta


def setup_data(*, people: int, layers: list[str]) -> tuple[list[str], dict[str, int]]:
    """Cookies of ``people`` members and the channel of each layer."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import Profile
    from communities.models import Channel, Community, Membership

    community = Community.objects.create(
        name="Banc d'essai",
        slug="banc-essai",
        short_description="Mesures du temps réel.",
        kind="thematique",
        visibility="public",
        join_policy="open",
        status="active",
    )
    User = get_user_model()
    users = []
    for i in range(people):
        user = User(email=f"membre{i}@banc.test")
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users, batch_size=500)
    now = timezone.now()
    Profile.objects.bulk_create(
        [Profile(user=u, display_name=f"Membre {i}") for i, u in enumerate(users)]
    )
    Membership.objects.bulk_create(
        [
            Membership(community=community, user=u, role="member", state="active", joined_at=now)
            for u in users
        ]
    )
    store, sessions = SessionStore(), []
    for user in users:
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(
                session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
                session_data=store.encode(data),
                expire_date=now + timedelta(days=1),
            )
        )
    Session.objects.bulk_create(sessions, batch_size=500)
    channels = {
        layer: Channel.objects.create(
            community=community, name=f"Banc {layer}", slug=f"banc-{layer.replace('+', '-')}"
        ).pk
        for layer in layers
    }
    return [f"sessionid={s.session_key}" for s in sessions], channels


def stored_messages(channel_id: int) -> dict[int, float]:
    """Every stored id of the channel and its send time (the body: ``<n> <time>``)."""
    from django.db import connection

    from communities.models import Message

    rows = Message.objects.filter(channel_id=channel_id).values_list("pk", "body")
    sent = {pk: float(body.split()[1]) for pk, body in rows}
    connection.close()
    return sent
