from django.urls import path

from . import views

app_name = "rosters"
urlpatterns = [
    path("", views.post_list, name="post_list"),
    path("new/", views.post_create, name="post_create"),
    path("mine/", views.my_shifts, name="my_shifts"),
    path("<int:pk>/", views.post_detail, name="post_detail"),
    path("<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("<int:pk>/close/", views.post_close, name="post_close"),
    path("<int:pk>/shifts/new/", views.shift_create, name="shift_create"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift_detail"),
    path("shifts/<int:pk>/edit/", views.shift_edit, name="shift_edit"),
    path("shifts/<int:pk>/cancel/", views.shift_cancel, name="shift_cancel"),
    path("shifts/<int:pk>/members/", views.member_add, name="member_add"),
    path(
        "shifts/<int:pk>/members/<int:staff_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("shifts/<int:pk>/handovers/", views.handover_add, name="handover_add"),
]
