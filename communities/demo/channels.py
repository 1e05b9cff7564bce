"""Demo channels: each demo community gets « général » with a few weeks of history,
an « annonces » channel (only its hosts write), and Lina and Hugo a direct
conversation — so that `make run` opens on channels that look lived in.

Why the models rather than ``message_send``: the history is dated over the past
weeks (the service stamps « now », and its rate limit and slow mode would refuse a
burst of back-dated messages); the text goes through the same renderer
(``markup.render``), and ``Channel.last_message_id`` is kept as the service keeps
it. Idempotent: a channel that already has messages is left alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..markup import mention_handle, render
from ..models import (
    Channel,
    ChannelMember,
    Community,
    Membership,
    MembershipState,
    Message,
    MessageRevision,
    Reaction,
    Role,
)
from ..services.channels import default_channel_ensure, direct_channel_open

# (speaker index among the members, text); ``{community}``, ``{next}`` (the next
# speaker's handle, a mention) are filled in. Replies point at the line before.
GENERAL_SCRIPT = [
    (0, "Bonjour à toutes et à tous, bienvenue dans le salon de **{community}** !"),
    (1, "Merci pour l'accueil. Nous démarrons un projet similaire, ravis d'échanger ici."),
    (2, "Quelqu'un a-t-il déjà monté un partenariat avec la CAF sur ce sujet ?"),
    (0, "Oui, l'an dernier : la convention a pris quatre mois. Je peux partager le modèle."),
    (2, "Ce serait précieux, merci !"),
    (0, "Le voici : https://www.caf.fr/partenaires — voir la rubrique *conventions*."),
    (1, "Pour la mesure d'impact, on utilise une grille simple en trois indicateurs."),
    (3, "Vous pourriez la présenter à la prochaine rencontre ? @{next}"),
    (1, "Avec plaisir, je prépare une page de synthèse."),
    (2, "Petite question pratique : vous recrutez vos bénévoles comment ?"),
    (0, "Par le forum des associations de septembre, et le bouche-à-oreille surtout."),
    (3, "Chez nous, une annonce sur la plateforme de la ville a très bien marché."),
    (1, "Je confirme, et les services civiques ont été une vraie force l'an dernier."),
    (2, "Merci à tous, je note tout ça pour notre comité de pilotage."),
    (0, "Rappel : les comptes rendus des ateliers sont dans le dossier partagé."),
    (3, "Bonne semaine à tous, et bravo pour le lancement du mois dernier 🎉"),
    (1, "Nous ouvrons un deuxième lieu en janvier : qui veut venir voir ?"),
    (2, "Moi ! Vous êtes à quelle distance de la gare ?"),
    (1, "Dix minutes à pied, tout est indiqué sur notre page projet."),
]
ANNOUNCEMENTS = [
    "Le salon **annonces** accueille les informations officielles de la communauté : "
    "rencontres, appels à projets, comptes rendus.",
    "Appel à projets régional ouvert jusqu'à la fin du mois : "
    "https://www.avise.org/appels-a-projets — n'hésitez pas à en parler dans « général ».",
]
DIRECT_SCRIPT = [
    (0, "Bonjour Hugo, on se voit toujours jeudi pour préparer l'atelier ?"),
    (1, "Bonjour Lina, oui ! 14 h au centre social, ça te va ?"),
    (0, "Parfait. J'apporte les fiches pratiques sur les démarches en ligne."),
]
REACTIONS = ["👍", "🎉", "🙏", "❤️"]


def _members(community: Community) -> list:
    """Active members, hosts first (stable order)."""
    memberships = (
        Membership.objects.filter(community=community, state=MembershipState.ACTIVE)
        .select_related("user__profile")
        .order_by("-role", "joined_at", "pk")
    )
    hosts = [m.user for m in memberships if m.role in (Role.OWNER, Role.MODERATOR)]
    others = [m.user for m in memberships if m.role not in (Role.OWNER, Role.MODERATOR)]
    return hosts + others


def _write(channel: Channel, script: list, people: list, *, start, step, community_name="") -> None:
    handles = [(p.pk, mention_handle(str(p))) for p in people]
    previous = None
    last = None
    for index, (speaker, text) in enumerate(script):
        author = people[speaker % len(people)]
        following = people[(speaker + 1) % len(people)]
        body = text.format(community=community_name, next=mention_handle(str(following)))
        rendered = render(body, people=handles)
        message = Message.objects.create(
            channel=channel,
            author=author,
            body=body,
            html=rendered.html,
            reply_to=previous if index % 4 == 3 else None,
            created_at=start + step * index,
        )
        if rendered.mentioned_ids:
            message.mentions.set(rendered.mentioned_ids - {author.pk})
        if index % 5 == 1:
            for reader in people[: 1 + index % 3]:
                if reader.pk != author.pk:
                    Reaction.objects.get_or_create(
                        message=message, user=reader, emoji=REACTIONS[index % len(REACTIONS)]
                    )
        if index == 6:
            MessageRevision.objects.create(
                message=message, body="Pour la mesure d'impact, on a une grille."
            )
            message.edited_at = message.created_at + timedelta(minutes=3)
            message.save(update_fields=["edited_at"])
        previous = last = message
    if last is not None:
        Channel.objects.filter(pk=channel.pk).update(last_message_id=last.pk)
        # The hosts have read everything; the others see unread messages.
        for person in people[:1]:
            ChannelMember.objects.update_or_create(
                channel=channel, user=person, defaults={"last_read_id": last.pk}
            )


def demo_channels_ensure(*, users: dict) -> int:
    """Give the demo communities their channels and history; returns how many
    channels received messages."""
    now = timezone.now()
    filled = 0
    demo = Community.objects.filter(memberships__user__in=list(users.values())).distinct()
    for community in demo.order_by("pk"):
        people = _members(community)
        if len(people) < 2:
            continue
        with transaction.atomic():
            general = default_channel_ensure(community=community)
            if not Message.objects.filter(channel=general).exists():
                _write(
                    general,
                    GENERAL_SCRIPT,
                    people,
                    start=now - timedelta(days=21),
                    step=timedelta(hours=26),
                    community_name=community.name,
                )
                filled += 1
            announcements, _created = Channel.objects.get_or_create(
                community=community,
                slug="annonces",
                defaults={
                    "name": "annonces",
                    "topic": "Les informations officielles de la communauté.",
                    "read_only": True,
                },
            )
            if not Message.objects.filter(channel=announcements).exists():
                _write(
                    announcements,
                    [(0, text) for text in ANNOUNCEMENTS],
                    people,
                    start=now - timedelta(days=20),
                    step=timedelta(days=9),
                )
                filled += 1
    lina, hugo = users.get("lina"), users.get("hugo")
    if lina is not None and hugo is not None:
        with transaction.atomic():
            direct = direct_channel_open(user=lina, other=hugo)
            if not Message.objects.filter(channel=direct).exists():
                _write(
                    direct,
                    DIRECT_SCRIPT,
                    [lina, hugo],
                    start=now - timedelta(days=2),
                    step=timedelta(minutes=40),
                )
                filled += 1
    return filled
