from django.urls import path

from reports import views

urlpatterns = [
    path("", views.report_central, name="report-central"),
    path("new/", views.definition_create, name="report-definition-create"),
    path("<int:pk>/", views.definition_detail, name="report-definition"),
    path("<int:pk>/edit/", views.definition_edit, name="report-definition-edit"),
    path("<int:pk>/run/", views.run_create, name="report-run-create"),
    path("runs/<int:pk>/", views.run_detail, name="report-run"),
    path("runs/<int:pk>/status/", views.run_status, name="report-run-status"),
    path("runs/<int:pk>/report.pdf", views.run_pdf, name="report-run-pdf"),
    path("runs/<int:pk>/report.docx", views.run_docx, name="report-run-docx"),
    path("runs/<int:pk>/web/", views.run_web, name="report-run-web"),
]
