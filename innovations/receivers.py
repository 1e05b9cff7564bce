"""Signal receivers: thin adapters from Wagtail's workflow signals to our services.

Wagtail e-mails the submitter on approval or rejection with links into its admin,
which innovators cannot open. For projects we send our own French e-mail (with
links to the public site) instead; other pages keep Wagtail's notification.
"""

from __future__ import annotations

from wagtail.admin import signal_handlers as wagtail_handlers
from wagtail.models import WorkflowState
from wagtail.signals import workflow_approved, workflow_rejected

from .models import ProjectPage
from .services.notifications import notify_decision


def _project(workflow_state) -> ProjectPage | None:
    content = workflow_state.content_object
    specific = getattr(content, "specific", content)
    return specific if isinstance(specific, ProjectPage) else None


def on_workflow_approved(sender, instance, user=None, **kwargs):
    project = _project(instance)
    if project is None:
        return wagtail_handlers.workflow_approval_email_notifier(
            instance=instance, user=user, **kwargs
        )
    project.refresh_from_db()
    notify_decision(project=project, approved=True)
    return None


def on_workflow_rejected(sender, instance, user=None, **kwargs):
    project = _project(instance)
    if project is None:
        return wagtail_handlers.workflow_rejection_email_notifier(
            instance=instance, user=user, **kwargs
        )
    comment = instance.current_task_state.comment if instance.current_task_state else ""
    notify_decision(project=project, approved=False, comment=comment or "")
    return None


def connect() -> None:
    """Take over Wagtail's approval and rejection e-mails.

    Registered under Wagtail's own dispatch_uids: our app's ready() runs before
    wagtail.admin's (INSTALLED_APPS order), and Django ignores a second receiver
    with the same dispatch_uid, so Wagtail's notifiers are never connected; ours
    forward non-project pages to them. tests/innovations/test_moderation.py checks
    that owners get our e-mail only.
    """
    workflow_approved.connect(
        on_workflow_approved,
        sender=WorkflowState,
        dispatch_uid="workflow_state_approved_email_notification",
    )
    workflow_rejected.connect(
        on_workflow_rejected,
        sender=WorkflowState,
        dispatch_uid="workflow_state_rejected_email_notification",
    )
