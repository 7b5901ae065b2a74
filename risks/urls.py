from django.urls import path

from risks import views

urlpatterns = [
    path("", views.risk_register, name="risk-register"),
    path("heat-map/", views.risk_heatmap, name="risk-heatmap"),
    path("new/", views.risk_create, name="risk-create"),
    path("import/", views.risk_import, name="risk-import"),
    path("matrix/", views.risk_matrix, name="risk-matrix"),
    path("appetite/", views.risk_appetite, name="risk-appetite"),
    path("<int:pk>/", views.risk_detail, name="risk-detail"),
    path("<int:pk>/edit/", views.risk_edit, name="risk-edit"),
    path("<int:pk>/review/", views.risk_review, name="risk-review"),
    path("<int:pk>/accept/", views.risk_accept, name="risk-accept"),
    path("<int:pk>/controls/new/", views.control_create, name="risk-control-create"),
    path("<int:pk>/actions/new/", views.risk_action_create, name="risk-action-create"),
    path("controls/<int:pk>/edit/", views.control_edit, name="risk-control-edit"),
    path("controls/<int:pk>/delete/", views.control_delete, name="risk-control-delete"),
]
