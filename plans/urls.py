from django.urls import path

from plans import views

urlpatterns = [
    path("", views.plan_tree, name="plan-tree"),
    path("tree/<int:pk>/children/", views.plan_tree_children, name="plan-tree-children"),
    path("export/", views.plan_export, name="plan-export"),
    path("import/", views.plan_import, name="plan-import"),
    path("settings/", views.plan_settings, name="plan-settings"),
    path("new/", views.planitem_create, name="planitem-create"),
    path("<int:pk>/", views.planitem_detail, name="planitem-detail"),
    path("<int:pk>/edit/", views.planitem_edit, name="planitem-edit"),
    path("<int:pk>/move/", views.planitem_move, name="planitem-move"),
    path("<int:pk>/archive/", views.planitem_archive, name="planitem-archive"),
    path("<int:pk>/progress/", views.progress_create, name="progress-create"),
    path("<int:pk>/milestones/new/", views.milestone_create, name="milestone-create"),
    path("<int:pk>/milestones/bulk/", views.milestone_bulk, name="milestone-bulk"),
    path("milestones/<int:pk>/promote/", views.milestone_promote, name="milestone-promote"),
]
