"""Saved searches and their e-mail alerts.

A member keeps a search (its URL parameters, as the results page shares them), names
it and chooses how often to hear of it. ``alerts_send`` (``manage.py send_alerts``,
run by cron) e-mails each due search's *new* results: projects, events and
communities published since the search was last checked, found with the member's
own principals at the time of sending — what they may no longer see is not sent.

Idempotent: every announced document is claimed in SavedSearchDelivery (unique per
search and document) before the e-mail leaves, and ``checked_until`` moves to the
moment the run started; a second run finds nothing new and sends nothing. The
unsubscribe link is signed (no login, no expiry: an old e-mail keeps working) and
stops that one search's alerts.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.absolute_urls import absolute_url, site_root_url

from .models import AlertFrequency, SavedSearch, SavedSearchDelivery
from .query import QueryError, parse_params
from .registry import principals_for
from .services import SearchUnavailable, resolve_place, search

logger = logging.getLogger(__name__)

# What an alert announces: new things to act on, not every page or message.
ALERT_KINDS = ("project", "event", "community")
MAX_SAVED_SEARCHES = 50
MAX_ITEMS_PER_ALERT = 30
# A little less than the period, so that a daily cron at a slightly different
# minute each day is never skipped.
PERIODS = {
    AlertFrequency.DAILY: datetime.timedelta(hours=23),
    AlertFrequency.WEEKLY: datetime.timedelta(days=6, hours=23),
}
SALT = "search.alerts.unsubscribe"
# A document reaches the index a moment after it is published (after the commit,
# through the queue; longer while the engine is down): each run looks this far
# back before ``checked_until`` and the claims keep it from announcing twice.
INDEXING_LAG = datetime.timedelta(hours=6)


class SavedSearchError(ValidationError):
    """What was typed cannot be saved; the message says why, in French."""


def _clean_params(params: str) -> str:
    """The search's parameters as the results page shares them, without paging or
    view: what makes the search, in a stable order. Refuses what cannot run."""
    data = QueryDict(params or "", mutable=True)
    for name in ("page", "par_page", "vue"):
        data.pop(name, None)
    try:
        query = parse_params(data, principals=frozenset({"public"}), resolve_place=resolve_place)
    except QueryError as exc:
        raise SavedSearchError(str(exc)) from exc
    cleaned = query.to_params()
    if not cleaned:
        raise SavedSearchError(
            _("Cette recherche est vide : tapez des mots ou choisissez un filtre.")
        )
    return urlencode(cleaned)[:2000]


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())[:120]
    if not name:
        raise SavedSearchError(_("Donnez un nom à cette recherche."))
    return name


def _clean_frequency(frequency: str) -> str:
    if frequency not in AlertFrequency.values:
        raise SavedSearchError(
            _("Choisissez la fréquence des alertes : chaque jour, chaque semaine ou jamais.")
        )
    return frequency


def saved_search_create(
    *, user, name: str, params: str, frequency: str, language: str = "fr"
) -> SavedSearch:
    if not user.is_authenticated:
        raise SavedSearchError(_("Connectez-vous pour enregistrer une recherche."))
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
        raise SavedSearchError(
            _("Vous avez déjà %(count)s recherches enregistrées : supprimez-en une d'abord.")
            % {"count": MAX_SAVED_SEARCHES}
        )
    now = timezone.now()
    return SavedSearch.objects.create(
        user=user,
        name=_clean_name(name),
        params=_clean_params(params),
        frequency=_clean_frequency(frequency),
        language=_language(language),
        created_at=now,
        checked_until=now,
    )


def saved_search_update(
    *, saved_search: SavedSearch, name: str, frequency: str, language: str = ""
) -> SavedSearch:
    saved_search.name = _clean_name(name)
    frequency = _clean_frequency(frequency)
    if saved_search.frequency == AlertFrequency.NEVER and frequency != AlertFrequency.NEVER:
        # Alerts switched back on: from now, not everything published meanwhile.
        saved_search.checked_until = timezone.now()
    saved_search.frequency = frequency
    if language:
        saved_search.language = _language(language)
    saved_search.save(update_fields=["name", "frequency", "language", "checked_until"])
    return saved_search


def saved_search_delete(*, saved_search: SavedSearch) -> None:
    saved_search.delete()


def saved_searches_of(*, user):
    return SavedSearch.objects.filter(user=user).order_by("name", "pk")


def saved_search_url(saved_search: SavedSearch) -> str:
    path = reverse("search:search")
    return f"{path}?{saved_search.params}" if saved_search.params else path


def _language(code: str) -> str:
    known = {language for language, _name in settings.LANGUAGES}
    code = (code or "").split("-")[0].lower()
    return code if code in known else settings.LANGUAGE_CODE


# --- unsubscribe ----------------------------------------------------------------------


class InvalidAlertLink(ValueError):
    """The token was cut or altered, or its search no longer exists."""


def unsubscribe_token(saved_search: SavedSearch) -> str:
    return signing.dumps({"s": saved_search.pk, "u": saved_search.user_id}, salt=SALT)


def unsubscribe_url(saved_search: SavedSearch) -> str:
    return absolute_url(
        reverse("search:alert_unsubscribe", kwargs={"token": unsubscribe_token(saved_search)})
    )


def saved_search_from_token(token: str) -> SavedSearch:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise InvalidAlertLink(token) from exc
    if not isinstance(data, dict):
        raise InvalidAlertLink(token)
    found = SavedSearch.objects.filter(pk=data.get("s"), user_id=data.get("u")).first()
    if found is None:
        raise InvalidAlertLink(token)
    return found


def alerts_unsubscribe(*, saved_search: SavedSearch) -> None:
    if saved_search.frequency != AlertFrequency.NEVER:
        saved_search.frequency = AlertFrequency.NEVER
        saved_search.save(update_fields=["frequency"])


# --- sending --------------------------------------------------------------------------


@dataclass
class AlertsReport:
    checked: int = 0
    sent: int = 0
    items: int = 0
    failed: list[str] = field(default_factory=list)


def _due(*, now: datetime.datetime):
    due = SavedSearch.objects.none()
    for frequency, period in PERIODS.items():
        due = due | SavedSearch.objects.filter(frequency=frequency, checked_until__lte=now - period)
    return due.filter(user__is_active=True).select_related("user").order_by("pk")


def _new_hits(*, saved_search: SavedSearch, until: datetime.datetime) -> list:
    """Documents of ALERT_KINDS published after ``checked_until`` (and not after
    ``until``) matching the search, visible to its owner now, most recent first."""
    user = saved_search.user
    query = parse_params(
        QueryDict(saved_search.params),
        principals=principals_for(user),
        resolve_place=resolve_place,
        per_page=100,
    )
    kinds = tuple(k for k in query.filters.get("kind", ALERT_KINDS) if k in ALERT_KINDS)
    if not kinds:
        return []
    query = replace(
        query,
        filters={**query.filters, "kind": kinds},
        published_after=max(saved_search.created_at, saved_search.checked_until - INDEXING_LAG),
        sort="recents",
        facets=False,
        highlight=False,
    )
    hits = []
    page = 1
    while len(hits) < MAX_ITEMS_PER_ALERT:
        results = search(query=replace(query, page=page), record=False)
        hits.extend(h for h in results.hits if h.published_at is None or h.published_at <= until)
        if page >= results.pages:
            break
        page += 1
    return hits[:MAX_ITEMS_PER_ALERT]


def _claim(*, saved_search: SavedSearch, hits: list) -> list:
    """Claim the hits not yet announced by this search (one row each, unique)."""
    known = set(
        SavedSearchDelivery.objects.filter(
            saved_search=saved_search, key__in=[h.key for h in hits]
        ).values_list("key", flat=True)
    )
    claimed = []
    for hit in hits:
        if hit.key in known:
            continue
        try:
            with transaction.atomic():
                SavedSearchDelivery.objects.create(saved_search=saved_search, key=hit.key)
        except IntegrityError:  # another run claimed it first
            continue
        claimed.append(hit)
    return claimed


def _email(*, saved_search: SavedSearch, hits: list) -> None:
    user = saved_search.user
    stop_url = unsubscribe_url(saved_search)
    with translation.override(saved_search.language or settings.LANGUAGE_CODE):
        context = {
            "saved_search": saved_search,
            "hits": [{"hit": hit, "url": absolute_url(hit.url)} for hit in hits],
            "search_url": absolute_url(saved_search_url(saved_search)),
            "manage_url": absolute_url(reverse("search:saved_searches")),
            "unsubscribe_url": stop_url,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "site_url": site_root_url(),
        }
        subject = render_to_string("search/emails/alert_subject.txt", context)
        body = render_to_string("search/emails/alert_body.txt", context)
        html = render_to_string("search/emails/alert_body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)


def alert_send(*, saved_search: SavedSearch, now: datetime.datetime | None = None) -> int:
    """Check one saved search now: e-mail what is new (if anything), move its
    ``checked_until``. Returns how many documents the e-mail announced."""
    now = now or timezone.now()
    hits = _new_hits(saved_search=saved_search, until=now)
    claimed = _claim(saved_search=saved_search, hits=hits)
    if claimed and saved_search.user.email:
        try:
            _email(saved_search=saved_search, hits=claimed)
        except Exception:
            # Not sent: release the claims so that the next run tries again.
            SavedSearchDelivery.objects.filter(
                saved_search=saved_search, key__in=[h.key for h in claimed]
            ).delete()
            raise
    SavedSearch.objects.filter(pk=saved_search.pk).update(
        checked_until=now, **({"last_sent_at": now} if claimed else {})
    )
    return len(claimed)


def alerts_send(
    *,
    now: datetime.datetime | None = None,
    only: list[int] | None = None,
    progress: Callable[[AlertsReport, int], None] | None = None,
) -> AlertsReport:
    """Every due saved search (``only``: these ids, due or not); ``progress(report,
    total)`` after each one (a background job's figures, or a command's bar)."""
    now = now or timezone.now()
    report = AlertsReport()
    if only:
        searches = SavedSearch.objects.filter(pk__in=only, user__is_active=True).select_related(
            "user"
        )
    else:
        searches = _due(now=now)
    total = searches.count() if progress else 0
    for saved_search in searches.iterator(chunk_size=200):
        if progress:
            progress(report, total)
        report.checked += 1
        try:
            count = alert_send(saved_search=saved_search, now=now)
        except SearchUnavailable:
            report.failed.append(f"{saved_search.pk}: {_('moteur de recherche indisponible')}")
            continue
        except QueryError as exc:  # a facet or place that no longer exists
            report.failed.append(f"{saved_search.pk}: {exc}")
            SavedSearch.objects.filter(pk=saved_search.pk).update(checked_until=now)
            continue
        except Exception as exc:  # the mail server: tried again on the next run
            logger.exception("Alert %s not sent", saved_search.pk)
            report.failed.append(f"{saved_search.pk}: {exc}")
            continue
        if count:
            report.sent += 1
            report.items += count
    if progress:
        progress(report, total)
    return report


def export_saved_searches(user) -> list[dict]:
    """The personal-data export: a member's saved searches (deleted with the account)."""
    return [
        {
            "nom": saved.name,
            "recherche": saved.params,
            "alertes": saved.frequency,
            "langue": saved.language,
            "creee_le": saved.created_at.isoformat(),
            "derniere_alerte": saved.last_sent_at.isoformat() if saved.last_sent_at else None,
        }
        for saved in saved_searches_of(user=user)
    ]
