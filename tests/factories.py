"""factory_boy factories for the models tests need."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import Profile


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"membre{n}@exemple.org")
    password = factory.PostGenerationMethodCall("set_password", "un-mot-de-passe-solide-42")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
            Profile.objects.get_or_create(
                user=self, defaults={"display_name": self.email.split("@")[0]}
            )
            self.save()

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


def project_input(**overrides):
    """A valid ProjectInput for the public project services."""
    from innovations.models import Public, Territory, TerritoryLevel, Theme
    from innovations.services.projects import LocationInput, ProjectInput

    commune = overrides.pop("commune", "23096")
    themes = overrides.pop("themes", ["numerique.inclusion-numerique"])
    values = {
        "title": "Le Bus numérique de la Creuse",
        "summary": "Un bus aménagé qui sillonne les villages pour accompagner les habitants "
        "dans leurs démarches en ligne.",
        "description": "## Comment ça marche\n\nLe bus s'arrête chaque semaine dans 12 villages.",
        "structure_name": "Association Creuse Connectée",
        "legal_status": "association",
        "themes": list(Theme.objects.filter(code__in=themes)),
        "publics": list(Public.objects.filter(code="ruraux")),
        "stage": "consolidation",
        "scale": "departement",
        "year_started": 2019,
        "tags": ["médiation numérique"],
        "locations": [
            LocationInput(
                territory=Territory.objects.get(level=TerritoryLevel.COMMUNE, code=commune)
            )
        ],
        "contact_email": "contact@creuse-connectee.example.org",
    }
    values.update(overrides)
    return ProjectInput(**values)


# --- communities (issue 12) ------------------------------------------------------------


def _hours(hours: float):
    from datetime import timedelta

    return timedelta(hours=hours)


def _in_days(days: float = 0):
    from django.utils import timezone

    return timezone.now() + _hours(24 * days)


class CommunityFactory(factory.django.DjangoModelFactory):
    """A community written directly (no owner): tests add members with
    MembershipFactory; the services are what the tests exercise."""

    class Meta:
        model = "communities.Community"

    name = factory.Sequence(lambda n: f"Communauté {n}")
    slug = factory.Sequence(lambda n: f"communaute-{n}")
    short_description = "Des personnes qui agissent ensemble."
    kind = "thematique"
    visibility = "public"
    join_policy = "open"
    status = "active"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "communities.Membership"

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"
    state = "active"
    joined_at = factory.LazyFunction(_in_days)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "communities.Event"

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Rencontre {n}")
    start = factory.LazyFunction(lambda: _in_days(3))
    end = factory.LazyAttribute(lambda o: o.start + _hours(2))
    address = "Salle des fêtes"
