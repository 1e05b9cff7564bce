"""Editorial pages every installation starts with: à propos, mentions légales,
accessibilité, données personnelles, contact. Created once; editors own them
afterwards (the loader never overwrites an existing page). ``/communautes/`` is
served by the communities app (communities/urls.py), not by a page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from cms.models import ContactFormField, ContactPage, EditorialPage, HomePage, SiteShellSettings


def _p(*paragraphs: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in paragraphs]


def _h(text: str) -> dict:
    return {"type": "heading", "value": text}


@dataclass
class PageSpec:
    slug: str
    title: str
    intro: str
    body: list[dict] = field(default_factory=list)
    setting: str = ""


PAGES = [
    PageSpec(
        "a-propos",
        "À propos du Carrefour",
        "Le Carrefour des innovations sociales est la plateforme nationale qui rassemble les "
        "projets socialement innovants repérés par un collectif d'organisations publiques et "
        "associatives.",
        [
            _h("Pourquoi un Carrefour ?"),
            *_p(
                "De riches gisements de projets socialement innovants existent dans les "
                "territoires, dans tous les domaines, portés par des associations, des "
                "coopératives, des collectivités ou des collectifs citoyens. Une grande diversité "
                "d'acteurs les valorise déjà, chacun sur son site.",
                "Le Carrefour mutualise ces données dans un <strong>moteur de recherche "
                "multicritère partagé</strong> : le grand public, les institutions et les porteurs "
                "de projets y trouvent les initiatives qui marchent, entrent en contact avec "
                "elles et peuvent s'en inspirer pour essaimer.",
            ),
            _h("Qui sommes-nous ?"),
            *_p(
                "Le collectif du Carrefour réunit des organisations publiques et associatives "
                "engagées dans l'innovation sociale, animé par un think tank du monde associatif. "
                "Chaque partenaire partage les projets qu'il accompagne ; chaque fiche indique "
                "d'où elle vient.",
            ),
            _h("Participer"),
            *_p(
                "Vous portez un projet ? Créez un compte et proposez-le : l'équipe de modération "
                "le relit avant publication. Un projet déjà référencé par un partenaire est le "
                "vôtre ? Revendiquez-le pour le tenir à jour.",
            ),
        ],
        setting="about_page",
    ),
    PageSpec(
        "mentions-legales",
        "Mentions légales",
        "Informations légales sur l'éditeur et l'hébergement de la plateforme.",
        [
            _h("Éditeur"),
            *_p(
                "Plateforme éditée par le collectif du Carrefour des innovations sociales. "
                "Directeur ou directrice de la publication : à compléter par l'éditeur avant la "
                "mise en production.",
            ),
            _h("Hébergement"),
            *_p("Hébergeur : à compléter par l'éditeur avant la mise en production."),
            _h("Contenus et licences"),
            *_p(
                "Les fiches projets référencées par des partenaires restent sous la licence "
                "indiquée par chaque partenaire ; la source est mentionnée sur chaque fiche. "
                "Les cartes utilisent les données © les contributeurs d'OpenStreetMap.",
            ),
        ],
        setting="legal_page",
    ),
    PageSpec(
        "accessibilite",
        "Déclaration d'accessibilité",
        "Le Carrefour s'engage à rendre son service accessible conformément à l'article 47 de "
        "la loi n° 2005-102 du 11 février 2005.",
        [
            _h("État de conformité"),
            *_p(
                "Le site est <strong>partiellement conforme</strong> avec le référentiel général "
                "d'amélioration de l'accessibilité (RGAA), version 4.1 : aucun audit externe n'a "
                "encore été réalisé. Les pages sont conçues pour les critères WCAG 2.1 AA : "
                "navigation au clavier, liens d'évitement, focus visible, contrastes suffisants, "
                "formulaires étiquetés avec récapitulatif des erreurs, fonctionnement sans "
                "JavaScript.",
            ),
            _h("Contenus non accessibles"),
            *_p(
                "Les cartes interactives ne sont pas entièrement utilisables au clavier ; la "
                "même information est toujours disponible sous forme de liste.",
            ),
            _h("Retour d'information et contact"),
            *_p(
                "Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez-nous "
                "depuis la page Contact pour être orienté vers une alternative accessible.",
            ),
            _h("Voies de recours"),
            *_p(
                "Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un "
                "contenu, que vous nous l'avez signalé et que vous n'avez pas obtenu de réponse "
                "satisfaisante, vous pouvez écrire au Défenseur des droits ou contacter son "
                "délégué dans votre région.",
            ),
        ],
        setting="accessibility_page",
    ),
    PageSpec(
        "donnees-personnelles",
        "Données personnelles",
        "Ce que la plateforme conserve sur vous, et comment le récupérer ou l'effacer.",
        [
            _h("Ce que nous conservons"),
            *_p(
                "Votre adresse e-mail, votre mot de passe (chiffré), votre profil (nom affiché, "
                "présentation, organisation, rôle, territoire, centres d'intérêt, photo) et les "
                "contenus que vous publiez.",
            ),
            _h("Vos droits"),
            *_p(
                "Depuis « Mon espace », vous pouvez à tout moment télécharger toutes vos données "
                "(fichier JSON) et supprimer votre compte. À la suppression, votre compte, votre "
                "profil, votre photo et vos adresses e-mail sont effacés ; vos projets restent en "
                "ligne (ils passent à un co-éditeur ou deviennent revendicables) et vos "
                "contributions restent visibles, signées « Compte supprimé ».",
            ),
        ],
        setting="privacy_page",
    ),
]


def _site_settings() -> SiteShellSettings:
    site = Site.objects.get(is_default_site=True)
    return SiteShellSettings.for_site(site)


def editorial_pages_ensure(*, home: HomePage) -> list[Page]:
    """Create the missing editorial pages and link them from the site shell."""
    created: list[Page] = []
    with transaction.atomic():
        shell = _site_settings()
        for spec in PAGES:
            page = home.get_children().filter(slug=spec.slug).first()
            if page is None:
                page = EditorialPage(
                    title=spec.title,
                    slug=spec.slug,
                    intro=spec.intro,
                    body=json.dumps(spec.body),
                )
                home.add_child(instance=page)
                page.save_revision().publish()
                created.append(page)
            if spec.setting and getattr(shell, f"{spec.setting}_id") is None:
                setattr(shell, spec.setting, page)
        contact = home.get_children().filter(slug="contact").first()
        if contact is None:
            contact = ContactPage(
                title="Contact",
                slug="contact",
                intro="<p>Une question, une suggestion, un projet à signaler ? Écrivez-nous.</p>",
                thank_you_text="<p>Merci ! Votre message a bien été envoyé ; nous vous "
                "répondons sous quelques jours.</p>",
                to_address=settings.CONTACT_EMAIL,
                from_address=settings.CONTACT_EMAIL,
                subject="Nouveau message depuis le Carrefour",
            )
            home.add_child(instance=contact)
            for order, (label, field_type, required, help_text) in enumerate(
                [
                    ("Votre nom", "singleline", True, ""),
                    ("Votre adresse e-mail", "email", True, "Pour que nous puissions répondre."),
                    ("Sujet", "singleline", True, ""),
                    ("Message", "multiline", True, ""),
                ]
            ):
                ContactFormField.objects.create(
                    page=contact,
                    sort_order=order,
                    label=label,
                    field_type=field_type,
                    required=required,
                    help_text=help_text,
                )
            contact.save_revision().publish()
            created.append(contact)
        if shell.contact_page_id is None:
            shell.contact_page = contact
        shell.save()
    return created
