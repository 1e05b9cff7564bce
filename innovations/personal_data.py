"""What the innovations app exports about a user, and how it anonymises on deletion."""

from __future__ import annotations

from django.db.models import Q

from .models import ProjectClaim, ProjectMember, ProjectPage


def export_projects(user) -> dict:
    owned = ProjectPage.objects.filter(owner=user).order_by("pk")
    member_of = ProjectMember.objects.filter(user=user).select_related("project")
    return {
        "porteur": [
            {"id": p.pk, "title": p.title, "live": p.live, "url": p.url or None} for p in owned
        ],
        "co_editeur": [
            {"id": m.project_id, "title": m.project.title, "since": m.added_at.isoformat()}
            for m in member_of
        ],
        "revendications": [
            {
                "project": c.project.title,
                "message": c.message,
                "status": c.status,
                "created_at": c.created_at.isoformat(),
            }
            for c in ProjectClaim.objects.filter(user=user).select_related("project")
        ],
    }


def anonymise_projects(user) -> None:
    """Projects stay online: ownership passes to the earliest co-editor, else the
    project becomes « sans porteur » and can be claimed."""
    for project in ProjectPage.objects.filter(owner=user):
        successor = (
            ProjectMember.objects.filter(project=project)
            .exclude(user=user)
            .filter(Q(user__is_active=True))
            .order_by("added_at")
            .first()
        )
        project.owner = successor.user if successor else None
        project.save(update_fields=["owner"])
        if successor:
            successor.delete()
