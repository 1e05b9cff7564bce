"""What a run would do to the projects a source already has, decided before any
write, so that a wrong file cannot silently empty or overwrite a source:

- **unpublications**: only a complete list (a feed, or a file the editor marks
  « fichier complet ») unpublishes the projects it lacks; every one is named;
- **identifiers reused**: a record whose title and organisation both differ from
  the project its identifier points to is held for an editor (never applied);
- **folds**: keys that gather several projects (records.py) are listed;
- past ``IMPORT_UNPUBLISH_MAX_SHARE`` of the source's projects, the run stops
  before writing and asks for a confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.text import fold

from ..models import LegalStatus, Method, ProjectPage, ProjectSourceRecord, Public, Theme
from .records import ERROR, Prepared, ProjectData
from .referential import Referential

PREVIEW_SIZE = 20
DEFAULT_MAX_SHARE = 0.2
# What the report calls the fields (the mapping's names are for the mapping).
FIELD_LABELS = {
    "key": _("identifiant"),
    "title": _("titre"),
    "summary": _("résumé"),
    "description": _("description"),
    "structure_name": _("structure"),
    "legal_status": _("statut juridique"),
    "siret": _("SIRET"),
    "themes": _("thèmes"),
    "publics": _("publics"),
    "methods": _("méthodes"),
    "stage": _("stade"),
    "scale": _("échelle"),
    "year_started": _("année de lancement"),
    "tags": _("mots-clés"),
    "website": _("site web"),
    "links": _("liens"),
    "contact_email": _("e-mail de contact"),
    "source_url": _("adresse chez le partenaire"),
    "postal_code": _("code postal"),
    "departement": _("département"),
    "region": _("région"),
    "address": _("adresse"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


@dataclass
class Plan:
    base: int = 0  # projects of the source online in its last import
    complete: bool = False
    unpublish: list[dict] = field(default_factory=list)
    kept: list[dict] = field(default_factory=list)  # absent but staying online
    absent: int = 0  # absent from a partial file: left as they are
    reused: list[dict] = field(default_factory=list)
    folded: list[dict] = field(default_factory=list)
    limit: float = DEFAULT_MAX_SHARE

    @property
    def changes(self) -> int:
        return len(self.unpublish) + len(self.reused) + len(self.folded)

    @property
    def share(self) -> float:
        return self.changes / self.base if self.base else 0.0

    @property
    def needs_confirmation(self) -> bool:
        # The first import of a source has nothing to lose.
        return bool(self.base) and self.share > self.limit

    def as_json(self) -> dict:
        return {
            "base": self.base,
            "complete": self.complete,
            "unpublish": self.unpublish,
            "kept": self.kept,
            "absent": self.absent,
            "reused": self.reused,
            "folded": self.folded,
            "changes": self.changes,
            "share": round(self.share, 4),
            "share_percent": round(100 * self.share, 1),
            "limit": self.limit,
            "limit_percent": round(100 * self.limit, 1),
            "needs_confirmation": self.needs_confirmation,
        }


def max_share() -> float:
    return float(getattr(settings, "IMPORT_UNPUBLISH_MAX_SHARE", DEFAULT_MAX_SHARE))


def _last_values(record_ids: list[int]) -> dict[int, dict]:
    return dict(
        ProjectSourceRecord.objects.filter(pk__in=record_ids).values_list("id", "imported_values")
    )


def reused_identifiers(changed: list[ProjectData], existing: dict) -> dict[str, dict]:
    """Records whose title and organisation both differ from the project they
    would update (the current project and what the partner said last time).
    An organisation differs only when both sides give one."""
    if not changed:
        return {}
    records = {data.key: existing[data.key] for data in changed}
    pages = {
        row["id"]: row
        for row in ProjectPage.objects.filter(
            pk__in=[r["project_id"] for r in records.values()]
        ).values("id", "title", "structure_name")
    }
    last = _last_values([r["id"] for r in records.values()])
    reused = {}
    for data in changed:
        record = records[data.key]
        page = pages.get(record["project_id"])
        if page is None:
            continue
        previous = last.get(record["id"]) or {}
        titles = {fold(page["title"]), fold(previous.get("title") or "")}
        organisations = {fold(page["structure_name"]), fold(previous.get("structure_name") or "")}
        organisations.discard("")
        title = fold(data.values.get("title") or "")
        organisation = fold(data.values.get("structure_name") or "")
        if (
            title not in titles
            and organisation
            and organisations
            and (organisation not in organisations)
        ):
            reused[data.key] = {
                "key": data.key,
                "project_id": page["id"],
                "title": page["title"],
                "structure": page["structure_name"],
                "new_title": data.values.get("title") or "",
                "new_structure": data.values.get("structure_name") or "",
            }
    return reused


def _absent(gone: list[dict]) -> tuple[list[dict], list[dict]]:
    """The absent records' projects: (would be unpublished, stay online and why)."""
    ids = [r["project_id"] for r in gone]
    pages = {
        row["id"]: row
        for row in ProjectPage.objects.filter(pk__in=ids).values("id", "title", "live", "owner_id")
    }
    gone_ids = {r["id"] for r in gone}
    elsewhere = set(
        ProjectSourceRecord.objects.filter(project_id__in=ids, present=True)
        .exclude(pk__in=gone_ids)
        .values_list("project_id", flat=True)
    )
    unpublish, kept = [], []
    for record in gone:
        page = pages.get(record["project_id"])
        if page is None or not page["live"]:
            continue
        item = {
            "key": record["source_identifier"],
            "project_id": page["id"],
            "title": page["title"],
        }
        if page["owner_id"] is not None:
            kept.append({**item, "why": "claimed"})
        elif page["id"] in elsewhere:
            kept.append({**item, "why": "listed"})
        else:
            unpublish.append(item)
    return unpublish, kept


