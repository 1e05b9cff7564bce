from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site et pages éditoriales")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import core.converters  # noqa: F401 — registers <id:…> before any URLconf loads
        from search.registry import register_adapter

        from .search_documents import EditorialPageAdapter

        register_adapter(EditorialPageAdapter())

        # What anonymous pages show changes with the page tree and the site's
        # settings: the page cache's generation moves (core/page_cache.py).
        from django.db.models.signals import post_delete
        from wagtail.models import Page, PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from core import page_cache

        from .models import SiteShellSettings

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(page_cache._on_change, dispatch_uid=f"page-cache-{signal!r}")
        page_cache.invalidate_on_change(PageViewRestriction, Site, SiteShellSettings)
        post_delete.connect(page_cache._on_change, sender=Page, dispatch_uid="page-cache-page")
