from django.urls import path

from .views import my_projects, opendata, public, replication, team

app_name = "innovations"

urlpatterns = [
    path("donnees/projets.csv", opendata.export_csv, name="export_csv"),
    path("donnees/projets.json", opendata.export_json, name="export_json"),
    path("donnees/projets.geojson", opendata.export_geojson, name="export_geojson"),
    path("mon-espace/projets/", my_projects.my_projects, name="my_projects"),
    path("mon-espace/projets/proposer/", my_projects.project_create, name="project_create"),
    path(
        "mon-espace/projets/<id:project_id>/modifier/",
        my_projects.project_edit,
        name="project_edit",
    ),
    path(
        "mon-espace/projets/<id:project_id>/envoyer/",
        my_projects.project_submit,
        name="project_submit",
    ),
    path(
        "mon-espace/projets/<id:project_id>/historique/",
        my_projects.project_history,
        name="project_history",
    ),
    path(
        "mon-espace/projets/<id:project_id>/apercu/",
        my_projects.project_preview,
        name="project_preview",
    ),
    path("mon-espace/projets/<id:project_id>/equipe/", team.project_team, name="project_team"),
    path(
        "mon-espace/projets/<id:project_id>/equipe/<id:member_id>/retirer/",
        team.member_remove,
        name="member_remove",
    ),
    path(
        "mon-espace/projets/<id:project_id>/essaimage/",
        replication.replication_edit,
        name="replication_edit",
    ),
    path(
        "mon-espace/projets/<id:project_id>/essaimage/ressources/",
        replication.resource_add,
        name="replication_resource_add",
    ),
    path(
        "mon-espace/projets/<id:project_id>/essaimage/ressources/<id:resource_id>/retirer/",
        replication.resource_remove,
        name="replication_resource_remove",
    ),
    path(
        "mon-espace/projets/<id:project_id>/essaimage/inspire-de/",
        replication.lineage_add,
        name="lineage_add",
    ),
    path(
        "mon-espace/filiations/<id:link_id>/retirer/",
        replication.lineage_remove,
        name="lineage_remove",
    ),
    path("invitations/<str:token>/", team.invitation_accept, name="invitation_accept"),
    path(
        "projets-actions/<id:project_id>/revendiquer/", public.project_claim, name="project_claim"
    ),
    path(
        "projets-actions/<id:project_id>/contact/", public.project_contact, name="project_contact"
    ),
]
