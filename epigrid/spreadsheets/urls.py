from django.urls import path

from . import views

app_name = "spreadsheets"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.job_upload, name="upload"),
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/commit/", views.job_commit, name="commit"),
    path("<int:job_id>/errors.xlsx", views.job_errors, name="errors"),
]
