"""Import runs, their reports, conflicts with local edits, and likely duplicates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .projects import ProjectPage
from .sources import Source


class RunStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")
    # Stopped before writing: it would unpublish, fold or re-identify more of the
    # source's projects than IMPORT_UNPUBLISH_MAX_SHARE allows without a confirmation.
    CONFIRM = "confirm", _("À confirmer")
    CANCELLED = "cancelled", _("Annulé")


class ImportRun(models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(
        _("statut"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    dry_run = models.BooleanField(_("essai à blanc"), default=False)
    file = models.FileField(_("fichier"), upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    from_feed = models.BooleanField(_("synchronisation du flux"), default=False)
    complete = models.BooleanField(
        _("fichier complet"),
        default=False,
        help_text=_(
            "Le fichier est la liste complète des projets de la source : ceux qui n'y sont "
            "pas sont dépubliés. Un flux est toujours complet ; un fichier envoyé ne fait "
            "sinon qu'ajouter et mettre à jour."
        ),
    )
    confirmed = models.BooleanField(
        _("dépublications confirmées"),
        default=False,
        help_text=_("L'éditeur a confirmé les dépublications et changements d'identité listés."),
    )
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    records_read = models.PositiveIntegerField(_("enregistrements lus"), default=0)
    total = models.PositiveIntegerField(_("enregistrements"), default=0)
    processed = models.PositiveIntegerField(_("traités"), default=0)
    created = models.PositiveIntegerField(_("créés"), default=0)
    updated = models.PositiveIntegerField(_("mis à jour"), default=0)
    unchanged = models.PositiveIntegerField(_("inchangés"), default=0)
    unpublished = models.PositiveIntegerField(_("dépubliés"), default=0)
    rejected = models.PositiveIntegerField(_("rejetés"), default=0)
    skipped = models.PositiveIntegerField(_("ignorés"), default=0)  # skip_if of the mapping
    merged = models.PositiveIntegerField(_("lignes regroupées"), default=0)  # same key
    held = models.PositiveIntegerField(_("retenus (identifiant réutilisé)"), default=0)
    warnings = models.PositiveIntegerField(_("avertissements"), default=0)
    conflicts = models.PositiveIntegerField(_("conflits"), default=0)
    duplicates = models.PositiveIntegerField(_("doublons probables"), default=0)
    message = models.TextField(_("message"), blank=True)
    preview = models.JSONField(default=list, blank=True)
    file_info = models.JSONField(default=dict, blank=True)
    # What the run does to projects already online: unpublications (named), records
    # held (« identifiant réutilisé »), keys folding several projects, and the share
    # of the source's projects they make (see innovations/importing/plan.py).
    plan = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} — {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def progress_percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def planned(self) -> bool:
        """Its figures say what would happen (a dry run, or a run awaiting confirmation)."""
        return self.dry_run or self.status == RunStatus.CONFIRM


class Severity(models.TextChoices):
    ERROR = "error", _("Ligne rejetée")
    WARNING = "warning", _("Avertissement (valeur ignorée, projet gardé)")


class ImportRowError(models.Model):
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(_("ligne"))
    key = models.CharField(_("identifiant"), max_length=255, blank=True)
    field = models.CharField(_("champ"), max_length=100, blank=True)
    reason = models.CharField(_("raison"), max_length=500)
    severity = models.CharField(
        _("gravité"), max_length=10, choices=Severity.choices, default=Severity.ERROR
    )

    class Meta:
        verbose_name = _("ligne rejetée")
        verbose_name_plural = _("lignes rejetées")
        ordering = ["row", "pk"]

    def __str__(self) -> str:
        return f"{self.row}: {self.reason}"


class ConflictResolution(models.TextChoices):
    PENDING = "pending", _("À trancher")
    KEPT_LOCAL = "kept_local", _("Version locale gardée")
    APPLIED_PARTNER = "applied_partner", _("Version du partenaire appliquée")


class ImportConflict(models.Model):
    """A field edited on the Carrefour that the partner also changed: the local value
    was kept (« local wins » policy) until an editor decides."""

    project = models.ForeignKey(ProjectPage, on_delete=models.CASCADE, related_name="conflicts")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="conflicts")
    run = models.ForeignKey(ImportRun, null=True, on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(_("champ"), max_length=50)
    local_value = models.JSONField(null=True)
    partner_value = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolution = models.CharField(
        max_length=20, choices=ConflictResolution.choices, default=ConflictResolution.PENDING
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conflit d'import")
        verbose_name_plural = _("conflits d'import")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.project} · {self.field}"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", _("À examiner")
    MERGED = "merged", _("Fusionnés")
    DISMISSED = "dismissed", _("Pas un doublon")


class DuplicateCandidate(models.Model):
    """Two projects that are probably the same (same normalised title and territory,
    or same website), found when importing; editors merge or dismiss."""

    project = models.ForeignKey(ProjectPage, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(ProjectPage, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("raison"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("doublon probable")
        verbose_name_plural = _("doublons probables")
        constraints = [
            models.UniqueConstraint(fields=["project", "other"], name="duplicate_pair_unique")
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.project} ≈ {self.other}"


class HeldStatus(models.TextChoices):
    PENDING = "pending", _("À trancher")
    SAME_PROJECT = "same", _("Même projet : mis à jour")
    OTHER_PROJECT = "other", _("Autre projet : créé à part")


class ImportHeldRecord(models.Model):
    """« Identifiant réutilisé » : a partner's record whose title and organisation
    both differ from the project its identifier points to. It is not applied until
    an editor says whether it is the same project (then it updates it) or another
    one (then it becomes a project of its own, the old one keeps its content)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="held_records")
    run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="held_records"
    )
    project = models.ForeignKey(ProjectPage, on_delete=models.CASCADE, related_name="+")
    source_identifier = models.CharField(_("identifiant chez le partenaire"), max_length=255)
    current_title = models.CharField(_("titre sur le Carrefour"), max_length=255, blank=True)
    current_structure = models.CharField(
        _("structure sur le Carrefour"), max_length=200, blank=True
    )
    partner_title = models.CharField(_("titre chez le partenaire"), max_length=255, blank=True)
    partner_structure = models.CharField(
        _("structure chez le partenaire"), max_length=200, blank=True
    )
    data = models.JSONField(default=dict)  # the record as the engine prepared it
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=HeldStatus.choices, default=HeldStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("identifiant réutilisé")
        verbose_name_plural = _("identifiants réutilisés")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_identifier"],
                condition=models.Q(status="pending"),
                name="held_record_one_pending_per_identifier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} : {self.source_identifier}"
