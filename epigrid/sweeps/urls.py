from django.urls import path

from . import views

app_name = "sweeps"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_start, name="start"),
    path("today/", views.today, name="today"),
    path("lookup/", views.person_lookup, name="lookup"),
    path("person-row/", views.person_row, name="person_row"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/visit/", views.visit_create, name="visit_create"),
    path("units/<int:pk>/assign/", views.unit_assign, name="unit_assign"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/units/", views.unit_list, name="unit_list"),
    path("<int:pk>/assign/", views.campaign_assign, name="assign"),
    path("<int:pk>/close/", views.campaign_close, name="close"),
]
