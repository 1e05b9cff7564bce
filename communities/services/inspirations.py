"""« S'en inspirer » (issue 16): a signed-in member asks a project's team how to copy
what they do (where, for which organisation, why); the team accepts — a direct
conversation opens between the team member who accepted and the requester, the
acceptance's message as its first message — or declines with a message; the
requester may withdraw a request still pending; the team may pause requests.

Each service checks who acts first (``InspirationPermissionDenied``), then what
they sent (``ValidationError`` naming the field, in French), works in one
transaction — a decision with the request's row locked, so that of two team members
deciding at once one wins and the other is told who did — and its notifications
leave after the commit (communities/notify/inspirations.py).

Requests are taken by live, public projects only (a draft, an unpublished page or
one under a Wagtail view restriction answers 404 in the views, and is refused
here), never from the project's own team nor by a project without a team (a
partner's record nobody claimed yet: nobody would answer), at most one pending per
project and requester (also a constraint of the table), at most
``CARREFOUR_INSPIRATIONS_PER_DAY`` in 24 hours per requester (each one notifies a
whole team by e-mail), and not while the team paused them.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from innovations.models import ProjectPage, ReplicationSheet, Territory
from innovations.permissions import is_team_member, project_permissions
from innovations.selectors import projects_live
from innovations.services.replication import replication_requests_pause

from ..models import InspirationRequest, InspirationStatus
from ..models.inspiration import MESSAGE_MAX, ORGANISATION_MAX
from ..notify import inspirations as notify
from ..permissions import CommunityPermissionDenied, is_signed_in
from ..selectors.inspirations import project_team
from .channels import direct_channel_open
from .messages import message_send

INSPIRATIONS_PER_DAY = 5
WINDOW = timedelta(days=1)


class InspirationPermissionDenied(CommunityPermissionDenied):
    """The user may not do this with this « S'en inspirer » request or project."""


def inspirations_per_day() -> int:
    return int(getattr(settings, "CARREFOUR_INSPIRATIONS_PER_DAY", INSPIRATIONS_PER_DAY))


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _text(value) -> str:
    return (value or "").replace("\r\n", "\n").strip() if isinstance(value, str) else ""


def _clean_request(*, territory, organisation: str, message: str) -> tuple[str, str]:
    organisation = " ".join(_text(organisation).split())
    message = _text(message)
    errors: dict[str, str] = {}
    if not isinstance(territory, Territory):
        errors["territory"] = _(
            "Indiquez où vous voulez vous en inspirer : une commune, un département ou une région."
        )
    if not organisation:
        errors["organisation"] = _(
            "Indiquez pour quelle organisation (association, collectivité, collectif…)."
        )
    elif len(organisation) > ORGANISATION_MAX:
        errors["organisation"] = _(
            "Le nom de l'organisation est trop long (%(max)d caractères au plus)."
        ) % {"max": ORGANISATION_MAX}
    if not message:
        errors["message"] = _("Dites en quelques mots à l'équipe pourquoi ce projet vous inspire.")
    elif len(message) > MESSAGE_MAX:
        errors["message"] = _("Le message est trop long (%(max)d caractères au plus).") % {
            "max": MESSAGE_MAX
        }
    if errors:
        raise ValidationError(errors)
    return organisation, message


def _clean_response(message: str, *, required: bool) -> str:
    message = _text(message)
    if required and not message:
        raise ValidationError(
            {
                "message": _(
                    "Expliquez en quelques mots pourquoi vous déclinez : la personne le lira."
                )
            }
        )
    if len(message) > MESSAGE_MAX:
        raise ValidationError(
            {
                "message": _("Le message est trop long (%(max)d caractères au plus).")
                % {"max": MESSAGE_MAX}
            }
        )
    return message


def _project_taking_requests(project: ProjectPage, requester) -> ProjectPage:
    found = projects_live().filter(pk=project.pk).first()
    if found is None or not project_permissions(project=found, user=requester).view_live:
        raise InspirationPermissionDenied(_("Ce projet n'existe pas ou n'est pas publié."))
    return found


