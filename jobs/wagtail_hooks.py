from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def register_jobs_urls():
    return [path("taches/", include((views.urlpatterns, "jobs_admin"), namespace="jobs_admin"))]


class JobsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("jobs.view_job")


@hooks.register("register_admin_menu_item")
def register_jobs_menu_item():
    return JobsMenuItem(
        _("Tâches de fond"), reverse("jobs_admin:index"), icon_name="cogs", order=318
    )
