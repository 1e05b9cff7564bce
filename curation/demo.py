"""Demo curation: partners presented, two selections, a composed home page, a
dossier with a saved search, introductions of a theme and two territories.
Idempotent: what exists (by name or slug) is left as editors changed it."""

from __future__ import annotations

import json
import uuid

from django.db import transaction
from wagtail.models import Page

from cms.models import HomePage
from communities.models import Community
from innovations.models import ProjectPage, Source

from .models import DossierPage, Selection, SelectionItem, TopicIntroduction

PARTNERS = {
    "fondation-pour-linnovation-sociale-demo": (
        "https://fondation.example.org",
        "Fondation qui soutient depuis quinze ans des projets d'insertion, d'alimentation "
        "et de lien social ; elle partage ici les projets qu'elle accompagne.",
    ),
    "reseau-des-tiers-lieux-solidaires-demo": (
        "https://tiers-lieux.example.org",
        "Réseau national de tiers-lieux engagés dans l'économie sociale et solidaire : "
        "fabriques, recycleries, cafés associatifs et ateliers partagés.",
    ),
    "territoires-solidaires-en-reseau-demo": (
        "https://territoires.example.org",
        "Association de collectivités qui recense les initiatives solidaires de leurs "
        "territoires ruraux : mobilité, santé, démocratie locale.",
    ),
}
FEATURED = [
    ("le-bus-des-droits", "Un modèle d'aller-vers rural déjà repris dans trois départements."),
    ("la-kour-partagee", "La preuve qu'un tiers-lieu peut naître d'une cour d'immeuble."),
    ("les-voisineurs", "Contre l'isolement, des voisins formés plutôt qu'un service de plus."),
]
CRUSHES = [
    ("les-toits-solaires-du-segala", "L'énergie citoyenne, financée par les habitants."),
    ("jaden-an-nou", "Des jardins créoles qui nourrissent et transmettent."),
    ("foot-pour-toutes", "Le sport comme porte d'entrée vers l'égalité."),
]
COMMUNITIES = [
    ("numerique-inclusif", "La plus active : un salon ouvert à tous les médiateurs."),
    ("alimentation-durable-nouvelle-aquitaine", "Producteurs, épiceries et collectivités réunis."),
    ("bretagne-solidaire", "Une communauté territoriale qui organise des rencontres."),
]
INTRODUCTIONS = [
    (
        "domain",
        "alimentation-agriculture",
        "<p>Circuits courts, jardins partagés, lutte contre le gaspillage : les initiatives "
        "qui rendent une alimentation de qualité accessible à tous.</p>",
    ),
    (
        "region",
        "75",
        "<p>En Nouvelle-Aquitaine, l'innovation sociale s'appuie sur un tissu rural dense : "
        "mobilité solidaire, alimentation locale et tiers-lieux.</p>",
    ),
    (
        "departement",
        "23",
        "<p>La Creuse, département le plus rural de la région, invente l'aller-vers : "
        "services publics itinérants, droits et numérique au plus près des habitants.</p>",
    ),
]


def _selection(name: str, picks: list[tuple[str, str]], *, communities: bool = False) -> Selection:
    selection = Selection.objects.filter(name=name).first()
    if selection is not None:
        return selection
    selection = Selection.objects.create(name=name)
    for order, (slug, reason) in enumerate(picks):
        if communities:
            target = Community.objects.filter(slug=slug).first()
            if target is not None:
                SelectionItem.objects.create(
                    selection=selection, community=target, reason=reason, sort_order=order
                )
        else:
            target = ProjectPage.objects.filter(slug=slug).first()
            if target is not None:
                SelectionItem.objects.create(
                    selection=selection, page=target, reason=reason, sort_order=order
                )
    return selection


def _block(kind: str, value: dict) -> dict:
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def _home_body(*, featured: Selection, crushes: Selection, communities: Selection) -> list:
    return [
        _block(
            "hero",
            {
                "title": "",
                "text": "Trouvez, faites connaître et essaimez les projets socialement "
                "innovants des territoires.",
            },
        ),
        _block(
            "selection",
            {
                "heading": "À la une",
                "intro": "Les projets que la rédaction met en avant ce mois-ci.",
                "selection": featured.pk,
            },
        ),
        _block("figures", {"heading": "Le Carrefour en chiffres"}),
        _block(
            "map",
            {
                "heading": "Qui agit où",
                "text": "Les projets partagés par les partenaires, région par région.",
            },
        ),
        _block(
            "communities",
            {"heading": "Communautés à rejoindre", "selection": communities.pk, "count": 3},
        ),
        _block("selection", {"heading": "Coups de cœur", "intro": "", "selection": crushes.pk}),
        _block(
            "latest", {"heading": "Derniers projets publiés", "content": "projects", "count": 6}
        ),
        _block(
            "latest",
            {"heading": "Articles et dossiers", "content": "editorial", "count": 3},
        ),
        _block(
            "propose",
            {
                "heading": "Vous portez un projet ?",
                "text": "Publiez sa page, trouvez des pairs et aidez d'autres territoires "
                "à s'en inspirer.",
                "button": "Proposer un projet",
            },
        ),
    ]


def demo_curation_ensure(*, home: HomePage, editor) -> int:
    """Returns how many things it created."""
    created = 0
    with transaction.atomic():
        for slug, (website, description) in PARTNERS.items():
            Source.objects.filter(slug=slug, description="").update(
                description=description, website=website
            )
        featured = _selection("À la une", FEATURED)
        crushes = _selection("Coups de cœur", CRUSHES)
        communities = _selection("Communautés à rejoindre", COMMUNITIES, communities=True)
        for kind, code, intro in INTRODUCTIONS:
            _intro, made = TopicIntroduction.objects.get_or_create(
                kind=kind, code=code, defaults={"intro": intro}
            )
            created += made
    home = HomePage.objects.get(pk=home.pk)
    if not home.body:
        home.body = json.dumps(
            _home_body(featured=featured, crushes=crushes, communities=communities)
        )
        home.save_revision(user=editor).publish(user=editor)
        created += 1
    if not DossierPage.objects.filter(slug="tiers-lieux-en-milieu-rural").exists():
        dossier = DossierPage(
            title="Tiers-lieux en milieu rural",
            slug="tiers-lieux-en-milieu-rural",
            intro="Recycleries, fabriques numériques, cafés associatifs : comment les "
            "tiers-lieux redonnent des services et du lien aux territoires ruraux.",
            body=json.dumps(
                [
                    _block(
                        "paragraph",
                        "<p>Les tiers-lieux ruraux mêlent activité économique, services "
                        "et vie locale. Ce dossier rassemble des projets à copier et les "
                        "communautés où en parler.</p>",
                    )
                ]
            ),
            selection=crushes,
            search_params="q=tiers-lieux",
            search_heading="Tous les tiers-lieux",
        )
        Page.objects.get(pk=home.pk).add_child(instance=dossier)
        dossier.save_revision(user=editor).publish(user=editor)
        created += 1
    return created
