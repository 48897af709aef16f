from django.urls import path  # noqa: F401

app_name = "review"

urlpatterns = [
    # Opening the review, reviewers, conflicts, scoring, eligibility, private notes
    # Consolidation: the ranking table and its exports
    # Decisions, commission, letters and notifications
]
