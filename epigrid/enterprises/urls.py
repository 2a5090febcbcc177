from .views import (
    applications,
    batches,
    calendar,
    consultations,
    employees,
    enterprises,
    inspections,
    liaisons,
    portal,
    review,
    taskforces,
)

app_name = "enterprises"
urlpatterns = [
    *enterprises.urlpatterns,
    *employees.urlpatterns,
    *portal.urlpatterns,
    *applications.urlpatterns,
    *review.urlpatterns,
    *batches.urlpatterns,
    *taskforces.urlpatterns,
    *inspections.urlpatterns,
    *liaisons.urlpatterns,
    *consultations.urlpatterns,
    *calendar.urlpatterns,
]
