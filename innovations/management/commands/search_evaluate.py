"""Measure the relevance of the search on judged French queries:
manage.py search_evaluate [--queries FILE] [--k 10] [--verbose] [--corpus].

It goes through the one search service, like the search page, and depends on
nothing else of search/ (whose internals change): SearchQuery in, Hit out; hits are
turned back into references with the innovations models. --corpus builds the
evaluation corpus first (demo content, then the real partner exports of
../shared/data imported with docs/mappings/) and rebuilds the index.

It lives in innovations/, not search/: its corpus and judgments are projects, and
search/ imports no app (.importlinter).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from innovations.models import ProjectPage, ProjectSourceRecord, RunStatus, Source, Trust
from innovations.services.imports import import_file, mapping_parse, run_summary
from search.evaluation.judgments import (
    QUERIES_FILE,
    JudgedQuery,
    JudgmentsError,
    Reference,
    load_queries,
)
from search.evaluation.metrics import (
    mean,
    ndcg_at_k,
    precision_at_k,
    same_top_k,
    top_k_agreement,
    zero_result_rate,
)
from search.query import SearchQuery
from search.services import search

PRECISION_K = 5
VARIANT_K = 10  # variants must give the same top 10
WORST = 10
MISSED = 8  # relevant projects listed under a query with --verbose
MAPPINGS = Path(settings.BASE_DIR) / "docs" / "mappings"
# (slug, name, file inside the shared data folder): as tests/innovations/importing/
# test_real_data.py creates them; the mapping is docs/mappings/<slug>.yaml.
PARTNERS = (
    ("corse", "Corse — médiation numérique", "partners-mednum/corse/corse.json"),
    ("gironde", "Gironde — médiation numérique", "partners-mednum/gironde/gironde.json"),
    ("hub-lo", "Hub Lo — médiation numérique", "partners-mednum/hub-lo/hub-lo.json"),
    ("la-creuse", "La Creuse — médiation numérique", "partners-mednum/la-creuse/la-creuse.json"),
    (
        "maine-et-loire",
        "Maine-et-Loire — médiation numérique",
        "partners-mednum/maine-et-loire/maine-et-loire.json",
    ),
    (
        "ultra-num",
        "Ultra Num — médiation numérique à La Réunion",
        "partners-mednum/ultra-num/ultra-num.json",
    ),
    ("alternatives-pwa", "Alternatives PWA", "alternatives-pwa/elements.json"),
)


def shared_data() -> Path:
    return Path(
        os.environ.get("CARREFOUR_SHARED_DATA")
        or Path(settings.BASE_DIR).parent / "shared" / "data"
    )


@dataclass
class Ranking:
    """One search: how many results, and the first k as references (a result nobody
    judged keeps a reference of its own, so it counts as grade 0)."""

    total: int
    refs: list = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


class Agreement(NamedTuple):
    variant: str
    overlap: float  # share of the top 10 in common
    same: bool  # same top 10, same order
    both_empty: bool  # neither found anything: agrees trivially


@dataclass
class Outcome:
    query: JudgedQuery
    judgments: dict[Reference, int]  # whole sources expanded
    ranking: Ranking
    ndcg: float
    precision: float
    agreements: list[Agreement]


class Command(BaseCommand):
    help = (
        "Évalue la pertinence de la recherche sur des requêtes jugées "
        "(nDCG, précision, requêtes sans résultat, stabilité des variantes)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queries",
            type=Path,
            default=QUERIES_FILE,
            help="Fichier des requêtes jugées (par défaut : search/evaluation/queries.yaml).",
        )
        parser.add_argument(
            "--k", type=int, default=10, help="Profondeur du nDCG (10, au plus 100)."
        )
        parser.add_argument(
            "--verbose", action="store_true", help="Détail de chaque requête et de ses résultats."
        )
        parser.add_argument(
            "--corpus",
            action="store_true",
            help=(
                "Construit d'abord le corpus d'évaluation dans la base courante (contenu de "
                "démonstration, exports réels des partenaires) et reconstruit l'index."
            ),
        )

    def handle(self, *args, queries: Path, k: int, verbose: bool, corpus: bool, **options):
        if not 1 <= k <= 100:  # a search page holds 100 results at most
            raise CommandError("--k doit être compris entre 1 et 100.")
        try:
            judged = load_queries(queries)
        except JudgmentsError as exc:
            raise CommandError(str(exc)) from None
        if corpus:
            self._build_corpus(verbosity=options["verbosity"])
        self.k = k
        self.stdout.write(f"Moteur : {self._backend_label()}")
        self.stdout.write(f"Requêtes : {queries} ({len(judged)})")

        present = self._present_references(judged)
        members = self._source_members({s for query in judged for s in query.whole_sources})
        outcomes: list[Outcome] = []
        skipped: list[tuple[JudgedQuery, list[str]]] = []
        started = time.perf_counter()
        for query in judged:
            missing = [str(ref) for ref in sorted(query.relevant - present)]
            missing += [
                f"{s}:*" for s, grade in query.whole_sources.items() if grade and s not in members
            ]
            if missing:
                skipped.append((query, missing))
                continue
            outcomes.append(self._evaluate(query, query.expanded(members)))
        elapsed = time.perf_counter() - started
        if skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(skipped)} requêtes ignorées : des projets jugés pertinents manquent "
                    "dans la base (données partenaires absentes ? lancez avec --corpus)."
                )
            )
            if verbose:
                for query, missing in skipped:
                    names = ", ".join(missing[:5])
                    more = f" (+{len(missing) - 5})" if len(missing) > 5 else ""
                    self.stdout.write(f"  « {query.text} » : {names}{more}")
        if not outcomes:
            raise CommandError("Aucune requête évaluable dans cette base.")
        if verbose:
            for outcome in outcomes:
                self._write_detail(outcome)
        self._write_summary(outcomes, elapsed)

    # Corpus ---------------------------------------------------------------------------

    def _build_corpus(self, *, verbosity: int) -> None:
        self.stdout.write("Corpus : contenu de démonstration et territoires (setup_carrefour)…")
        call_command("setup_carrefour", verbosity=verbosity, stdout=self.stdout)
        shared = shared_data()
        if not shared.is_dir():
            self.stdout.write(
                self.style.WARNING(
                    f"Données partenaires absentes ({shared}) : corpus réduit à la démonstration. "
                    "Définissez CARREFOUR_SHARED_DATA pour importer les exports réels ; les "
                    "requêtes qui jugent des projets partenaires seront ignorées."
                )
            )
        else:
            for slug, name, relative in PARTNERS:
                path = shared / relative
                if not path.is_file():
                    self.stdout.write(self.style.WARNING(f"{slug} : fichier absent ({path})."))
                    continue
                mapping = mapping_parse((MAPPINGS / f"{slug}.yaml").read_text(encoding="utf-8"))
                source, _created = Source.objects.update_or_create(
                    slug=slug, defaults={"name": name, "trust": Trust.DIRECT, "mapping": mapping}
                )
                run = import_file(source=source, path=path, user=None)
                if run.status == RunStatus.FAILED:
                    raise CommandError(f"{slug} : {run.message}")
                self.stdout.write(run_summary(run=run))
        self.stdout.write("Reconstruction de l'index…")
        call_command("search_reindex", verbosity=verbosity, stdout=self.stdout)

    # Engine and references ------------------------------------------------------------

    def _backend_label(self) -> str:
        url = getattr(settings, "ELASTICSEARCH_URL", "")
        if url:
            parts = urlsplit(url)
            host = parts.hostname or url
            if parts.port:
                host = f"{host}:{parts.port}"
            return f"Elasticsearch / OpenSearch ({host})"
        vendor = {"sqlite": "SQLite, FTS5", "postgresql": "PostgreSQL, tsvector"}
        return f"base de données ({vendor.get(connection.vendor, connection.vendor)})"

    def _present_references(self, judged: list[JudgedQuery]) -> set[Reference]:
        refs = {ref for query in judged for ref in query.judgments}
        titles = {ref.identifier for ref in refs if ref.is_demo}
        present = {
            Reference("", title)
            for title in ProjectPage.objects.live()
            .filter(title__in=titles)
            .values_list("title", flat=True)
        }
        wanted = {ref for ref in refs if not ref.is_demo}
        records = ProjectSourceRecord.objects.filter(
            source__slug__in={ref.source for ref in wanted},
            source_identifier__in={ref.identifier for ref in wanted},
            project__live=True,
        ).values_list("source__slug", "source_identifier")
        present.update(Reference(slug, identifier) for slug, identifier in records)
        return present

    def _source_members(self, slugs: set[str]) -> dict[str, list[str]]:
        """slug → identifiers of the source's live projects (for ``id: "*"``)."""
        members: dict[str, list[str]] = {}
        for slug, identifier in ProjectSourceRecord.objects.filter(
            source__slug__in=slugs, project__live=True
        ).values_list("source__slug", "source_identifier"):
            members.setdefault(slug, []).append(identifier)
        return members

    def _rank(self, text: str, judgments: dict[Reference, int]) -> Ranking:
        depth = max(self.k, VARIANT_K)
        results = search(
            query=SearchQuery(text=text, per_page=depth, principals=frozenset({"public"})),
            record=False,  # evaluation runs are not searches people made
        )
        hits = results.hits[:depth]
        pks = [int(hit.object_id) for hit in hits if hit.kind == "project"]
        titles = dict(ProjectPage.objects.filter(pk__in=pks).values_list("pk", "title"))
        records: dict[int, list[Reference]] = {}
        for project_id, slug, identifier in ProjectSourceRecord.objects.filter(
            project_id__in=pks
        ).values_list("project_id", "source__slug", "source_identifier"):
            records.setdefault(project_id, []).append(Reference(slug, identifier))
        ranking = Ranking(total=results.total)
        used: set[Reference] = set()
        for hit in hits:
            if hit.kind != "project":
                ranking.refs.append(("autre", hit.kind, hit.object_id))
                ranking.labels.append(f"[{hit.kind}] {hit.title}")
                continue
            pk = int(hit.object_id)
            candidates = [Reference("", titles.get(pk, hit.title)), *records.get(pk, [])]
            judged = [ref for ref in candidates if ref in judgments and ref not in used]
            if judged:
                ref = max(judged, key=lambda r: judgments[r])
                used.add(ref)
                ranking.refs.append(ref)
            else:
                # the partner's reference when there is one: what a judge would add
                ranking.refs.append(("non jugé", pk))
                ref = candidates[-1]
            ranking.labels.append(f"{ref} {hit.title[:60]}")
        return ranking

    def _evaluate(self, query: JudgedQuery, judgments: dict[Reference, int]) -> Outcome:
        ranking = self._rank(query.text, judgments)
        agreements = []
        for variant in query.variants:
            other = self._rank(variant, judgments)
            agreements.append(
                Agreement(
                    variant,
                    top_k_agreement(ranking.refs, other.refs, VARIANT_K),
                    same_top_k(ranking.refs, other.refs, VARIANT_K),
                    not ranking.refs and not other.refs,
                )
            )
        return Outcome(
            query=query,
            judgments=judgments,
            ranking=ranking,
            ndcg=ndcg_at_k(ranking.refs, judgments, self.k),
            precision=precision_at_k(ranking.refs, judgments, PRECISION_K),
            agreements=agreements,
        )

    # Report ---------------------------------------------------------------------------

    def _write_detail(self, outcome: Outcome) -> None:
        query, ranking = outcome.query, outcome.ranking
        self.stdout.write("")
        self.stdout.write(
            f"« {query.text} » [{query.kind}] — nDCG@{self.k} {outcome.ndcg:.3f}, "
            f"P@{PRECISION_K} {outcome.precision:.2f}, {ranking.total} résultats"
        )
        judgments = outcome.judgments
        for rank, (ref, label) in enumerate(zip(ranking.refs, ranking.labels, strict=True), 1):
            grade = judgments.get(ref) if isinstance(ref, Reference) else None
            mark = "?" if grade is None else str(grade)  # « ? » : non jugé, compté 0
            self.stdout.write(f"  {rank:>2}. [{mark}] {label}")
        found = set(ranking.refs)
        missed = sorted(
            (ref for ref, grade in judgments.items() if grade >= 2 and ref not in found),
            key=lambda r: (-judgments[r], r),
        )
        for ref in missed[:MISSED]:
            self.stdout.write(f"      manqué [{judgments[ref]}] {ref}")
        if len(missed) > MISSED:
            self.stdout.write(f"      … et {len(missed) - MISSED} autres projets notés 2 ou 3")
        for agreement in outcome.agreements:
            state = "identique" if agreement.same else f"recouvrement {agreement.overlap:.0%}"
            self.stdout.write(f"  variante « {agreement.variant} » : {state}")

    def _write_summary(self, outcomes: list[Outcome], elapsed: float) -> None:
        k = self.k
        agreements = [a for outcome in outcomes for a in outcome.agreements]
        self.stdout.write("")
        self.stdout.write(f"Requêtes évaluées : {len(outcomes)} ({elapsed:.1f} s)")
        self.stdout.write(f"  nDCG@{k} moyen : {mean(o.ndcg for o in outcomes):.3f}")
        self.stdout.write(f"  P@{PRECISION_K} moyenne : {mean(o.precision for o in outcomes):.3f}")
        self.stdout.write(
            f"  Requêtes sans résultat : {zero_result_rate(o.ranking.total for o in outcomes):.1%}"
        )
        if agreements:
            # Two empty lists agree trivially: counted apart, not in the means.
            compared = [a for a in agreements if not a.both_empty]
            self.stdout.write(
                f"  Variantes : {len(agreements)}, dont {len(agreements) - len(compared)} "
                "sans résultat des deux côtés (écartées) ; sur les autres, top 10 partagé à "
                f"{mean(a.overlap for a in compared):.1%} en moyenne, identique pour "
                f"{mean(1.0 if a.same else 0.0 for a in compared):.1%}"
            )
        self.stdout.write("  Par type de requête :")
        for kind in sorted({o.query.kind for o in outcomes}):
            group = [o for o in outcomes if o.query.kind == kind]
            self.stdout.write(
                f"    {kind:<11} {len(group):>3} requêtes  nDCG@{k} "
                f"{mean(o.ndcg for o in group):.3f}  P@{PRECISION_K} "
                f"{mean(o.precision for o in group):.3f}  sans résultat "
                f"{zero_result_rate(o.ranking.total for o in group):.0%}"
            )
        self.stdout.write(f"Requêtes les moins bien servies (nDCG@{k}) :")
        for outcome in sorted(outcomes, key=lambda o: (o.ndcg, o.query.text))[:WORST]:
            self.stdout.write(
                f"  {outcome.ndcg:.3f}  « {outcome.query.text} » [{outcome.query.kind}] — "
                f"{outcome.ranking.total} résultats, P@{PRECISION_K} {outcome.precision:.2f}"
            )
        unstable = [
            (outcome.query.text, agreement.variant, agreement.overlap)
            for outcome in outcomes
            for agreement in outcome.agreements
            if not agreement.same
        ]
        if unstable:
            self.stdout.write("Variantes qui changent le top 10 :")
            for text, variant, overlap in sorted(unstable, key=lambda u: u[2])[:WORST]:
                self.stdout.write(f"  {overlap:.0%}  « {text} » → « {variant} »")
