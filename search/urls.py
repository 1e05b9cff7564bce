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
]
