from .views import board, checkpoints, checks, logging, paper, selffill

app_name = "checkpoints"
urlpatterns = [
    *checkpoints.urlpatterns,
    *checks.urlpatterns,
    *logging.urlpatterns,
    *paper.urlpatterns,
    *selffill.urlpatterns,
    *board.urlpatterns,
]
