"""Declarative mappings: how a partner's columns become project fields.

A mapping is plain data (stored on the Source as JSON, exchanged as YAML or JSON
files; format and examples in docs/mappings/README.md). `compile_mapping` checks
it once and gives a `Mapping` that turns each record into field values, one
location, the reasons the record cannot be used (errors) and the optional values
it had to drop (warnings).
"""

from __future__ import annotations

import hashlib
import json
import string
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
    _null_set,
    _nullify,
    _transform,
    condition_columns,
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
    # The replication sheet (issue 16, innovations/importing/replication.py).
    "replication_readiness": False,
    "replication_transferable": False,
    "replication_success_conditions": False,
    "replication_obstacles": False,
    "replication_budget_range": False,
    "replication_team_size": False,
    "replication_time_to_launch": False,
    "replication_partners_needed": False,
    "replication_licence": False,
    "replication_contact_name": False,
    "replication_contact_email": False,
    # « Inspiré de »: identifiers of the same source, or addresses of Carrefour projects.
    "inspired_by": True,
}
# Without these the record is rejected; any other value that cannot be read is
# dropped with a warning and the project kept.
REQUIRED_FIELDS = {"title"}
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
    "region",
    "address",
}
POLICIES = {"local", "partner"}
TOP_LEVEL = {
    "version",
    "key",
    "url",
    "skip_if",
    "null_values",
    "values",
    "fields",
    "location",
    "policy",
}
RULE_KEYS = {
    "from",
    "join",
    "value",
    "transforms",
    "default",
    "when",
    "order",
    "projection",
    "null_values",
}


class Scope:
    """The named values (« values: ») of one record, computed when first used."""

    def __init__(self, mapping: Mapping, data: dict, record: MappedRecord | None = None):
        self.mapping = mapping
        self.data = data
        self.record = record
        self.cache: dict[str, Any] = {}

    def get(self, name: str):
        if name not in self.cache:
            self.cache[name] = None  # a value never reads itself (checked at compile)
            try:
                self.cache[name] = self.mapping.named[name].value(self.data, self)
            except TransformError as exc:
                if self.record is not None:
                    self.record.warnings.append((f"${name}", str(exc)))
        return self.cache[name]


@dataclass
class Rule:
    name: str
    sources: list[str] = field(default_factory=list)
    join: str = " "
    constant: Any = None
    transforms: list[Callable[[Any], Any]] = field(default_factory=list)
    default: Any = None
    default_rule: Rule | None = None  # « default: {from: AUTRE_COLONNE} »
    when: Callable[[dict, Any], bool] | None = None
    options: dict = field(default_factory=dict)
    nulls: frozenset[str] = frozenset()
    columns: list[str] = field(default_factory=list)  # every column it reads

    def read(self, data: dict, scope, path: str):
        if path.startswith("$") and scope is not None and path[1:] in scope.mapping.named:
            value = scope.get(path[1:])
        else:
            value = get_path(data, path)
        return _nullify(value, self.nulls)

    def _default(self, data: dict, scope):
        if self.default_rule is not None:
            return self.default_rule.value(data, scope)
        return self.default

    def value(self, data: dict, scope=None):
        if self.when is not None and not self.when(data, scope):
            return self._default(data, scope)
        if self.constant is not None:
            value = self.constant
        elif len(self.sources) == 1:
            value = self.read(data, scope, self.sources[0])
        else:
            parts = [self.read(data, scope, s) for s in self.sources]
            texts = [_as_text(p).strip() for p in parts if not _empty(p)]
            value = self.join.join(texts) if texts else None
        if isinstance(value, dict) and ("@value" in value or "value" in value):
            value = _nullify(_as_text(value), self.nulls)
        for transform in self.transforms:
            if _empty(value):
                break
            value = transform(value)
        return self._default(data, scope) if _empty(value) else value


def _rule(name: str, spec, where: str, *, nulls: frozenset[str], named: dict) -> Rule:
    if isinstance(spec, str):
        spec = {"from": spec}
    if not isinstance(spec, dict):
        raise MappingError(_("%(where)s : règle mal écrite.") % {"where": where})
    unknown = set(spec) - RULE_KEYS
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
    # Spreadsheet headers often end with a space: the readers strip them, and so
    # does the mapping.
    sources = [str(s).strip() for s in sources]
    for source in sources:
        if source.startswith("$") and source[1:] not in named:
            raise MappingError(
                _(
                    "%(where)s : valeur nommée inconnue « %(name)s » (déclarez-la plus haut "
                    "dans « values »)."
                )
                % {"where": where, "name": source}
            )
    nulls = nulls | _null_set(spec.get("null_values"), where)
    transforms = spec.get("transforms", [])
    if not isinstance(transforms, list):
        transforms = [transforms]
    rule = Rule(
        name=name,
        sources=sources,
        join=spec.get("join", " "),
        constant=spec.get("value"),
        transforms=[_transform(t, f"{where}.transforms[{i}]") for i, t in enumerate(transforms)],
        options={k: spec[k] for k in ("order", "projection") if k in spec},
        nulls=nulls,
    )
    rule.columns = [s for s in sources if not s.startswith("$")]
    default = spec.get("default")
    if isinstance(default, dict) and ("from" in default or "value" in default):
        # Read from another column, the default goes through the same transforms
        # unless it says otherwise.
        if "transforms" not in default and "from" in default:
            default = {**default, "transforms": spec.get("transforms", [])}
        rule.default_rule = _rule(name, default, f"{where}.default", nulls=nulls, named=named)
        rule.columns += rule.default_rule.columns
    else:
        rule.default = default
    if "when" in spec:
        rule.when = _condition(spec["when"], f"{where}.when", rule.read)
        rule.columns += [c for c in condition_columns(spec["when"]) if not c.startswith("$")]
    return rule


