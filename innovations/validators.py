"""Field validators with French messages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.fr import siret as stdnum_siret


def validate_siret(value: str) -> None:
    """14 digits with a valid checksum (python-stdnum knows La Poste's exception)."""
    compact = (value or "").replace(" ", "")
    if not compact:
        return
    if not compact.isdigit() or len(compact) != 14:
        raise ValidationError(_("Un SIRET compte 14 chiffres."), code="siret_format")
    if not stdnum_siret.is_valid(compact):
        raise ValidationError(
            _("Ce SIRET n’est pas valide (clé de contrôle incorrecte)."), code="siret_checksum"
        )


def validate_sdgs(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, int) and 1 <= item <= 17 for item in value
    ):
        raise ValidationError(_("Les ODD sont des numéros de 1 à 17."), code="sdgs")
