"""Demo essaimage (issue 16): replication sheets of the demo projects (six ready to
spread, two being modelled) and « Inspiré de » links, written for this project.
Idempotent: a sheet or link that exists is left as it is."""

from __future__ import annotations

from django.db import transaction

from ..models import ProjectLineage, ProjectPage, ReplicationSheet

SHEETS = {
    "le-bus-des-droits": {
        "readiness": "prete",
        "transferable": "La tournée hebdomadaire d'un bus aménagé en bureau d'accès aux droits, "
        "le planning type des permanences, le kit de formation des bénévoles et les "
        "conventions avec la CAF, la CPAM et France Travail.",
        "success_conditions": "Un binôme salarié·e et bénévole à chaque permanence ; des "
        "mairies qui relaient les dates ; un financement de trois ans au moins.",
        "obstacles": "Le coût du véhicule adapté (accès aux personnes à mobilité réduite) et "
        "la connexion mobile dans les villages : nous avons ajouté un routeur satellite.",
        "budget_range": "50k-150k",
        "team_size": "3-5",
        "time_to_launch": "6-12-mois",
        "partners_needed": "Département, CAF, CPAM, communes desservies, un garage partenaire.",
        "licence": "cc-by-sa",
        "contact_name": "Bruno, coordinateur",
        "contact_email": "essaimage@bus-des-droits.example.org",
    },
    "l-epicerie-du-pont": {
        "readiness": "prete",
        "transferable": "Le modèle de l'épicerie à double tarif, le logiciel de caisse libre "
        "et la charte des bénévoles.",
        "success_conditions": "Un local en rez-de-chaussée, un partenariat avec une banque "
        "alimentaire et des producteurs locaux.",
        "budget_range": "10k-50k",
        "team_size": "1-2",
        "time_to_launch": "3-6-mois",
        "licence": "cc-by",
        "contact_name": "Driss",
    },
    "la-recyclerie-du-val": {
        "readiness": "prete",
        "transferable": "L'organisation des collectes, les fiches de poste des salariés en "
        "insertion et le tableau de suivi des tonnages.",
        "obstacles": "Trouver un entrepôt assez grand à loyer modéré.",
        "budget_range": "150k-500k",
        "team_size": "6-10",
        "time_to_launch": "plus-12-mois",
        "partners_needed": "Syndicat de collecte des déchets, DREETS, communauté d'agglomération.",
        "licence": "etalab-2.0",
    },
    "repair-cafe-de-la-croix-rousse": {
        "readiness": "prete",
        "transferable": "Le déroulé d'une séance, l'assurance des réparateurs bénévoles et le "
        "registre des objets réparés.",
        "budget_range": "moins-10k",
        "team_size": "benevoles",
        "time_to_launch": "moins-3-mois",
        "licence": "cc0",
    },
    "le-santebus-du-morvan": {
        "readiness": "prete",
        "transferable": "Le circuit de dépistage itinérant et les accords avec les "
        "infirmières libérales.",
        "success_conditions": "Une maison de santé pivot et l'appui de l'ARS.",
        "budget_range": "150k-500k",
        "team_size": "3-5",
        "time_to_launch": "6-12-mois",
        "licence": "cc-by-nc-sa",
    },
    "la-bibliotheque-a-roulettes": {
        "readiness": "prete",
        "transferable": "Le triporteur aménagé, le fonds de livres tournant et les animations "
        "au pied des immeubles.",
        "budget_range": "10k-50k",
        "team_size": "1-2",
        "time_to_launch": "3-6-mois",
        "licence": "cc-by-sa",
    },
    "jardins-partages-des-trois-cites": {
        "readiness": "modelisation",
        "transferable": "Nous écrivons le guide de création d'un jardin en pied d'immeuble.",
    },
    "les-voisineurs": {"readiness": "modelisation"},
}

# (replication, original): « replication » is inspired by « original ».
LINEAGE = (
    ("le-santebus-du-morvan", "le-bus-des-droits"),
    ("la-bibliotheque-a-roulettes", "le-bus-des-droits"),
    ("le-bocal-anti-gaspi", "l-epicerie-du-pont"),
    ("la-recyclerie-du-val", "repair-cafe-de-la-croix-rousse"),
)


def demo_replication_ensure() -> int:
    """Write the demo sheets and links that do not exist yet; returns how many."""
    pages = {p.slug: p for p in ProjectPage.objects.filter(slug__in={*SHEETS, *sum(LINEAGE, ())})}
    written = 0
    with transaction.atomic():
        for slug, values in SHEETS.items():
            page = pages.get(slug)
            if page is None or ReplicationSheet.objects.filter(project=page).exists():
                continue
            ReplicationSheet.objects.create(project=page, updated_by=page.owner, **values)
            written += 1
        for replication, original in LINEAGE:
            if replication in pages and original in pages:
                _link, created = ProjectLineage.objects.get_or_create(
                    original=pages[original],
                    replication=pages[replication],
                    defaults={"created_by": pages[replication].owner},
                )
                written += created
    return written
