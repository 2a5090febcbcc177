from django.urls import path

from . import views

app_name = "workforce"
urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/login/", views.staff_login_create, name="staff_login_create"),
    path("staff/<int:pk>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:pk>/members/", views.team_member_add, name="team_member_add"),
    path(
        "teams/<int:pk>/members/<int:staff_id>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
    path("teams/<int:pk>/dissolve/", views.team_dissolve, name="team_dissolve"),
    path("responsibility/<str:code>/", views.responsibility_assign, name="responsibility_assign"),
]
