"""Declarative mappings: how a partner's columns become project fields.

A mapping is plain data (stored on the Source as JSON, exchanged as YAML or JSON
files; format and examples in docs/mappings/README.md). `compile_mapping` checks
it once and gives a `Mapping` that turns each record into field values, one
location, and the reasons the record cannot be used.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .transforms import (
    MappingError,
    TransformError,
    _as_text,
    _condition,
    _empty,
    _transform,
    get_path,
)

# Project fields a mapping may fill, and whether they hold a list.
PROJECT_FIELDS: dict[str, bool] = {
    "title": False,
    "summary": False,
    "description": False,
    "structure_name": False,
    "legal_status": False,
    "siret": False,
    "themes": True,
    "publics": True,
    "methods": True,
    "stage": False,
    "scale": False,
    "year_started": False,
    "tags": True,
    "website": False,
    "links": True,
    "contact_email": False,
    "source_url": False,
}
LOCATION_FIELDS = {
    "latitude",
    "longitude",
    "point",
    "x",
    "y",
    "insee",
    "postal_code",
    "commune",
    "departement",
    "address",
}
POLICIES = {"local", "partner"}


@dataclass
class Rule:
    name: str
    sources: list[str] = field(default_factory=list)
    join: str = " "
    constant: Any = None
    transforms: list[Callable[[Any], Any]] = field(default_factory=list)
    default: Any = None
    when: Callable[[dict], bool] | None = None
    options: dict = field(default_factory=dict)

    def value(self, data: dict):
        if self.when is not None and not self.when(data):
            return self.default
        if self.constant is not None:
            value = self.constant
        elif len(self.sources) == 1:
            value = get_path(data, self.sources[0])
        else:
            parts = [get_path(data, s) for s in self.sources]
            texts = [_as_text(p).strip() for p in parts if not _empty(p)]
            value = self.join.join(texts) if texts else None
        if isinstance(value, dict) and ("@value" in value or "value" in value):
            value = _as_text(value)
        for transform in self.transforms:
            if _empty(value):
                break
            value = transform(value)
        return self.default if _empty(value) else value


def _rule(name: str, spec, where: str) -> Rule:
    if isinstance(spec, str):
        spec = {"from": spec}
    if not isinstance(spec, dict):
        raise MappingError(_("%(where)s : règle mal écrite.") % {"where": where})
    unknown = set(spec) - {
        "from",
        "join",
        "value",
        "transforms",
        "default",
        "when",
        "order",
        "projection",
    }
    if unknown:
        raise MappingError(
            _("%(where)s : clé inconnue « %(key)s ».") % {"where": where, "key": sorted(unknown)[0]}
        )
    if "from" not in spec and "value" not in spec:
        raise MappingError(
            _("%(where)s : indiquez « from » (colonne) ou « value » (constante).")
            % {"where": where}
        )
    sources = spec.get("from", [])
    sources = [sources] if isinstance(sources, str) else list(sources)
    transforms = spec.get("transforms", [])
    if not isinstance(transforms, list):
        transforms = [transforms]
    return Rule(
        name=name,
        sources=sources,
        join=spec.get("join", " "),
        constant=spec.get("value"),
        transforms=[_transform(t, f"{where}.transforms[{i}]") for i, t in enumerate(transforms)],
        default=spec.get("default"),
        when=_condition(spec["when"], f"{where}.when") if "when" in spec else None,
        options={k: spec[k] for k in ("order", "projection") if k in spec},
    )


@dataclass
class MappedRecord:
    row: int
    key: str
    values: dict[str, Any]
    location: dict[str, Any]
    skipped: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, reason)


@dataclass
class Mapping:
    key: list[str]
    fields: dict[str, Rule]
    location: dict[str, Rule]
    skip_if: list[Callable[[dict], bool]]
    url_template: str
    policies: dict[str, str]
    default_policy: str
    fingerprint: str = ""  # of the mapping's text: a changed mapping re-reads every record

    def policy(self, field_name: str) -> str:
        return self.policies.get(field_name, self.default_policy)

    def key_of(self, data: dict) -> str:
        return _join_key([get_path(data, column) for column in self.key])

    def apply(self, row: int, data: dict) -> MappedRecord:
        parts = [get_path(data, column) for column in self.key]
        key = _join_key(parts)
        record = MappedRecord(row=row, key=key, values={}, location={})
        if "__erreur__" in data:
            record.errors.append(("", str(data["__erreur__"])))
            return record
        if any(condition(data) for condition in self.skip_if):
            record.skipped = True
            return record
        if not key or len(parts) != len([p for p in parts if not _empty(p)]):
            record.errors.append(
                ("key", _("identifiant manquant (%(columns)s)") % {"columns": ", ".join(self.key)})
            )
        for name, rule in self.fields.items():
            try:
                record.values[name] = rule.value(data)
            except TransformError as exc:
                record.errors.append((name, str(exc)))
        for name, rule in self.location.items():
            try:
                record.location[name] = rule.value(data)
            except TransformError as exc:
                record.errors.append((name, str(exc)))
        record.location["_options"] = {
            name: rule.options for name, rule in self.location.items() if rule.options
        }
        if self.url_template and not record.values.get("source_url"):
            record.values["source_url"] = self.url_template.format_map(_Placeholders(data))
        return record


def _join_key(parts: list) -> str:
    return "|".join(_as_text(p).strip() for p in parts if not _empty(p))


class _Placeholders(dict):
    def __init__(self, data: dict):
        super().__init__()
        self.data = data

    def __missing__(self, key):
        return _as_text(get_path(self.data, key) or "")


def compile_mapping(spec: dict) -> Mapping:
    """Check a mapping and prepare it; raise MappingError (French) when it is wrong."""
    if not isinstance(spec, dict) or not spec:
        raise MappingError(_("La correspondance est vide : décrivez au moins la clé et le titre."))
    unknown = set(spec) - {"version", "key", "url", "skip_if", "fields", "location", "policy"}
    if unknown:
        raise MappingError(
            _("Clé inconnue « %(key)s » en tête de la correspondance.")
            % {"key": sorted(unknown)[0]}
        )
    key = spec.get("key")
    key = [key] if isinstance(key, str) else key
    if not key or not all(isinstance(k, str) and k for k in key):
        raise MappingError(
            _("« key » : donnez la ou les colonnes qui identifient un enregistrement.")
        )
    fields_spec = spec.get("fields") or {}
    if "title" not in fields_spec:
        raise MappingError(_("« fields » : le titre (« title ») est obligatoire."))
    fields = {}
    for name, rule_spec in fields_spec.items():
        if name not in PROJECT_FIELDS:
            raise MappingError(
                _("« fields.%(name)s » : champ inconnu (champs possibles : %(fields)s).")
                % {"name": name, "fields": ", ".join(PROJECT_FIELDS)}
            )
        fields[name] = _rule(name, rule_spec, f"fields.{name}")
    location = {}
    for name, rule_spec in (spec.get("location") or {}).items():
        if name not in LOCATION_FIELDS:
            raise MappingError(
                _("« location.%(name)s » : champ inconnu (champs possibles : %(fields)s).")
                % {"name": name, "fields": ", ".join(sorted(LOCATION_FIELDS))}
            )
        location[name] = _rule(name, rule_spec, f"location.{name}")
    skip_if = [_condition(c, f"skip_if[{i}]") for i, c in enumerate(spec.get("skip_if") or [])]
    policy = spec.get("policy") or {}
    default_policy = policy.get("default", "local")
    for name, value in policy.items():
        if value not in POLICIES:
            raise MappingError(
                _("« policy.%(name)s » : « local » ou « partner ».") % {"name": name}
            )
    return Mapping(
        key=key,
        fields=fields,
        location=location,
        skip_if=skip_if,
        url_template=spec.get("url", ""),
        policies={k: v for k, v in policy.items() if k != "default"},
        default_policy=default_policy,
        fingerprint=hashlib.sha256(
            json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str).encode()
        ).hexdigest()[:16],
    )