def _paused(project: ProjectPage) -> bool:
    return ReplicationSheet.objects.filter(project=project, requests_paused=True).exists()


def _refuse_flood(requester, now) -> None:
    # Every request counts, withdrawn ones too: withdrawing does not take back the
    # e-mails the team received.
    recent = InspirationRequest.objects.filter(requester=requester, created_at__gt=now - WINDOW)
    limit = inspirations_per_day()
    sent = recent.count()
    if sent < limit:
        return
    # A new one is possible once enough of them are more than 24 hours old.
    freed_at = recent.order_by("created_at").values_list("created_at", flat=True)[sent - limit]
    raise ValidationError(
        ngettext(
            "Vous avez envoyé %(count)d demande « S'en inspirer » en 24 heures : c'est le "
            "maximum. Vous pourrez en envoyer une nouvelle à partir du %(when)s.",
            "Vous avez envoyé %(count)d demandes « S'en inspirer » en 24 heures : c'est le "
            "maximum. Vous pourrez en envoyer une nouvelle à partir du %(when)s.",
            limit,
        )
        % {"count": limit, "when": _when(freed_at + WINDOW)},
        code="rate_limited",
    )


def _already_pending() -> ValidationError:
    return ValidationError(
        _(
            "Vous avez déjà une demande en attente pour ce projet : l'équipe vous répondra. "
            "Retrouvez-la dans « Mes inspirations »."
        ),
        code="already_pending",
    )


def _paused_error() -> ValidationError:
    return ValidationError(
        _(
            "L'équipe de ce projet ne reçoit pas de demandes « S'en inspirer » pour le moment. "
            "Revenez plus tard, ou consultez sa fiche d'essaimage."
        ),
        code="paused",
    )


def inspiration_request_create(
    *, project: ProjectPage, requester, territory: Territory, organisation: str, message: str
) -> InspirationRequest:
    """``requester`` asks ``project``'s team; every member of the team is notified
    (and e-mailed at once by default) after the commit."""
    if not is_signed_in(requester):
        raise InspirationPermissionDenied(_("Connectez-vous pour vous inspirer de ce projet."))
    project = _project_taking_requests(project, requester)
    if is_team_member(project, requester):
        raise InspirationPermissionDenied(
            _("Vous faites partie de l'équipe de ce projet : la demande est faite pour les autres.")
        )
    organisation, message = _clean_request(
        territory=territory, organisation=organisation, message=message
    )
    with transaction.atomic():
        # One request at a time per person: the count and the « one pending » check
        # below read a state nobody changes before the insert.
        get_user_model().objects.select_for_update().filter(pk=requester.pk).first()
        if _paused(project):
            raise _paused_error()
        team = project_team(project=project)
        if not team:
            raise ValidationError(
                _(
                    "Ce projet n'a pas encore d'équipe sur le Carrefour : personne ne pourrait "
                    "vous répondre."
                ),
                code="no_team",
            )
        pending = InspirationRequest.objects.filter(
            project=project, requester=requester, status=InspirationStatus.PENDING
        )
        if pending.exists():
            raise _already_pending()
        now = timezone.now()
        _refuse_flood(requester, now)
        try:
            with transaction.atomic():
                inspiration = InspirationRequest.objects.create(
                    project=project,
                    requester=requester,
                    territory=territory,
                    organisation=organisation,
                    message=message,
                    created_at=now,
                )
        except IntegrityError:  # the constraint: a second tab won the race
            raise _already_pending() from None
        notify.inspiration_requested(inspiration=inspiration, team=team)
    return inspiration


def _locked(inspiration: InspirationRequest) -> InspirationRequest:
    """Re-read the request with its row locked until the transaction ends (a request
    deleted meanwhile, with its requester's account, is a French error)."""
    locked = (
        InspirationRequest.objects.select_for_update(of=("self",))
        # Not ``decided_by``: joined rows are read from the snapshot taken before the
        # lock was granted (PostgreSQL), the winner's name would be missing.
        .select_related("project", "requester")
        .filter(pk=inspiration.pk)
        .first()
    )
    if locked is None:
        raise ValidationError(_("Cette demande n'existe plus."), code="gone")
    return locked


