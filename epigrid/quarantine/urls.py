from .views import assistance, cases, documents, escalation, followups, policy, selfreport

app_name = "quarantine"
urlpatterns = [
    *cases.urlpatterns,
    *followups.urlpatterns,
    *escalation.urlpatterns,
    *assistance.urlpatterns,
    *selfreport.urlpatterns,
    *policy.urlpatterns,
    *documents.urlpatterns,
]
