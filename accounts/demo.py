"""Demo accounts for the embedded default (`make run` on a fresh machine).

On the embedded default they get the printed password; elsewhere they exist only
as authors of the demo content and cannot log in (unusable password).
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .models import OrganisationType, Role
from .services import profile_ensure

DEMO_PASSWORD = "carrefour-demo"  # noqa: S105 — printed by `make run`, embedded default only


@dataclass(frozen=True)
class DemoAccount:
    key: str
    email: str
    display_name: str
    groups: tuple[str, ...] = ()
    role: str = Role.PORTEUR
    organisation: str = ""
    organisation_type: str = ""
    bio: str = ""
    # What `make run` prints beside the address (else the groups, or « porteur de projet »).
    note: str = ""


DEMO_ACCOUNTS = [
    DemoAccount(
        "editeur",
        "editeur@carrefour.test",
        "Équipe éditoriale",
        groups=("Éditeurs",),
        role=Role.ACCOMPAGNATEUR,
        organisation="Carrefour des innovations sociales",
        organisation_type=OrganisationType.ASSOCIATION,
        bio="Nous repérons, relisons et mettons en avant les projets du Carrefour.",
    ),
    # Two members of the same open community (communities/demo/communities.json:
    # « Numérique inclusif »), printed by `make run` to try the communities with.
    DemoAccount(
        "lina",
        "lina@carrefour.test",
        "Lina Haddad",
        organisation="Médiathèque de Nemours (démo)",
        organisation_type=OrganisationType.COLLECTIVITE,
        role=Role.BENEVOLE,
        bio="Médiatrice numérique, j'anime des ateliers d'accompagnement aux démarches en ligne.",
        note="membre de la communauté « Numérique inclusif »",
    ),
    DemoAccount(
        "hugo",
        "hugo@carrefour.test",
        "Hugo Lemaire",
        organisation="Centre social des Aubiers (démo)",
        organisation_type=OrganisationType.ASSOCIATION,
        role=Role.BENEVOLE,
        note="membre de la communauté « Numérique inclusif »",
    ),
    DemoAccount(
        "moderatrice",
        "moderatrice@carrefour.test",
        "Camille, modération",
        groups=("Modérateurs",),
        role=Role.ACCOMPAGNATEUR,
        organisation="Carrefour des innovations sociales",
        organisation_type=OrganisationType.ASSOCIATION,
    ),
    DemoAccount(
        "alice",
        "alice@carrefour.test",
        "Alice Martin",
        organisation="Association Les Jardins du Lien",
        organisation_type=OrganisationType.ASSOCIATION,
        bio="Jardinière et animatrice, j'accompagne des jardins partagés en quartier.",
    ),
    DemoAccount(
        "bruno",
        "bruno@carrefour.test",
        "Bruno Lefèvre",
        organisation="SCIC Mobilités rurales",
        organisation_type=OrganisationType.COOPERATIVE,
    ),
    DemoAccount(
        "chloe",
        "chloe@carrefour.test",
        "Chloé Bernard",
        organisation="Collectif Numérique pour tous",
        organisation_type=OrganisationType.COLLECTIF,
        role=Role.BENEVOLE,
    ),
    DemoAccount(
        "driss",
        "driss@carrefour.test",
        "Driss Benali",
        organisation="Régie de quartier du Mirail (démo)",
        organisation_type=OrganisationType.ESS,
    ),
    DemoAccount(
        "emma",
        "emma@carrefour.test",
        "Emma Rousseau",
        organisation="Communauté de communes (démo)",
        organisation_type=OrganisationType.COLLECTIVITE,
        role=Role.ELU_AGENT,
    ),
]


def demo_accounts_ensure(*, with_passwords: bool | None = None) -> dict[str, object]:
    """Create the demo accounts that do not exist yet; return them by key."""
    if with_passwords is None:
        with_passwords = settings.EMBEDDED_DATABASE
    User = get_user_model()
    users: dict[str, object] = {}
    with transaction.atomic():
        for account in DEMO_ACCOUNTS:
            user = User.objects.filter(email=account.email).first()
            if user is None:
                user = User(email=account.email, is_staff=bool(account.groups))
                if with_passwords:
                    user.set_password(DEMO_PASSWORD)
                else:
                    user.set_unusable_password()
                user.save()
                for name in account.groups:
                    user.groups.add(Group.objects.get(name=name))
                EmailAddress.objects.create(
                    user=user, email=account.email, verified=True, primary=True
                )
                profile = profile_ensure(user=user, display_name=account.display_name)
                profile.role = account.role
                profile.organisation = account.organisation
                profile.organisation_type = account.organisation_type
                profile.bio = account.bio
                profile.save()
            users[account.key] = user
    return users
