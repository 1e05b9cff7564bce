"""Likely duplicates across sources, and merging them.

Two projects are likely the same when their normalised titles match in the same
département, or when they share a website (same host and path). Candidates are
recorded for editors, who merge them (the kept project then lists every source:
« Projet référencé par A et B ») or dismiss them.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.contrib.redirects.models import Redirect

from core.text import fold

from ..models import DuplicateCandidate, DuplicateStatus, ProjectPage, ProjectSourceRecord

NOISE = {
    "association",
    "asso",
    "collectif",
    "projet",
    "le",
    "la",
    "les",
    "de",
    "des",
    "du",
    "l",
    "d",
}


def normalised_title(title: str) -> str:
    return " ".join(w for w in fold(title).split() if w not in NOISE)


def normalised_site(url: str) -> str:
    if not url:
        return ""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/")
    # A bare social-network host says nothing about identity.
    if (
        host in {"facebook.com", "instagram.com", "linkedin.com", "twitter.com", "x.com"}
        and not path
    ):
        return ""
    return f"{host}{path}" if host else ""


def _fingerprints(project_ids=None):
    # Every project (project_ids None) is read without listing its ids in the
    # queries: at 300 000 projects, the two IN lists alone cost 9 s per import.
    projects = ProjectPage.objects.all()
    records = ProjectSourceRecord.objects.all()
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
        records = records.filter(project_id__in=project_ids)
    titles, sites, sources = defaultdict(set), defaultdict(set), defaultdict(set)
    for pk, title, website in projects.values_list("pk", "title", "website"):
        titles[pk] = normalised_title(title)
        if site := normalised_site(website):
            sites[site].add(pk)
    departements = defaultdict(set)
    for pk, dep in projects.values_list("pk", "locations__territory__departement_code"):
        if dep:
            departements[pk].add(dep)
    for pk, source_id in records.values_list("project_id", "source_id"):
        sources[pk].add(source_id)
    return titles, sites, departements, sources


def find_duplicates(*, project_ids: list[int]) -> int:
    """Record candidates between ``project_ids`` and every other project (not twice,
    not between two records of the same source, never a dismissed pair)."""
    if not project_ids:
        return 0
    titles, sites, departements, sources = _fingerprints()
    by_title = defaultdict(set)
    for pk, title in titles.items():
        if len(title) >= 4:
            for dep in departements[pk] or {""}:
                by_title[(title, dep)].add(pk)
    new = set(project_ids)
    pairs: dict[tuple[int, int], str] = {}
    for members in by_title.values():
        if len(members) > 1 and members & new:
            for a in members & new:
                for b in members - {a}:
                    pairs.setdefault(tuple(sorted((a, b))), _("même titre, même département"))
    for site, members in sites.items():
        if len(members) > 1 and members & new:
            for a in members & new:
                for b in members - {a}:
                    pairs.setdefault(
                        tuple(sorted((a, b))), _("même site web : %(site)s") % {"site": site}
                    )
    candidates = [
        DuplicateCandidate(project_id=a, other_id=b, reason=reason)
        for (a, b), reason in pairs.items()
        if not (sources[a] and sources[a] == sources[b] and len(sources[a]) == 1)
    ]
    created = DuplicateCandidate.objects.bulk_create(candidates, ignore_conflicts=True)
    return len(created)


def projects_merge(*, candidate: DuplicateCandidate, keep: ProjectPage, editor) -> ProjectPage:
    """Keep one project; the other's partner records move to it, the other is
    unpublished and its address redirects to the kept one."""
    if keep.pk not in (candidate.project_id, candidate.other_id):
        raise ValueError("keep must be one of the pair")
    drop_id = candidate.other_id if keep.pk == candidate.project_id else candidate.project_id
    with transaction.atomic():
        drop = ProjectPage.objects.get(pk=drop_id)
        ProjectSourceRecord.objects.filter(project=drop).update(project=keep)
        if keep.owner_id is None and drop.owner_id is not None:
            keep.owner_id = drop.owner_id
            keep.save(update_fields=["owner"], clean=False)
        old_path = drop.url
        if drop.live:
            drop.unpublish(log_action=False)
        if old_path:
            Redirect.objects.get_or_create(
                old_path=Redirect.normalise_path(old_path), defaults={"redirect_page": keep}
            )
        candidate.status = DuplicateStatus.MERGED
        candidate.decided_by = editor
        candidate.decided_at = timezone.now()
        candidate.save()
        DuplicateCandidate.objects.filter(status=DuplicateStatus.PENDING).filter(
            project_id=drop_id
        ).update(status=DuplicateStatus.DISMISSED)
        DuplicateCandidate.objects.filter(status=DuplicateStatus.PENDING).filter(
            other_id=drop_id
        ).update(status=DuplicateStatus.DISMISSED)
        from search.indexing import enqueue

        enqueue(kind="project", object_ids=[keep.pk, drop.pk])
    return keep


def duplicate_dismiss(*, candidate: DuplicateCandidate, editor) -> None:
    candidate.status = DuplicateStatus.DISMISSED
    candidate.decided_by = editor
    candidate.decided_at = timezone.now()
    candidate.save()
