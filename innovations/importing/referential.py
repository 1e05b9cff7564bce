"""Territories an import resolves a place to, read once per import: communes by
INSEE code, postal code or name (namesakes told apart), départements and régions
by code or name, the nearest département of a point, and their labels."""

from __future__ import annotations

from dataclasses import dataclass

from core.text import fold

from ..models import Territory, TerritoryLevel
from ..selectors import territory_label


@dataclass
class Homonyms:
    """Several communes answer to the name: the candidates, for the report."""

    name: str
    candidates: list[dict]


class Referential:
    """Codes and territories, read once per import."""

    def __init__(self) -> None:
        from ..models import Method, Public, Theme

        self.themes = set(Theme.objects.values_list("code", flat=True))
        self.publics = set(Public.objects.values_list("code", flat=True))
        self.methods = set(Method.objects.values_list("code", flat=True))
        self.by_code: dict[tuple[str, str], dict] = {}
        self.by_id: dict[int, dict] = {}
        self.by_postcode: dict[str, list[dict]] = {}
        self.by_name: dict[str, list[dict]] = {}
        self.departement_names: dict[str, dict] = {}
        self.region_names: dict[str, dict] = {}
        rows = Territory.objects.values(
            "id",
            "level",
            "code",
            "name",
            "search_name",
            "postal_codes",
            "departement_code",
            "region_code",
            "latitude",
            "longitude",
        )
        for row in rows:
            self.by_code[(row["level"], row["code"])] = row
            self.by_id[row["id"]] = row
            if row["level"] == TerritoryLevel.COMMUNE:
                for postcode in row["postal_codes"].split():
                    self.by_postcode.setdefault(postcode, []).append(row)
                self.by_name.setdefault(row["search_name"], []).append(row)
            elif row["level"] == TerritoryLevel.DEPARTEMENT:
                self.departement_names[row["search_name"]] = row
            else:
                self.region_names[row["search_name"]] = row
        self.departements = [
            row
            for (level, _code), row in self.by_code.items()
            if level == TerritoryLevel.DEPARTEMENT
        ]

    # --- lookups -------------------------------------------------------------------------

    def commune(
        self,
        *,
        insee: str = "",
        postal_code: str = "",
        name: str = "",
        departement: dict | None = None,
        near: tuple[float, float] | None = None,
    ) -> dict | Homonyms | None:
        """The commune a row names; ``Homonyms`` when several answer and nothing
        tells them apart; ``None`` when none does."""
        insee = (insee or "").strip().upper()
        if insee:
            insee = insee.zfill(5) if insee.isdigit() else insee
            found = self.by_code.get((TerritoryLevel.COMMUNE, insee))
            if found:
                return found
        postal_code = normal_postcode(postal_code)
        folded = fold(name or "")
        candidates = self.by_postcode.get(postal_code, []) if postal_code else []
        if candidates:
            if len(candidates) == 1 and not folded:
                return candidates[0]
            named = [c for c in candidates if _same_name(c["search_name"], folded)]
            if len(named) == 1:
                return named[0]
            if len(candidates) == 1:
                return candidates[0]
        if not folded:
            return None
        named = self.by_name.get(folded) or self.by_name.get(_normal_name(folded), [])
        # The postal code's département, or the one given, holds the commune: a
        # namesake elsewhere is never taken (« 83000 Marseille » is not in the 13).
        within = departement["code"] if departement else ""
        if not within and postal_code and postal_code[:2].isdigit():
            within = departement_of(postal_code)
        if within:
            named = [c for c in named if c["departement_code"] == within]
        if len(named) == 1:
            return named[0]
        if len(named) > 1 and near is not None:
            # Namesakes (Mérignac in Gironde and in Charente): the one whose
            # département holds the record's coordinates.
            here = self.nearest_departement(*near)
            chosen = [c for c in named if here and c["departement_code"] == here["code"]]
            if len(chosen) == 1:
                return chosen[0]
        if len(named) > 1:
            return Homonyms(name=name, candidates=named)
        return None

    def departement(self, value: str) -> dict | None:
        value = (value or "").strip()
        if not value:
            return None
        code = value.upper().zfill(2) if value.isdigit() and len(value) < 3 else value.upper()
        return self.by_code.get((TerritoryLevel.DEPARTEMENT, code)) or self.departement_names.get(
            fold(value)
        )

    def region(self, value: str) -> dict | None:
        value = (value or "").strip()
        if not value:
            return None
        code = value.zfill(2) if value.isdigit() and len(value) < 3 else value.upper()
        return self.by_code.get((TerritoryLevel.REGION, code)) or self.region_names.get(fold(value))

    def nearest_departement(self, lat: float, lon: float) -> dict | None:
        placed = [d for d in self.departements if d["latitude"] is not None]
        if not placed:
            return None
        return min(placed, key=lambda d: (d["latitude"] - lat) ** 2 + (d["longitude"] - lon) ** 2)

    def label(self, territory_key: str) -> str:
        """« Guéret (23) », « Creuse (département 23) », « Bretagne (région) »."""
        level, _sep, code = territory_key.partition(":")
        row = self.by_code.get((level, code))
        if row is None:
            return territory_key
        return territory_label(
            Territory(
                level=row["level"],
                code=row["code"],
                name=row["name"],
                departement_code=row["departement_code"],
            )
        )


def normal_postcode(value) -> str:
    text = str(value or "").strip().replace(" ", "")
    if text.endswith(".0"):  # a spreadsheet's number
        text = text[:-2]
    return text.zfill(5) if text.isdigit() and len(text) in (4, 5) else text


def departement_of(postal_code: str) -> str:
    if postal_code.startswith("97"):
        return postal_code[:3]
    if postal_code.startswith("20"):
        return "2A" if int(postal_code) < 20200 else "2B"
    return postal_code[:2]


def _normal_name(folded: str) -> str:
    # « ST MARTIN » / « SAINT-MARTIN », « CEDEX » suffixes
    normal = folded.replace("cedex", "").strip()
    return " ".join("saint" if w == "st" else "sainte" if w == "ste" else w for w in normal.split())


def _same_name(search_name: str, folded: str) -> bool:
    if not folded:
        return False
    return search_name in (folded, _normal_name(folded))