def _require_team(project: ProjectPage, actor) -> None:
    if not is_signed_in(actor) or not is_team_member(project, actor):
        raise InspirationPermissionDenied(
            _("Seule l'équipe du projet peut répondre à cette demande.")
        )


def _require_pending(inspiration: InspirationRequest) -> None:
    """A request already answered (by another team member a moment ago) or withdrawn
    is said so, with who and when."""
    if inspiration.status == InspirationStatus.PENDING:
        return
    accepted = inspiration.status == InspirationStatus.ACCEPTED
    if inspiration.status == InspirationStatus.WITHDRAWN:
        text = _("Cette demande a été retirée par la personne qui l'avait envoyée.")
    elif inspiration.decided_by is None:
        text = (
            _("Cette demande a déjà été acceptée.")
            if accepted
            else _("Cette demande a déjà été déclinée.")
        )
    else:
        values = {"person": inspiration.decided_by, "when": _when(inspiration.decided_at)}
        text = (
            _("Cette demande a déjà reçu une réponse : %(person)s l'a acceptée le %(when)s.")
            if accepted
            else _("Cette demande a déjà reçu une réponse : %(person)s l'a déclinée le %(when)s.")
        ) % values
    raise ValidationError(text, code="already_decided")


def inspiration_accept(
    *, inspiration: InspirationRequest, actor, message: str = ""
) -> InspirationRequest:
    """A team member accepts: the direct conversation between them and the requester
    opens (the accepted request is their consent: ``direct_message_refusal``) with
    ``message`` as its first message, and the requester is told."""
    message = _clean_response(message, required=False)
    with transaction.atomic():
        locked = _locked(inspiration)
        _require_team(locked.project, actor)
        _require_pending(locked)
        locked.status = InspirationStatus.ACCEPTED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.response = message
        locked.save(update_fields=["status", "decided_at", "decided_by", "response"])
        channel = direct_channel_open(user=actor, other=locked.requester)
        if message:
            message_send(channel=channel, author=actor, body=message)
        locked.channel = channel
        locked.save(update_fields=["channel"])
        notify.inspiration_answered(inspiration=locked, actor=actor)
    return locked


def inspiration_decline(
    *, inspiration: InspirationRequest, actor, message: str
) -> InspirationRequest:
    """A team member declines, saying why (``message`` is required): the requester is
    told."""
    message = _clean_response(message, required=True)
    with transaction.atomic():
        locked = _locked(inspiration)
        _require_team(locked.project, actor)
        _require_pending(locked)
        locked.status = InspirationStatus.DECLINED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.response = message
        locked.save(update_fields=["status", "decided_at", "decided_by", "response"])
        notify.inspiration_answered(inspiration=locked, actor=actor)
    return locked


def inspiration_withdraw(*, inspiration: InspirationRequest, actor) -> InspirationRequest:
    """The requester takes back a request still pending; the team's notifications of
    it are taken back after the commit."""
    with transaction.atomic():
        locked = _locked(inspiration)
        if not is_signed_in(actor) or locked.requester_id != actor.pk:
            raise InspirationPermissionDenied(
                _("Seule la personne qui a envoyé cette demande peut la retirer.")
            )
        _require_pending(locked)
        locked.status = InspirationStatus.WITHDRAWN
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        notify.inspiration_withdrawn(inspiration=locked)
    return locked


def inspiration_requests_pause(*, project: ProjectPage, actor, paused: bool) -> ReplicationSheet:
    """The team (or a curator: editors and moderators, who edit every project)
    pauses or resumes requests: the project page then says so instead of the
    button, and new requests are refused. Requests already sent stay to be answered.
    The pause belongs to the replication sheet: its own service writes it (created
    if the project has none), one mechanism whichever screen asks."""
    if not is_signed_in(actor) or not project_permissions(project=project, user=actor).edit:
        raise InspirationPermissionDenied(
            _("Seule l'équipe du projet peut mettre ses demandes en pause.")
        )
    return replication_requests_pause(project=project, actor=actor, paused=paused)
