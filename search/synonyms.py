"""Synonyms and acronyms editors keep in the admin (search.models.SearchSynonym):
one line of equivalent terms, applied when a query is read, on every backend.

A query containing one of the terms of a line also looks for the others: « ESS »
finds « économie sociale et solidaire », and the other way round. Terms are compared
after the French analysis (search/text.py), so accents, case, plural and elisions do
not matter, and a multi-word term is looked for as a phrase (its words in a row, stop
words aside). The table is small and read on every search: it is cached (Django's
cache, so every process shares it when the cache is Redis), dropped when a line is
saved or deleted, and kept ten minutes at most.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from core import page_cache
from core.text import fold

from . import text as analysis
from .models import SearchSynonym

CACHE_KEY = "search:synonyms:v1"
CACHE_SECONDS = 600
MAX_TERMS = 30

# A starter list for a new site (setup calls synonyms_seed_defaults): acronyms of the
# social and solidarity sector and the everyday names of its notions. Editors change
# it in the admin (menu Paramètres, « Synonymes »).
DEFAULT_SYNONYMS: tuple[str, ...] = (
    "ESS, économie sociale et solidaire",
    "QPV, quartier prioritaire, quartier prioritaire de la politique de la ville, "
    "quartier politique de la ville",
    "EHPAD, établissement d'hébergement pour personnes âgées dépendantes, maison de retraite",
    "IAE, insertion par l'activité économique, structure d'insertion, chantier d'insertion",
    "SIAE, structure d'insertion par l'activité économique",
    "SDF, sans-abri, sans domicile fixe, sans domicile, sans-abrisme",
    "AMAP, association pour le maintien d'une agriculture paysanne",
    "fablab, fab lab, atelier de fabrication numérique",
    "tiers-lieu, tiers lieu, lieu hybride",
    "repair café, atelier de réparation",
    "ressourcerie, recyclerie",
    "EPN, espace public numérique",
    "MSAP, maison de services au public, France services, maison France services",
    "CCAS, centre communal d'action sociale",
    "CIAS, centre intercommunal d'action sociale",
    "FLE, français langue étrangère",
    "ESAT, établissement et service d'aide par le travail",
    "PMR, personne à mobilité réduite",
    "RSA, revenu de solidarité active",
    "ODD, objectifs de développement durable",
    "SCIC, société coopérative d'intérêt collectif",
    "SCOP, société coopérative et participative",
    "MJC, maison des jeunes et de la culture",
    "personnes âgées, seniors, aînés, retraités, troisième âge",
    "personnes handicapées, personnes en situation de handicap",
    "chômeurs, demandeurs d'emploi, sans emploi, privés d'emploi",
    "réfugiés, exilés, demandeurs d'asile",
    "vélo, bicyclette",
    "circuit court, vente directe",
    "anti-gaspillage, anti-gaspi, lutte contre le gaspillage",
    "monnaie locale, monnaie complémentaire",
    "finance solidaire, épargne solidaire, finance éthique",
    "aidants, proches aidants",
    "intergénérationnel, entre générations",
)


@dataclass(frozen=True)
class SynonymGroup:
    """One line: its terms as typed, and each term's analysed tokens."""

    terms: tuple[str, ...]
    tokens: tuple[tuple[str, ...], ...]


def synonym_terms_parse(*, text: str) -> list[str]:
    """The terms of a line (comma- or semicolon-separated), each once (compared
    folded), or a ValidationError saying what is wrong, in French."""
    raw = [" ".join(part.split()) for part in (text or "").replace(";", ",").split(",")]
    terms: list[str] = []
    seen: set[str] = set()
    for term in raw:
        if not term:
            continue
        key = fold(term)
        if key in seen:
            continue
        if not analysis.analyse(term):
            raise ValidationError(
                _(
                    "« %(term)s » ne contient que des mots trop courants (le, de, pour…) : "
                    "la recherche l'ignorerait."
                )
                % {"term": term}
            )
        seen.add(key)
        terms.append(term)
    if len(terms) < 2:
        raise ValidationError(
            _(
                "Indiquez au moins deux termes équivalents, séparés par des virgules "
                "(par exemple : ESS, économie sociale et solidaire)."
            )
        )
    if len(terms) > MAX_TERMS:
        raise ValidationError(
            _("Une ligne compte au plus %(max)s termes : séparez-la en plusieurs lignes.")
            % {"max": MAX_TERMS}
        )
    return terms


