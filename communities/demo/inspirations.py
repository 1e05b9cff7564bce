"""Demo « S'en inspirer » requests (issue 16): Lina, the demo member `make run`
prints, asked several demo projects' teams how to copy them — some still wait
(« Mes inspirations » shows them, and Bruno and Emma find them in their inbox and
notifications), one was accepted (their conversation is open in « Messages ») and
one declined.

Through the services, as a member would do it (notifications included; no e-mail
leaves: the people are made up), then dated over the past days. Idempotent: a
project Lina already asked, whatever the answer, is left alone; a project or an
account that is missing is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from innovations.models import ProjectPage, Territory, TerritoryLevel

from ..models import InspirationRequest
from ..services.inspirations import (
    inspiration_accept,
    inspiration_decline,
    inspiration_request_create,
)
from ..services.messages import message_send
from .loader import _no_emails

REQUESTER = "lina"
ORGANISATION = "Médiathèque de Nemours (démo)"


@dataclass(frozen=True)
class Ask:
    project: str  # the demo project's slug
    message: str
    days_ago: int
    answer: str = ""  # "accept" or "decline"
    response: str = ""
    reply: str = ""  # Lina's answer in the conversation (accepted only)


ASKS = [
    Ask(
        "connexions-solidaires",
        "Bonjour ! Nous accueillons chaque semaine des habitants perdus devant leurs "
        "démarches en ligne. Votre façon d'organiser les permanences avec les bénévoles "
        "nous intéresse beaucoup : pourrions-nous en parler ?",
        days_ago=2,
    ),
    Ask(
        "le-bus-des-droits",
        "Les villages autour de Nemours n'ont plus de permanence d'accès aux droits. Un "
        "bus comme le vôtre pourrait-il marcher chez nous ? Comment l'avez-vous financé ?",
        days_ago=1,
    ),
    Ask(
        "la-bibliotheque-a-roulettes",
        "Nous aimerions emmener quelques livres et des tablettes dans les hameaux. Quel "
        "véhicule avez-vous choisi, et avec quelle assurance ?",
        days_ago=0,
    ),
    Ask(
        "les-voisineurs",
        "Votre réseau d'entraide entre voisins me semble reproductible dans notre "
        "quartier de la gare. Avez-vous une charte ou un guide de lancement ?",
        days_ago=9,
        answer="accept",
        response="Avec plaisir ! Nous avons un guide de lancement de douze pages et une "
        "charte type : je vous les envoie ici. Quand seriez-vous disponible pour un appel ?",
        reply="Merci beaucoup ! Jeudi après-midi, ça vous irait ?",
    ),
    Ask(
        "raccroche-wagon",
        "Nous voudrions proposer un accompagnement au retour à l'emploi à la médiathèque : "
        "votre méthode peut-elle s'adapter à une petite ville ?",
        days_ago=12,
        answer="decline",
        response="Merci pour votre message ! Nous ne pouvons pas accompagner de nouveau "
        "territoire cette année, mais notre fiche d'essaimage décrit la méthode : n'hésitez "
        "pas à revenir vers nous l'an prochain.",
    ),
]


def _territory() -> Territory | None:
    """Nemours (the demo projects load it), else Seine-et-Marne, else any département."""
    return (
        Territory.objects.filter(level=TerritoryLevel.COMMUNE, code="77333").first()
        or Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT, code="77").first()
        or Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT).order_by("code").first()
    )


def _team_member(project: ProjectPage):
    if project.owner_id is not None and project.owner.is_active:
        return project.owner
    member = project.members.select_related("user").first()
    return member.user if member is not None else None


def demo_inspirations_ensure(*, users: dict) -> int:
    """Lina's requests; returns how many were created."""
    requester = users.get(REQUESTER)
    territory = _territory()
    if requester is None or territory is None:
        return 0
    now = timezone.now()
    created = 0
    with _no_emails():
        for ask in ASKS:
            project = (
                ProjectPage.objects.live()
                .public()
                .filter(slug=ask.project)
                .select_related("owner")
                .first()
            )
            if (
                project is None
                or InspirationRequest.objects.filter(project=project, requester=requester).exists()
            ):
                continue
            team_member = _team_member(project)
            if team_member is None or team_member.pk == requester.pk:
                continue
            inspiration = inspiration_request_create(
                project=project,
                requester=requester,
                territory=territory,
                organisation=ORGANISATION,
                message=ask.message,
            )
            # Dated over the past days (the list looks lived in, and the daily limit
            # of requests is left to the person who logs in as Lina).
            asked_at = now - timedelta(days=ask.days_ago, hours=3)
            InspirationRequest.objects.filter(pk=inspiration.pk).update(created_at=asked_at)
            if ask.answer == "accept":
                inspiration = inspiration_accept(
                    inspiration=inspiration, actor=team_member, message=ask.response
                )
                if ask.reply and inspiration.channel_id:
                    message_send(channel=inspiration.channel_id, author=requester, body=ask.reply)
            elif ask.answer == "decline":
                inspiration = inspiration_decline(
                    inspiration=inspiration, actor=team_member, message=ask.response
                )
            if ask.answer:
                InspirationRequest.objects.filter(pk=inspiration.pk).update(
                    decided_at=asked_at + timedelta(days=1)
                )
            created += 1
    return created
