from django.urls import path

from assessments import views

urlpatterns = [
    path("", views.assessment_list, name="assessment-list"),
    path("new/", views.assessment_create, name="assessment-create"),
    path("<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("<int:pk>/edit/", views.assessment_edit, name="assessment-edit"),
    path("<int:pk>/step/", views.assessment_step, name="assessment-step"),
    path("<int:pk>/gaps/", views.assessment_gaps, name="assessment-gaps"),
    path("<int:pk>/compare/", views.assessment_compare, name="assessment-compare"),
    path("<int:pk>/print/", views.assessment_print, name="assessment-print"),
    path("<int:pk>/export/", views.assessment_export, name="assessment-export"),
    path("<int:pk>/statement/", views.assessment_statement, name="assessment-statement"),
    path("<int:pk>/documents/", views.assessment_documents, name="assessment-documents"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/delete/", views.document_delete, name="document-delete"),
    path("evidence-links/<int:pk>/remove/", views.evidence_remove, name="evidence-remove"),
    path("responses/<int:pk>/", views.response_detail, name="response-detail"),
    path("responses/<int:pk>/edit/", views.response_edit, name="response-edit"),
    path("responses/<int:pk>/moderate/", views.response_moderate, name="response-moderate"),
    path("responses/<int:pk>/evidence/", views.response_evidence, name="response-evidence"),
    path("responses/<int:pk>/action/", views.response_action, name="response-action"),
    path("frameworks/", views.framework_list, name="framework-list"),
    path("frameworks/new/", views.framework_create, name="framework-create"),
    path("frameworks/load/", views.framework_load, name="framework-load"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework-detail"),
    path("frameworks/<int:pk>/nodes/new/", views.node_create, name="node-create"),
    path("nodes/<int:pk>/", views.node_detail, name="node-detail"),
    path("nodes/<int:pk>/edit/", views.node_edit, name="node-edit"),
]
