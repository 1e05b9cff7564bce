from django.urls import path, register_converter

from . import views


class TerritoryCode:
    regex = r"[0-9]{2,3}|2[AB]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class TerritoryLevel:
    regex = "region|departement"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TerritoryCode, "insee")
register_converter(TerritoryLevel, "level")

app_name = "curation"

urlpatterns = [
    path("partenaires/", views.partner_index, name="partners"),
    path("partenaires/<slug:slug>/", views.partner_detail, name="partner"),
    path("themes/<slug:slug>/", views.theme_page, name="theme"),
    path("themes/<slug:slug>/manques.csv", views.theme_gaps_csv, name="theme_gaps_csv"),
    path("territoires/<level:level>/<insee:code>/", views.territory_page, name="territory"),
    path(
        "territoires/<level:level>/<insee:code>/manques.csv",
        views.territory_gaps_csv,
        name="territory_gaps_csv",
    ),
    path(
        "territoires/<level:level>/<insee:code>/portrait.pdf",
        views.territory_portrait,
        name="territory_portrait",
    ),
    path("statistiques/", views.statistics_page, name="statistics"),
    path("statistiques/<slug:slug>.csv", views.statistics_csv, name="statistics_csv"),
]
