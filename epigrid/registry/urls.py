from django.urls import path

from .views import arrivals, duplicates, exports, housing, persons

app_name = "registry"
urlpatterns = [
    path("", persons.person_list, name="index"),
    path("persons/", persons.person_list, name="person_list"),
    path("persons/new/", persons.person_create, name="person_create"),
    path("persons/export/", exports.person_export, name="person_export"),
    path("persons/<int:pk>/", persons.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", persons.person_edit, name="person_edit"),
    path("persons/<int:pk>/move-in/", persons.person_move_in, name="person_move_in"),
    path("persons/<int:pk>/arrivals/new/", persons.arrival_create, name="arrival_create"),
    path("persons/<int:pk>/categories/", persons.category_assign, name="category_assign"),
    path("category-assignments/<int:pk>/end/", persons.category_end, name="category_end"),
    path("residencies/", housing.residency_list, name="residency_list"),
    path("residencies/export/", exports.residency_export, name="residency_export"),
    path("residencies/<int:pk>/end/", persons.residency_end, name="residency_end"),
    path("buildings/", housing.building_list, name="building_list"),
    path("buildings/new/", housing.building_create, name="building_create"),
    path("buildings/<int:pk>/", housing.building_detail, name="building_detail"),
    path("buildings/<int:pk>/units/new/", housing.unit_create, name="unit_create"),
    path("units/", housing.unit_list, name="unit_list"),
    path("units/export/", exports.unit_export, name="unit_export"),
    path("units/<int:pk>/edit/", housing.unit_edit, name="unit_edit"),
    path("arrivals/", arrivals.arrival_list, name="arrival_list"),
    path("arrivals/export/", exports.arrival_export, name="arrival_export"),
    path("risk-areas/", arrivals.risk_area_list, name="risk_area_list"),
    path("risk-areas/new/", arrivals.risk_area_create, name="risk_area_create"),
    path("risk-areas/<int:pk>/end/", arrivals.risk_area_end, name="risk_area_end"),
    path("categories/", arrivals.category_list, name="category_list"),
    path("duplicates/", duplicates.duplicate_list, name="duplicate_list"),
    path("duplicates/merge/", duplicates.duplicate_merge, name="duplicate_merge"),
    path("duplicates/dismiss/", duplicates.duplicate_dismiss_view, name="duplicate_dismiss"),
]
