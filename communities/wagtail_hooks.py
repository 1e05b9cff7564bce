"""Wagtail admin: editors create and edit communities (snippets); events,
announcements, memberships and the moderators' audit trail are read only here
(they change through the services, from the public pages). Proposals are approved
or refused with a button of the listing (communities/admin_views.py)."""

from __future__ import annotations

from django import forms
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    MultipleChooserPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.widgets import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CreateView,
    EditView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from . import admin_views
from .models import Announcement, AuditEntry, Community, Event, Membership, Status
from .paths import community_path
from .services import community_admin_saved


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """View only, whatever the user's other permissions (superusers included):
    writes to these models go through the services."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


for read_only in (Event, Announcement, AuditEntry, Membership):
    register_permission_policy(read_only, ReadOnlyPermissionPolicy(read_only), exact_class=True)


class CommunityCreateView(CreateView):
    def save_instance(self):
        instance = super().save_instance()  # inside the admin's transaction
        community_admin_saved(community=instance, actor=self.request.user, created=True)
        return instance


class CommunityEditView(EditView):
    def save_instance(self):
        previous = (
            Community.objects.filter(pk=self.object.pk).values_list("status", flat=True).first()
        )
        instance = super().save_instance()
        community_admin_saved(
            community=instance, actor=self.request.user, created=False, previous_status=previous
        )
        return instance


class CommunityViewSet(SnippetViewSet):
    model = Community
    icon = "group"
    menu_label = _("Communautés")
    add_view_class = CommunityCreateView
    edit_view_class = CommunityEditView
    list_display = ["name", "kind", "visibility", "join_policy", "status", "updated_at"]
    list_filter = ["kind", "visibility", "join_policy", "status"]
    search_fields = ["name", "slug", "short_description"]
    search_backend_name = None  # the database: communities are not in Wagtail's index
    ordering = ["name"]
    inspect_view_enabled = True

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldPanel("slug"),
                    FieldPanel("short_description"),
                    FieldPanel("presentation"),
                    FieldPanel("image"),
                    FieldPanel("contact_email"),
                ],
                heading=_("Présentation"),
            ),
            ObjectList(
                [
                    FieldPanel("kind"),
                    FieldPanel("theme_domains", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                    MultipleChooserPanel(
                        "territory_links",
                        chooser_field_name="territory",
                        label=_("Territoires"),
                        heading=_("Territoires"),
                    ),
                ],
                heading=_("Thèmes et territoires"),
            ),
            ObjectList(
                [
                    MultiFieldPanel(
                        [FieldRowPanel([FieldPanel("visibility"), FieldPanel("join_policy")])],
                        heading=_("Accès"),
                    ),
                    FieldPanel("charter"),
                    FieldPanel("status"),
                ],
                heading=_("Accès et charte"),
            ),
        ]
    )

    def get_queryset(self, request):
        return Community.objects.all()


class EventViewSet(SnippetViewSet):
    model = Event
    icon = "date"
    menu_label = _("Événements")
    list_display = ["title", "community", "start", "capacity", "cancelled"]
    list_filter = ["community", "cancelled"]
    search_fields = ["title", "description"]
    search_backend_name = None
    ordering = ["-start"]
    inspect_view_enabled = True


class AnnouncementViewSet(SnippetViewSet):
    model = Announcement
    icon = "openquote"
    menu_label = _("Annonces")
    list_display = ["title", "community", "author", "created_at"]
    list_filter = ["community"]
    search_fields = ["title", "body"]
    search_backend_name = None
    inspect_view_enabled = True


class MembershipViewSet(SnippetViewSet):
    model = Membership
    icon = "user"
    menu_label = _("Adhésions")
    list_display = ["user", "community", "role", "state", "joined_at"]
    list_filter = ["community", "role", "state"]
    search_fields = ["user__email", "community__name"]
    search_backend_name = None
    inspect_view_enabled = True


class AuditEntryViewSet(SnippetViewSet):
    model = AuditEntry
    icon = "history"
    menu_label = _("Journal de modération")
    list_display = ["created_at", "community", "action", "actor", "target_user", "message"]
    list_filter = ["community", "action"]
    search_fields = ["message", "community__name"]
    search_backend_name = None
    ordering = ["-created_at", "-id"]
    inspect_view_enabled = True


class CommunitiesGroup(SnippetViewSetGroup):
    menu_label = _("Communautés")
    menu_icon = "group"
    menu_order = 305
    items = (
        CommunityViewSet,
        EventViewSet,
        AnnouncementViewSet,
        MembershipViewSet,
        AuditEntryViewSet,
    )


register_snippet(CommunitiesGroup)


@hooks.register("register_admin_urls")
def register_proposal_urls():
    return [
        path(
            "communautes/",
            include((admin_views.urlpatterns, "communities_admin"), namespace="communities_admin"),
        )
    ]


@hooks.register("register_snippet_listing_buttons")
def proposal_buttons(snippet, user, next_url=None):
    if not isinstance(snippet, Community):
        return []
    buttons = [
        ListingButton(_("Voir sur le site"), community_path(snippet), icon_name="view", priority=5)
    ]
    if snippet.status == Status.PROPOSED and user.has_perm("communities.change_community"):
        buttons.append(
            ListingButton(
                _("Valider ou refuser"),
                reverse("communities_admin:decide", args=[snippet.pk]),
                icon_name="tick",
                priority=6,
            )
        )
    return buttons
