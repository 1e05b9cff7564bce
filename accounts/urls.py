from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("mon-espace/", views.dashboard, name="dashboard"),
    path("mon-espace/profil/", views.profile_edit, name="profile_edit"),
    path("mon-espace/mes-donnees.json", views.data_export, name="data_export"),
    path("mon-espace/supprimer-mon-compte/", views.account_delete, name="account_delete"),
    path("membres/<id:user_id>/", views.profile_detail, name="profile"),
]
