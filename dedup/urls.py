from django.urls import path

from dedup import views as review

app_name = "review"

urlpatterns = [
    path("duplicates/", review.queue, name="queue"),
    path("duplicates/bulk/", review.bulk, name="bulk"),
    path("duplicates/<int:case_id>/", review.case_detail, name="case"),
    path("merges/<int:merge_id>/undo/", review.undo_merge, name="undo_merge"),
    path("duplicates/runs/", review.runs, name="runs"),
    path("duplicates/runs/<int:run_id>/progress/", review.run_progress, name="run_progress"),
]
