from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.geojson", views.export_geojson, name="export_geojson"),
    path("flux.atom", views.SearchFeed(), name="feed_atom"),
    path("flux.rss", views.SearchRssFeed(), name="feed_rss"),
    path("suggestions", views.suggestions, name="suggestions"),
    path("clic", views.click, name="click"),
    path("enregistrer/", views.saved_search_new, name="saved_search_new"),
    path("mes-recherches/", views.saved_searches, name="saved_searches"),
    path("mes-recherches/<int:pk>/", views.saved_search_edit, name="saved_search_edit"),
    path(
        "mes-recherches/<int:pk>/supprimer/",
        views.saved_search_remove,
        name="saved_search_remove",
    ),
    path(
        "alertes/desabonnement/<str:token>/",
        views.alert_unsubscribe,
        name="alert_unsubscribe",
    ),
]
