from django.urls import path

from . import views

app_name = "party"
urlpatterns = [
    path("", views.committee_list, name="list"),
    path("new/", views.committee_create, name="create"),
    path("<int:pk>/", views.committee_detail, name="detail"),
    path("<int:pk>/edit/", views.committee_edit, name="edit"),
    path("<int:pk>/dissolve/", views.committee_dissolve, name="dissolve"),
    path("<int:pk>/units/", views.unit_add, name="unit_add"),
    path("<int:pk>/units/<int:unit_id>/remove/", views.unit_remove, name="unit_remove"),
]