@dataclass
class MappedRecord:
    row: int
    key: str
    values: dict[str, Any]
    location: dict[str, Any]
    skipped: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (field, reason)


@dataclass
class Mapping:
    key: list[str]
    fields: dict[str, Rule]
    location: dict[str, Rule]
    skip_if: list[Callable[[dict, Any], bool]]
    url_template: str
    policies: dict[str, str]
    default_policy: str
    named: dict[str, Rule] = field(default_factory=dict)
    nulls: frozenset[str] = frozenset()
    columns: list[str] = field(default_factory=list)  # every column the mapping reads
    fingerprint: str = ""  # of the mapping's text: a changed mapping re-reads every record

    def policy(self, field_name: str) -> str:
        return self.policies.get(field_name, self.default_policy)

    def _key_parts(self, data: dict) -> list:
        return [_nullify(get_path(data, column), self.nulls) for column in self.key]

    def key_of(self, data: dict) -> str:
        return _join_key(self._key_parts(data))

    def skips(self, data: dict) -> bool:
        """Whether ``skip_if`` leaves this row out."""
        scope = Scope(self, data)
        return any(condition(data, scope) for condition in self.skip_if)

    def missing_columns(self, available: set[str]) -> list[str]:
        """Columns the mapping names that the file does not have (a dotted path
        needs its first part only: « label.@value » reads the column « label »)."""
        return [
            column
            for column in dict.fromkeys(self.columns)
            if column not in available and column.split(".", 1)[0] not in available
        ]

    def apply(self, row: int, data: dict) -> MappedRecord:
        parts = self._key_parts(data)
        key = _join_key(parts)
        record = MappedRecord(row=row, key=key, values={}, location={})
        if "__erreur__" in data:
            record.errors.append(("", str(data["__erreur__"])))
            return record
        scope = Scope(self, data, record)
        if any(condition(data, scope) for condition in self.skip_if):
            record.skipped = True
            return record
        if not key or len(parts) != len([p for p in parts if not _empty(p)]):
            record.errors.append(
                ("key", _("identifiant manquant (%(columns)s)") % {"columns": ", ".join(self.key)})
            )
        for name, rule in self.fields.items():
            try:
                record.values[name] = rule.value(data, scope)
            except TransformError as exc:
                # Every problem of the row is reported at once; only a required field
                # rejects it, any other value is dropped.
                (record.errors if name in REQUIRED_FIELDS else record.warnings).append(
                    (name, str(exc))
                )
                record.values[name] = None
        for name, rule in self.location.items():
            try:
                record.location[name] = rule.value(data, scope)
            except TransformError as exc:
                record.warnings.append((name, str(exc)))
                record.location[name] = None
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
    unknown = set(spec) - TOP_LEVEL
    if unknown:
        raise MappingError(
            _("Clé inconnue « %(key)s » en tête de la correspondance.")
            % {"key": sorted(unknown)[0]}
        )
    key = spec.get("key")
    key = [key] if isinstance(key, str) else key
    if not key or not all(isinstance(k, str) and k.strip() for k in key):
        raise MappingError(
            _("« key » : donnez la ou les colonnes qui identifient un enregistrement.")
        )
    key = [k.strip() for k in key]
    nulls = _null_set(spec.get("null_values"), "null_values")
    named: dict[str, Rule] = {}
    values_spec = spec.get("values") or {}
    if not isinstance(values_spec, dict):
        raise MappingError(_("« values » : une table nom → règle."))
    for name, rule_spec in values_spec.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise MappingError(
                _("« values.%(name)s » : un nom de lettres, chiffres et « _ ».") % {"name": name}
            )
        # A named value may use the ones declared before it (never itself).
        named[name] = _rule(name, rule_spec, f"values.{name}", nulls=nulls, named=dict(named))
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
        fields[name] = _rule(name, rule_spec, f"fields.{name}", nulls=nulls, named=named)
    location = {}
    for name, rule_spec in (spec.get("location") or {}).items():
        if name not in LOCATION_FIELDS:
            raise MappingError(
                _("« location.%(name)s » : champ inconnu (champs possibles : %(fields)s).")
                % {"name": name, "fields": ", ".join(sorted(LOCATION_FIELDS))}
            )
        location[name] = _rule(name, rule_spec, f"location.{name}", nulls=nulls, named=named)
    skip_specs = spec.get("skip_if") or []

    def read(data, scope, path):
        if path.startswith("$") and scope is not None and path[1:] in named:
            return scope.get(path[1:])
        return _nullify(get_path(data, path), nulls)

    skip_if = [_condition(c, f"skip_if[{i}]", read) for i, c in enumerate(skip_specs)]
    policy = spec.get("policy") or {}
    default_policy = policy.get("default", "local")
    for name, value in policy.items():
        if value not in POLICIES:
            raise MappingError(
                _("« policy.%(name)s » : « local » ou « partner ».") % {"name": name}
            )
    url_template = spec.get("url", "")
    columns = [
        *key,
        *(c for rule in named.values() for c in rule.columns),
        *(c for rule in fields.values() for c in rule.columns),
        *(c for rule in location.values() for c in rule.columns),
        *(c for c in condition_columns(skip_specs) if not c.startswith("$")),
        *(
            name
            for _text, name, _spec, _conv in string.Formatter().parse(url_template or "")
            if name
        ),
    ]
    return Mapping(
        key=key,
        fields=fields,
        location=location,
        skip_if=skip_if,
        url_template=url_template,
        policies={k: v for k, v in policy.items() if k != "default"},
        default_policy=default_policy,
        named=named,
        nulls=nulls,
        columns=columns,
        fingerprint=hashlib.sha256(
            json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str).encode()
        ).hexdigest()[:16],
    )
