from django.urls import path

from indicators import views

urlpatterns = [
    path("", views.indicator_list, name="indicator-list"),
    path("new/", views.indicator_create, name="indicator-create"),
    path("update/", views.monthly_update, name="indicator-monthly-update"),
    path("approvals/", views.approvals, name="indicator-approvals"),
    path("target-review/", views.target_flags, name="indicator-target-flags"),
    path("import/", views.indicator_import, name="indicator-import"),
    path("export/<str:kind>.<str:fmt>", views.indicator_export, name="indicator-export"),
    path("<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("<int:pk>/edit/", views.indicator_edit, name="indicator-edit"),
    path("<int:pk>/targets/", views.target_add, name="indicator-target-add"),
    path("<int:pk>/values/<str:period>/", views.measurement_edit, name="measurement-edit"),
    path("values/<int:pk>/approve/", views.measurement_approve, name="measurement-approve"),
    path("values/<int:pk>/reopen/", views.measurement_reopen, name="measurement-reopen"),
]