def _group(terms: list[str]) -> SynonymGroup | None:
    tokens = [tuple(analysis.analyse(term)) for term in terms]
    kept = [(term, toks) for term, toks in zip(terms, tokens, strict=True) if toks]
    if len(kept) < 2:
        return None
    return SynonymGroup(
        terms=tuple(term for term, _t in kept), tokens=tuple(toks for _term, toks in kept)
    )


def _load() -> list[SynonymGroup]:
    groups = []
    for line in SearchSynonym.objects.filter(is_active=True).values_list("terms", flat=True):
        try:
            terms = synonym_terms_parse(text=line)
        except ValidationError:
            continue  # a line written before validation (shell, import): ignored
        group = _group(terms)
        if group is not None:
            groups.append(group)
    return groups


def synonym_groups() -> list[SynonymGroup]:
    """The active lines, analysed (cached)."""
    groups = cache.get(CACHE_KEY)
    if groups is None:
        groups = _load()
        cache.set(CACHE_KEY, groups, CACHE_SECONDS)
    return groups


def synonyms_invalidate() -> None:
    cache.delete(CACHE_KEY)
    page_cache.content_changed()  # cached anonymous results read with the old table


@receiver(post_save, sender=SearchSynonym, dispatch_uid="search_synonyms_saved")
@receiver(post_delete, sender=SearchSynonym, dispatch_uid="search_synonyms_deleted")
def _invalidate_on_change(**kwargs) -> None:
    # Cache housekeeping only (no rule lives here): after commit, so a search running
    # meanwhile cannot put the old table back.
    transaction.on_commit(synonyms_invalidate)


def synonyms_seed_defaults() -> int:
    """Add the lines of DEFAULT_SYNONYMS that are not there yet (compared folded, as
    a whole line); idempotent, never changes a line editors wrote. Returns how many
    lines were added."""
    existing = {
        tuple(sorted(fold(t) for t in line.split(",") if t.strip()))
        for line in SearchSynonym.objects.values_list("terms", flat=True)
    }
    added = 0
    with transaction.atomic():
        for line in DEFAULT_SYNONYMS:
            terms = synonym_terms_parse(text=line)
            key = tuple(sorted(fold(t) for t in terms))
            if key in existing:
                continue
            SearchSynonym.objects.create(terms=", ".join(terms))
            existing.add(key)
            added += 1
        transaction.on_commit(synonyms_invalidate)
    return added


@dataclass(frozen=True)
class Expansion:
    """A span of the query's tokens ``[start, end)`` matched by a synonym term, and
    every equivalent term (token sequences, the matched one included)."""

    start: int
    end: int
    alternatives: tuple[tuple[str, ...], ...]
    terms: tuple[str, ...]


def synonyms_expand(*, sequence: tuple[str, ...]) -> list[Expansion]:
    """Spans of ``sequence`` (a query's stems, in order) that synonym terms match:
    the longest match first at each position, spans never overlapping. A term in
    several lines brings the terms of all of them."""
    groups = synonym_groups()
    if not groups or not sequence:
        return []
    by_first: dict[str, list[tuple[tuple[str, ...], SynonymGroup]]] = {}
    for group in groups:
        for tokens in group.tokens:
            by_first.setdefault(tokens[0], []).append((tokens, group))
    found: list[Expansion] = []
    position = 0
    while position < len(sequence):
        best_length, best_groups = 0, []
        for tokens, group in by_first.get(sequence[position], ()):
            length = len(tokens)
            if tuple(sequence[position : position + length]) != tokens:
                continue
            if length > best_length:
                best_length, best_groups = length, [group]
            elif length == best_length:
                best_groups.append(group)
        if not best_length:
            position += 1
            continue
        alternatives = dict.fromkeys(t for g in best_groups for t in g.tokens)
        terms = dict.fromkeys(t for g in best_groups for t in g.terms)
        found.append(Expansion(position, position + best_length, tuple(alternatives), tuple(terms)))
        position += best_length
    return found
