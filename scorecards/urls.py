from django.urls import path

from scorecards.views import editions, public_settings, scorecards, snapshots

urlpatterns = [
    path("", scorecards.scorecard_list, name="scorecard-list"),
    path("new/", scorecards.scorecard_create, name="scorecard-create"),
    path("<int:pk>/", scorecards.scorecard_detail, name="scorecard-detail"),
    path("<int:pk>/edit/", scorecards.scorecard_edit, name="scorecard-edit"),
    path("<int:pk>/arrange/", scorecards.scorecard_arrange, name="scorecard-arrange"),
    path("<int:pk>/changes/", scorecards.scorecard_changes, name="scorecard-changes"),
    path("<int:pk>/signposts/", scorecards.scorecard_signposts, name="scorecard-signposts"),
    path("<int:pk>/chart/<int:indicator_pk>/", scorecards.scorecard_chart, name="scorecard-chart"),
    path("<int:pk>/editions/", editions.edition_list, name="edition-list"),
    path("<int:pk>/editions/issue/", editions.edition_issue, name="edition-issue"),
    path("editions/<int:pk>/", editions.edition_detail, name="edition-detail"),
    path("settings/", scorecards.scorecard_settings, name="scorecard-settings"),
    path("settings/public/", public_settings.public_settings, name="public-settings"),
    path("settings/public/surveys/new/", public_settings.tsm_survey_create, name="tsm-survey-create"),
    path("settings/public/surveys/<int:pk>/", public_settings.tsm_survey_edit, name="tsm-survey-edit"),
    path("snapshots/", snapshots.snapshot_list, name="snapshot-list"),
    path("snapshots/mine/", snapshots.snapshot_mine, name="snapshot-mine"),
    path("snapshots/new/", snapshots.snapshot_create, name="snapshot-create"),
    path("snapshots/<int:pk>/", snapshots.snapshot_detail, name="snapshot-detail"),
    path("snapshots/<int:pk>/edit/", snapshots.snapshot_edit, name="snapshot-edit"),
]
