"""What innovations notifies (notifications/ reads the kinds it registers): a team
learns that another project declares theirs as its inspiration (issue 16)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REPLICATED = "project.replicated"


def register_kinds() -> None:
    from notifications.kinds import Delivery, register_kind

    register_kind(
        REPLICATED,
        gettext_lazy("Un projet s'inspire du vôtre"),
        default=Delivery.IMMEDIATE,
    )


def notify_replicated(*, original, replication, actor) -> None:
    """Tell the original's team (not the person who declared it) in the notifications
    centre and by e-mail, after the commit (notifications' own rule)."""
    from notifications.services import notifications_send

    from .models import ProjectMember

    ids = {
        original.owner_id,
        *ProjectMember.objects.filter(project=original).values_list("user_id", flat=True),
    } - {None, getattr(actor, "pk", None)}
    recipients = list(get_user_model().objects.filter(pk__in=ids, is_active=True))
    if not recipients or not replication.live:
        return
    notifications_send(
        recipients=recipients,
        kind=REPLICATED,
        title=_("« %(replication)s » s'inspire de votre projet « %(original)s »")
        % {"replication": replication.title, "original": original.title},
        body=_("Il figure désormais sur la carte « Essaimé à … endroits » de votre projet."),
        url=replication.url or "",
        actor=actor,
        scope=f"lineage:{original.pk}:{replication.pk}",
    )
