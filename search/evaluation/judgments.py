"""The judged queries of ``queries.yaml``: read and checked here, without Django, so
that a typo in the file stops the evaluation with a line that names it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

QUERIES_FILE = Path(__file__).resolve().parent / "queries.yaml"
KINDS = ("paraphrase", "mots-cles", "lieu", "multi-mots", "accents")
GRADES = (0, 1, 2, 3)
ANY = "*"  # as an identifier: every other project of the source


class JudgmentsError(ValueError):
    """The queries file is malformed; the message says where."""


@dataclass(frozen=True, order=True)
class Reference:
    """A judged project: a demo project by its title (``source`` empty), or a partner
    project by its source's slug and the partner's identifier (ProjectSourceRecord)."""

    source: str
    identifier: str

    @property
    def is_demo(self) -> bool:
        return not self.source

    @property
    def is_any(self) -> bool:
        """``{source: slug, id: "*"}``: every project of the source not judged otherwise."""
        return bool(self.source) and self.identifier == ANY

    def __str__(self) -> str:
        if self.is_demo:
            return f"« {self.identifier} »"
        if self.is_any:
            return f"{self.source}:* (toute autre fiche)"
        return f"{self.source}:{self.identifier}"


@dataclass(frozen=True)
class JudgedQuery:
    text: str
    kind: str
    variants: tuple[str, ...]
    judgments: dict[Reference, int]

    @property
    def relevant(self) -> set[Reference]:
        """The projects judged relevant by name (not through a whole source)."""
        return {ref for ref, grade in self.judgments.items() if grade > 0 and not ref.is_any}

    @property
    def whole_sources(self) -> dict[str, int]:
        """Sources judged as a whole: slug → grade of their other projects."""
        return {ref.source: grade for ref, grade in self.judgments.items() if ref.is_any}

    def expanded(self, members: Mapping[str, Iterable[str]]) -> dict[Reference, int]:
        """The judgments with each ``{source, id: "*"}`` replaced by the source's
        projects (``members``: slug → identifiers) that are not judged by name."""
        judgments = {ref: grade for ref, grade in self.judgments.items() if not ref.is_any}
        for source, grade in self.whole_sources.items():
            for identifier in members.get(source, ()):
                judgments.setdefault(Reference(source, identifier), grade)
        return judgments


def _reference(item: dict, where: str) -> Reference:
    if "project" in item:
        if "source" in item or "id" in item:
            raise JudgmentsError(f"{where} : « project » ou « source » + « id », pas les deux.")
        title = str(item["project"]).strip()
        if not title:
            raise JudgmentsError(f"{where} : titre de projet vide.")
        return Reference("", title)
    source, identifier = item.get("source"), item.get("id")
    if not source or identifier in (None, ""):
        raise JudgmentsError(f"{where} : il faut « project », ou « source » et « id ».")
    return Reference(str(source).strip(), str(identifier).strip())


def load_queries(path: Path = QUERIES_FILE) -> list[JudgedQuery]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise JudgmentsError(f"{path} illisible : {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("queries"), list):
        raise JudgmentsError(f"{path} : une liste « queries » est attendue.")
    queries: list[JudgedQuery] = []
    seen: set[str] = set()
    for number, entry in enumerate(data["queries"], start=1):
        where = f"{path}, requête n° {number}"
        if not isinstance(entry, dict) or not str(entry.get("text") or "").strip():
            raise JudgmentsError(f"{where} : « text » manquant.")
        text = str(entry["text"]).strip()
        where = f"{path}, « {text} »"
        if text in seen:
            raise JudgmentsError(f"{where} : requête en double.")
        seen.add(text)
        kind = entry.get("kind")
        if kind not in KINDS:
            raise JudgmentsError(f"{where} : « kind » doit être l'un de {', '.join(KINDS)}.")
        variants = tuple(str(v).strip() for v in entry.get("variants") or ())
        if any(not v or v == text for v in variants):
            raise JudgmentsError(f"{where} : variante vide ou identique à la requête.")
        judgments: dict[Reference, int] = {}
        for item in entry.get("judgments") or ():
            if not isinstance(item, dict):
                raise JudgmentsError(f"{where} : jugement mal formé ({item!r}).")
            ref = _reference(item, where)
            grade = item.get("grade")
            if grade not in GRADES:
                raise JudgmentsError(f"{where}, {ref} : « grade » doit valoir 0, 1, 2 ou 3.")
            if ref in judgments:
                raise JudgmentsError(f"{where} : {ref} jugé deux fois.")
            judgments[ref] = grade
        if not any(judgments.values()):
            raise JudgmentsError(f"{where} : aucun projet pertinent jugé (note ≥ 1).")
        queries.append(JudgedQuery(text, kind, variants, judgments))
    return queries
