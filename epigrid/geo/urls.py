from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("", views.jurisdiction_list, name="list"),
    path("<str:code>/", views.jurisdiction_detail, name="detail"),
    path("<str:code>/add/", views.jurisdiction_create, name="create"),
    path("<str:code>/rename/", views.jurisdiction_rename, name="rename"),
    path("<str:code>/deactivate/", views.jurisdiction_deactivate, name="deactivate"),
]
