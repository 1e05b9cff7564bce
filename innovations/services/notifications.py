"""E-mails about projects, in French, sent after the transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.absolute_urls import absolute_url, site_root_url

from ..models import ProjectPage


def _absolute(path: str) -> str:
    # Sent after the commit, outside any request: the default site's address (or
    # SITE_URL when declared), core/absolute_urls.py.
    return absolute_url(path)


def _team_emails(project: ProjectPage) -> list[str]:
    User = get_user_model()
    ids = [project.owner_id, *project.members.values_list("user_id", flat=True)]
    return sorted(
        set(
            User.objects.filter(pk__in=[i for i in ids if i], is_active=True).values_list(
                "email", flat=True
            )
        )
    )


def send_on_commit(*, template: str, recipients: list[str], context: dict) -> None:
    """Render ``innovations/emails/<template>_subject.txt`` and ``_body.txt`` in French
    and send them once the current transaction has committed."""
    if not recipients:
        return
    context = {**context, "site_url": site_root_url(), "site_name": settings.WAGTAIL_SITE_NAME}

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string(f"innovations/emails/{template}_subject.txt", context)
            body = render_to_string(f"innovations/emails/{template}_body.txt", context)
        send_mail(
            " ".join(subject.split()),
            body,
            settings.DEFAULT_FROM_EMAIL,
            recipients,
            fail_silently=False,
        )

    transaction.on_commit(send)


def notify_decision(*, project: ProjectPage, approved: bool, comment: str = "") -> None:
    send_on_commit(
        template="project_approved" if approved else "project_needs_changes",
        recipients=_team_emails(project),
        context={
            "project": project,
            "comment": comment,
            "project_url": _absolute(project.url or "") if approved else "",
            "my_projects_url": _absolute(reverse("innovations:my_projects")),
        },
    )


def notify_invitation(*, invitation) -> None:
    send_on_commit(
        template="team_invitation",
        recipients=[invitation.email],
        context={
            "invitation": invitation,
            "accept_url": _absolute(
                reverse("innovations:invitation_accept", kwargs={"token": invitation.token})
            ),
        },
    )


def notify_claim_created(*, claim) -> None:
    User = get_user_model()
    editors = list(
        User.objects.filter(groups__name="Éditeurs", is_active=True)
        .values_list("email", flat=True)
        .distinct()
    )
    send_on_commit(
        template="claim_created",
        recipients=editors,
        context={"claim": claim, "admin_url": _absolute(reverse("innovations_claims:index"))},
    )


def notify_claim_decided(*, claim) -> None:
    if claim.user is None:
        return
    send_on_commit(
        template="claim_decided",
        recipients=[claim.user.email],
        context={
            "claim": claim,
            "my_projects_url": _absolute(reverse("innovations:my_projects")),
        },
    )
