from django.urls import path

from scorecards import views

urlpatterns = [
    path("", views.scorecard_list, name="scorecard-list"),
    path("new/", views.scorecard_create, name="scorecard-create"),
    path("<int:pk>/", views.scorecard_detail, name="scorecard-detail"),
    path("<int:pk>/edit/", views.scorecard_edit, name="scorecard-edit"),
    path("<int:pk>/arrange/", views.scorecard_arrange, name="scorecard-arrange"),
    path("<int:pk>/changes/", views.scorecard_changes, name="scorecard-changes"),
    path("<int:pk>/signposts/", views.scorecard_signposts, name="scorecard-signposts"),
    path("<int:pk>/chart/<int:indicator_pk>/", views.scorecard_chart, name="scorecard-chart"),
    path("<int:pk>/editions/", views.edition_list, name="edition-list"),
    path("<int:pk>/editions/issue/", views.edition_issue, name="edition-issue"),
    path("editions/<int:pk>/", views.edition_detail, name="edition-detail"),
    path("settings/", views.scorecard_settings, name="scorecard-settings"),
    path("snapshots/", views.snapshot_list, name="snapshot-list"),
    path("snapshots/mine/", views.snapshot_mine, name="snapshot-mine"),
    path("snapshots/new/", views.snapshot_create, name="snapshot-create"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot-detail"),
    path("snapshots/<int:pk>/edit/", views.snapshot_edit, name="snapshot-edit"),
]