def make_plan(
    *, prepared: Prepared, existing: dict, gone: list[dict], reused: dict, complete: bool
) -> Plan:
    plan = Plan(
        base=sum(1 for r in existing.values() if r["present"]),
        complete=complete,
        reused=list(reused.values()),
        limit=max_share(),
    )
    if complete:
        plan.unpublish, plan.kept = _absent(gone)
    else:
        plan.absent = len(gone)
    plan.folded = [
        {
            "key": key,
            "titles": titles,
            "project_id": existing[key]["project_id"] if key in existing else None,
        }
        for key, titles in prepared.folded.items()
    ]
    return plan


# --- preview ---------------------------------------------------------------------------


class Labels:
    """Labels instead of codes for the preview (themes, publics, statuses, places)."""

    def __init__(self, ref: Referential):
        self.ref = ref
        self.themes = dict(Theme.objects.values_list("code", "label"))
        self.publics = dict(Public.objects.values_list("code", "label"))
        self.methods = dict(Method.objects.values_list("code", "label"))
        self.statuses = {value: str(label) for value, label in LegalStatus.choices}

    def place(self, location: dict) -> str:
        label = self.ref.label(location["territory"])
        return f"{location['address']} — {label}" if location.get("address") else label


def preview(*, prepared: Prepared, existing: dict, reused: dict, ref: Referential) -> list[dict]:
    labels = Labels(ref)
    warnings: dict[int, list[str]] = {}
    for error in prepared.errors:
        if error.severity != ERROR:
            warnings.setdefault(error.row, []).append(
                f"{field_label(error.field)} : {error.reason}"
            )
    items = []
    for data in prepared.projects[:PREVIEW_SIZE]:
        record = existing.get(data.key)
        if record is None:
            action = "create"
        elif data.key in reused:
            action = "held"
        elif record["content_hash"] == data.content_hash and record["present"]:
            action = "unchanged"
        else:
            action = "update"
        values = data.values
        items.append(
            {
                "key": data.key,
                "rows": data.rows,
                "action": action,
                "project_id": record["project_id"] if record else None,
                "title": values["title"],
                "summary": values["summary"],
                "structure": values.get("structure_name") or "",
                "legal_status": labels.statuses.get(values.get("legal_status") or "", ""),
                "themes": [labels.themes.get(c, c) for c in values["themes"]],
                "publics": [labels.publics.get(c, c) for c in values["publics"]],
                "methods": [labels.methods.get(c, c) for c in values["methods"]],
                "locations": [labels.place(loc) for loc in data.locations],
                "website": values["website"],
                "warnings": [w for row in data.rows for w in warnings.get(row, [])][:8],
            }
        )
    return items
