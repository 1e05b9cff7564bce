"""Tables of the database search backend, the indexing outbox and search analytics.

The database backend keeps its own denormalised copy of every document (one row
per document, one row per facet value, one per point), so that searching never
joins the apps' tables. On SQLite a FTS5 table, on PostgreSQL a tsvector column
(migrations 0001/0002), index the text.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

VISIBILITY_FACET = "_visibility"


class SearchEntry(models.Model):
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, db_index=True)
    object_id = models.CharField(max_length=64)
    url = models.CharField(max_length=500)
    title = models.CharField(max_length=300)
    sort_title = models.CharField(max_length=300, db_index=True)  # folded, for A→Z
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # Themes, territories and tags as words: searched with the summary.
    keywords = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    display = models.JSONField(default=dict)
    # Visible to everyone: the common case, filtered without touching visibility rows.
    is_public = models.BooleanField(default=True, db_index=True)
    # SearchDocument.fingerprint(): what reconciliation compares with the database.
    fingerprint = models.CharField(max_length=32, blank=True)
    # When this row was last written: processes refresh their facet bitmaps from it.
    indexed_at = models.DateTimeField(default=timezone.now, db_index=True)
    # PostgreSQL only (filled by the backend, GIN-indexed by migration 0002).
    search_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = _("document indexé")
        verbose_name_plural = _("documents indexés")

    def __str__(self) -> str:
        return self.key


class SearchFacetValue(models.Model):
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="facet_values")
    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=120)

    class Meta:
        indexes = [
            models.Index(fields=["facet", "value", "entry"], name="search_facet_lookup"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entry", "facet", "value"], name="search_facet_unique")
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class SearchPoint(models.Model):
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="points")
    lat = models.FloatField()
    lon = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["lat", "lon"], name="search_point_bbox")]

    def __str__(self) -> str:
        return f"{self.lat},{self.lon}"


class SearchTombstone(models.Model):
    """An entry removed from the index, so other processes drop it from their bitmaps."""

    entry_id = models.BigIntegerField()
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.entry_id} ({self.deleted_at:%Y-%m-%d %H:%M})"


class SearchTerm(models.Model):
    """Vocabulary of indexed words (folded), for « did you mean » on a typo."""

    term = models.CharField(max_length=60, primary_key=True)

    def __str__(self) -> str:
        return self.term


class IndexQueue(models.Model):
    """Outbox of index updates. A row is written in the same transaction as the
    change that needs it, processed after commit, and deleted once the search
    engine has it: when the engine is down, rows wait and are retried."""

    kind = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("mise à jour d'index en attente")
        verbose_name_plural = _("mises à jour d'index en attente")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="index_queue_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class SearchQueryDay(models.Model):
    """Search analytics, aggregated per normalised query and day (no user data)."""

    day = models.DateField(_("jour"))
    query = models.CharField(_("recherche"), max_length=200)
    searches = models.PositiveIntegerField(_("recherches"), default=0)
    zero_results = models.PositiveIntegerField(_("sans résultat"), default=0)

    class Meta:
        verbose_name = _("statistique de recherche")
        verbose_name_plural = _("statistiques de recherche")
        constraints = [
            models.UniqueConstraint(fields=["day", "query"], name="search_query_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="search_query_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.query}"


class SearchDeadLetter(models.Model):
    """A document the engine refused for good (a mapping or parse error, not an
    outage): kept with the engine's reason for editors, never retried blindly. It
    leaves the list when the document is indexed again successfully."""

    key = models.CharField(_("document"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=40)
    object_id = models.CharField(_("identifiant"), max_length=64)
    reason = models.TextField(_("raison"))
    attempts = models.PositiveIntegerField(_("tentatives"), default=1)
    first_failed_at = models.DateTimeField(_("premier échec"), default=timezone.now)
    last_failed_at = models.DateTimeField(_("dernier échec"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("document refusé par le moteur")
        verbose_name_plural = _("documents refusés par le moteur")

    def __str__(self) -> str:
        return self.key


class SearchSynonym(models.Model):
    """One line of equivalent terms, edited by editors (« ESS, économie sociale et
    solidaire »): a query containing any of them also looks for the others. Terms
    may be words or phrases; acronyms are terms like any other."""

    terms = models.TextField(
        _("termes équivalents"),
        help_text=_("Séparés par des virgules, par exemple : ESS, économie sociale et solidaire"),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("synonyme")
        verbose_name_plural = _("synonymes")
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms


class SearchClick(models.Model):
    """Clicks on search results, aggregated per day, normalised query (as in
    SearchQueryDay) and document: no user data. ``position_sum / clicks`` is the
    mean rank of the clicked result; ``first_clicks`` counts the searches whose
    first click went to this document, so that summed over documents it is the
    number of searches followed by at least one click (the click-through rate)."""

    day = models.DateField(_("jour"))
    query = models.CharField(_("recherche"), max_length=200)
    key = models.CharField(_("document"), max_length=200)
    clicks = models.PositiveIntegerField(_("clics"), default=0)
    position_sum = models.PositiveBigIntegerField(_("somme des positions"), default=0)
    first_clicks = models.PositiveIntegerField(_("premiers clics"), default=0)

    class Meta:
        verbose_name = _("clic sur un résultat")
        verbose_name_plural = _("clics sur les résultats")
        constraints = [
            models.UniqueConstraint(fields=["day", "query", "key"], name="search_click_unique")
        ]
        indexes = [models.Index(fields=["day", "query"], name="search_click_day_query_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.query} → {self.key}"


class AlertFrequency(models.TextChoices):
    DAILY = "daily", _("Chaque jour")
    WEEKLY = "weekly", _("Chaque semaine")
    NEVER = "never", _("Jamais")


class SavedSearch(models.Model):
    """A search a member keeps (its URL parameters, as the results page shares them)
    and, unless ``never``, the alerts it sends: what became visible to them since the
    last e-mail (search/alerts.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("nom"), max_length=120)
    params = models.CharField(_("paramètres"), max_length=2000, blank=True)
    frequency = models.CharField(
        _("alertes par e-mail"),
        max_length=10,
        choices=AlertFrequency.choices,
        default=AlertFrequency.WEEKLY,
    )
    # The interface language when it was saved or last edited: the alerts speak it.
    language = models.CharField(_("langue"), max_length=8, default="fr")
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    # Documents published up to this moment have been considered (sent or not new).
    checked_until = models.DateTimeField(_("vérifiée jusqu'au"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("dernière alerte"), null=True, blank=True)

    class Meta:
        verbose_name = _("recherche enregistrée")
        verbose_name_plural = _("recherches enregistrées")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["frequency", "checked_until"], name="saved_search_due")]

    def __str__(self) -> str:
        return self.name


class SavedSearchDelivery(models.Model):
    """A document an alert of ``saved_search`` announced: never announced twice, even
    when two runs overlap (the unique constraint is the claim)."""

    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="deliveries"
    )
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "key"], name="saved_search_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.saved_search_id} {self.key}"
