from .views import board, checkpoints, logging, paper, selffill

app_name = "checkpoints"
urlpatterns = [
    *checkpoints.urlpatterns,
    *logging.urlpatterns,
    *paper.urlpatterns,
    *selffill.urlpatterns,
    *board.urlpatterns,
]
