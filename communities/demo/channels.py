"""Demo channels: each demo community gets « général » with a few weeks of history,
a themed channel (« entraide », « financements » or « rencontres »), an « annonces »
channel (only its hosts write), and Lina and Hugo a direct conversation — so that
`make run` opens on channels that look lived in: replies, mentions, reactions, an
edited message in each, unread messages for those who were not there.

Why the models rather than ``message_send``: the history is dated over the past
weeks (the service stamps « now », and its rate limit and slow mode would refuse a
burst of back-dated messages); the text goes through the same renderer
(``markup.render``), and ``Channel.last_message_id`` is kept as the service keeps
it (the newest id of the channel). Idempotent: a channel that already has messages
is left alone, a channel that exists is not created again.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Line:
    """One message of a script: ``speaker`` is an index among the channel's people
    (hosts first); ``{community}`` and ``{next}`` (the next speaker's handle: a
    mention) are filled in; ``reply`` answers the line before; ``was`` is the text
    before an edit (kept as its revision)."""

    speaker: int
    text: str
    reply: bool = False
    was: str = ""


GENERAL_SCRIPT = [
    Line(0, "Bonjour à toutes et à tous, bienvenue dans le salon de **{community}** !"),
    Line(1, "Merci pour l'accueil. Nous démarrons un projet similaire, ravis d'échanger ici."),
    Line(2, "Quelqu'un a-t-il déjà monté un partenariat avec la CAF sur ce sujet ?"),
    Line(
        0,
        "Oui, l'an dernier : la convention a pris quatre mois. Je peux partager le modèle.",
        reply=True,
    ),
    Line(2, "Ce serait précieux, merci !"),
    Line(0, "Le voici : https://www.caf.fr/partenaires — voir la rubrique *conventions*."),
    Line(
        1,
        "Pour la mesure d'impact, on utilise une grille simple en trois indicateurs.",
        was="Pour la mesure d'impact, on a une grille.",
    ),
    Line(0, "Vous pourriez la présenter à la prochaine rencontre ? @{next}", reply=True),
    Line(1, "Avec plaisir, je prépare une page de synthèse."),
    Line(2, "Petite question pratique : vous recrutez vos bénévoles comment ?"),
    Line(0, "Par le forum des associations de septembre, et le bouche-à-oreille surtout."),
    Line(3, "Chez nous, une annonce sur la plateforme de la ville a très bien marché.", reply=True),
    Line(1, "Je confirme, et les services civiques ont été une vraie force l'an dernier."),
    Line(2, "Merci à tous, je note tout ça pour notre comité de pilotage."),
    Line(0, "Rappel : les comptes rendus des ateliers sont dans le dossier partagé."),
    Line(3, "Bonne semaine à tous, et bravo pour le lancement du mois dernier 🎉"),
    Line(1, "Nous ouvrons un deuxième lieu en janvier : qui veut venir voir ?"),
    Line(2, "Moi ! Vous êtes à quelle distance de la gare ?", reply=True),
    Line(1, "Dix minutes à pied, tout est indiqué sur notre page projet.", reply=True),
]

# The themed channels, by name (also their address): (topic, script).
THEMES: dict[str, tuple[str, list[Line]]] = {
    "entraide": (
        "Questions pratiques, outils et bons tuyaux entre membres.",
        [
            Line(
                0,
                "Ce salon est fait pour les questions pratiques : n'hésitez pas, même les petites.",
            ),
            Line(2, "Quelle assurance prenez-vous pour les bénévoles pendant les ateliers ?"),
            Line(
                1,
                "La MAIF propose un contrat associatif qui couvre les bénévoles ; "
                "comptez environ 200 € par an pour une petite structure.",
                reply=True,
            ),
            Line(3, "Même chose chez nous, avec une extension pour le prêt de matériel."),
            Line(2, "Merci, je regarde ça cette semaine."),
            Line(0, "Autre sujet : quel outil utilisez-vous pour les inscriptions aux ateliers ?"),
            Line(
                1,
                "Un simple formulaire en ligne, puis un tableur partagé. Rien de compliqué.",
                was="Un formulaire en ligne.",
                reply=True,
            ),
            Line(
                3,
                "On est passés à une billetterie gratuite : "
                "les rappels par courriel évitent les absences.",
            ),
            Line(
                2,
                "Les rappels, c'est exactement ce qui nous manque. "
                "@{next} tu peux m'envoyer le lien ?",
            ),
            Line(3, "C'est envoyé en message direct !", reply=True),
            Line(0, "Pensez à l'information RGPD sur le formulaire : une phrase suffit."),
            Line(1, "Bonne remarque. Il y a un modèle de mention sur le site de la CNIL."),
            Line(2, "Dernière question : quelqu'un a des chaises pliantes à prêter le 14 ?"),
            Line(0, "Nous en avons une trentaine, passe les prendre la veille.", reply=True),
            Line(2, "Super, merci beaucoup 🙏"),
            Line(3, "Et pour le café, la recyclerie du quartier prête ses percolateurs."),
        ],
    ),
    "financements": (
        "Appels à projets, subventions, mécénat : ce qui s'ouvre et comment y répondre.",
        [
            Line(0, "On rassemble ici les appels à projets qui concernent **{community}**."),
            Line(1, "Le Fonds de développement de la vie associative rouvre au printemps."),
            Line(
                2,
                "Le FDVA fonctionnement ou le FDVA innovation ?",
                reply=True,
            ),
            Line(
                1,
                "Les deux, mais le volet innovation demande un vrai partenariat local.",
                reply=True,
            ),
            Line(3, "La fondation de notre banque coopérative finance aussi les petits projets."),
            Line(0, "Attention au calendrier : les dossiers se déposent avant le 31 janvier."),
            Line(
                2,
                "Nous avons obtenu 8 000 € l'an dernier avec un dossier de six pages, "
                "budget compris.",
                was="Nous avons obtenu 8 000 € l'an dernier.",
            ),
            Line(1, "Bravo ! Tu accepterais de relire le nôtre ? @{next}", reply=True),
            Line(2, "Oui, envoie-le moi d'ici vendredi.", reply=True),
            Line(
                1, "Astuce : chiffrer le temps bénévole en valorisation, les financeurs apprécient."
            ),
            Line(0, "Le guide de l'Avise l'explique bien : https://www.avise.org/ressources"),
            Line(3, "Quelqu'un a déjà essayé le financement participatif ?"),
            Line(
                1,
                "Oui, pour un véhicule : 120 contributeurs, objectif atteint en un mois.",
                reply=True,
            ),
            Line(2, "Le plus dur, c'est la communication pendant la campagne."),
            Line(0, "Je propose qu'on fasse un point financements à chaque rencontre."),
            Line(3, "Bonne idée, je m'occupe de tenir la liste à jour."),
        ],
    ),
    "rencontres": (
        "Préparer nos rencontres, visites de terrain et ateliers communs.",
        [
            Line(0, "On prépare ici la prochaine rencontre de **{community}**."),
            Line(
                1, "Je peux accueillir dans notre local : quarante places, accessible en fauteuil."
            ),
            Line(2, "Parfait. Plutôt un samedi matin pour les bénévoles ?", reply=True),
            Line(3, "Le samedi nous arrange aussi, la semaine c'est compliqué."),
            Line(
                0,
                "Va pour un samedi matin. Qui anime l'atelier sur la mobilisation des habitants ?",
            ),
            Line(2, "Je veux bien, avec quelqu'un pour prendre des notes. @{next} ?"),
            Line(
                3,
                "Partante pour les notes, et je ferai le compte rendu dans la semaine.",
                was="Partante pour les notes.",
                reply=True,
            ),
            Line(1, "Pour le repas, on fait une auberge espagnole ?"),
            Line(0, "Oui, et on demande à la cantine solidaire pour les boissons."),
            Line(2, "J'ai écrit au covoiturage du département pour ceux qui viennent de loin."),
            Line(
                3, "Merci ! Pensez à dire si vous venez avec des enfants, on prévoit un coin jeux."
            ),
            Line(1, "Le programme provisoire est dans le dossier partagé."),
            Line(0, "Relu, c'est très bien. On l'envoie à tout le monde lundi.", reply=True),
            Line(2, "Vingt-trois inscrits ce matin 🎉"),
            Line(3, "Et deux élus de la communauté de communes viendront écouter."),
            Line(1, "On se retrouve à 9 h pour installer la salle."),
        ],
    ),
}
# Which theme each demo community talks about (the others take them in turn).
COMMUNITY_THEMES = {
    "numerique-inclusif": "entraide",
    "alimentation-durable-nouvelle-aquitaine": "rencontres",
    "cercle-des-financeurs-solidaires": "financements",
    "economie-circulaire-centre-val-de-loire": "financements",
    "reseau-habitat-participatif": "entraide",
}

ANNOUNCEMENTS = [
    "Le salon **annonces** accueille les informations officielles de **{community}** : "
    "rencontres, appels à projets, comptes rendus.",
    "La charte de la communauté est à relire sur sa page : merci de la garder en tête ici aussi.",
    "Les inscriptions à la rencontre de rentrée sont ouvertes sur la page de l'événement.",
    "Compte rendu de la réunion de septembre en ligne dans le dossier partagé.",
    "Appel à projets régional ouvert jusqu'à la fin du mois : "
    "https://www.avise.org/appels-a-projets — parlez-en dans « général ».",
    "Nous accueillons six nouveaux membres ce mois-ci : bienvenue à eux !",
    "Rappel : les échanges restent entre membres, ne diffusez pas de données personnelles.",
    "Le webinaire sur l'évaluation d'impact est reporté au jeudi suivant, même heure.",
    "La liste des projets rattachés à la communauté est à jour sur sa page.",
    "Un questionnaire de satisfaction arrive dans vos boîtes : cinq minutes, promis.",
    "Résultats du questionnaire : 87 % d'entre vous souhaitent une rencontre par trimestre.",
    "La rencontre d'hiver aura donc lieu en février, le lieu sera annoncé ici.",
    "Nouvelle rubrique sur la page de la communauté : les fiches pratiques des membres.",
    "Merci aux relectrices et relecteurs du kit d'accueil, la version 2 est publiée.",
    "Dernière annonce de l'année : bonnes fêtes à toutes et à tous, reprise le 6 janvier.",
]
DIRECT_SCRIPT = [
    Line(0, "Bonjour Hugo, on se voit toujours jeudi pour préparer l'atelier ?"),
    Line(1, "Bonjour Lina, oui ! 14 h au centre social, ça te va ?", reply=True),
    Line(0, "Parfait. J'apporte les fiches pratiques sur les démarches en ligne."),
    Line(1, "Je m'occupe des ordinateurs portables, j'en ai réservé six."),
    Line(
        0,
        "Super. Tu peux aussi prendre la rallonge électrique ?",
        was="Tu peux prendre la rallonge ?",
    ),
    Line(1, "C'est noté, à jeudi !", reply=True),
]
REACTIONS = ["👍", "🎉", "🙏", "❤️"]


def _members(community: Community) -> tuple[list, int]:
    """Active members, hosts first (stable order), and how many hosts."""
    memberships = (
        Membership.objects.filter(community=community, state=MembershipState.ACTIVE)
        .select_related("user__profile")
        .order_by("-role", "joined_at", "pk")
    )
    hosts = [m.user for m in memberships if m.role in (Role.OWNER, Role.MODERATOR)]
    others = [m.user for m in memberships if m.role not in (Role.OWNER, Role.MODERATOR)]
    return hosts + others, len(hosts)


def _write(channel: Channel, script: list[Line], people: list, *, start, step, name="") -> None:
    """Store ``script`` in ``channel`` from ``start``, one message every ``step``."""
    handles = [(p.pk, mention_handle(str(p))) for p in people]
    previous = None
    for index, line in enumerate(script):
        author = people[line.speaker % len(people)]
        following = people[(line.speaker + 1) % len(people)]
        body = line.text.format(community=name, next=mention_handle(str(following)))
        rendered = render(body, people=handles)
        created_at = start + step * index
        message = Message.objects.create(
            channel=channel,
            author=author,
            body=body,
            html=rendered.html,
            reply_to=previous if line.reply else None,
            created_at=created_at,
            edited_at=created_at + timedelta(minutes=3) if line.was else None,
        )
        if rendered.mentioned_ids:
            message.mentions.set(set(rendered.mentioned_ids) - {author.pk})
        if line.was:
            MessageRevision.objects.create(
                message=message, body=line.was, replaced_at=message.edited_at
            )
        if index % 3 == 1:
            for reader in people[: 1 + index % 4]:
                if reader.pk != author.pk:
                    Reaction.objects.get_or_create(
                        message=message, user=reader, emoji=REACTIONS[index % len(REACTIONS)]
                    )
        previous = message
    if previous is not None:
        Channel.objects.filter(pk=channel.pk).update(last_message_id=previous.pk)
        channel.last_message_id = previous.pk
        # The first person has read everything; the others find unread messages.
        ChannelMember.objects.update_or_create(
            channel=channel, user=people[0], defaults={"last_read_id": previous.pk}
        )


def _fill(channel: Channel, script: list[Line], people: list, **kwargs) -> int:
    if Message.objects.filter(channel=channel).exists():
        return 0
    _write(channel, script, people, **kwargs)
    return 1


def demo_channels_ensure(*, users: dict) -> int:
    """Give the demo communities their channels and history; returns how many
    channels received messages."""
    now = timezone.now()
    filled = 0
    demo = Community.objects.filter(memberships__user__in=list(users.values())).distinct()
    themes = list(THEMES)
    for position, community in enumerate(demo.order_by("pk")):
        people, hosts = _members(community)
        if len(people) < 2:
            continue
        with transaction.atomic():
            general = default_channel_ensure(community=community)
            filled += _fill(
                general,
                GENERAL_SCRIPT,
                people,
                start=now - timedelta(days=21),
                step=timedelta(hours=26),
                name=community.name,
            )
            theme = COMMUNITY_THEMES.get(community.slug, themes[position % len(themes)])
            topic, script = THEMES[theme]
            themed, _created = Channel.objects.get_or_create(
                community=community, slug=theme, defaults={"name": theme, "topic": topic}
            )
            filled += _fill(
                themed,
                script,
                people,
                start=now - timedelta(days=17, hours=5),
                step=timedelta(hours=23),
                name=community.name,
            )
            announcements, _created = Channel.objects.get_or_create(
                community=community,
                slug="annonces",
                defaults={
                    "name": "annonces",
                    "topic": "Les informations officielles de la communauté.",
                    "read_only": True,
                },
            )
            filled += _fill(
                announcements,
                # Only its hosts write there.
                [Line(i % max(1, hosts), text) for i, text in enumerate(ANNOUNCEMENTS)],
                people,
                start=now - timedelta(days=28),
                step=timedelta(hours=40),
                name=community.name,
            )
    lina, hugo = users.get("lina"), users.get("hugo")
    if lina is not None and hugo is not None:
        with transaction.atomic():
            direct = direct_channel_open(user=lina, other=hugo)
            filled += _fill(
                direct,
                DIRECT_SCRIPT,
                [lina, hugo],
                start=now - timedelta(days=2),
                step=timedelta(minutes=40),
            )
    return filled
