from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pmf import views
from pmf.auth import PasswordResetRequestView

admin.site.site_header = "Performance management administration"
admin.site.site_title = "Performance management"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", PasswordResetRequestView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("org/", views.orgunit_list, name="orgunit-list"),
    path("org/<int:pk>/", views.orgunit_detail, name="orgunit-detail"),
    path("org/<int:pk>/edit/", views.orgunit_edit, name="orgunit-edit"),
    path("people/", views.person_list, name="person-list"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/new/", views.person_invite, name="person-invite"),
    path("people/<int:pk>/set-password-link/", views.person_set_password_link, name="person-set-password-link"),
    path("history/<str:model_label>/<int:pk>/", views.history, name="history"),
    path("health/", views.health, name="health"),
    path("plans/", include("plans.urls")),
    path("indicators/", include("indicators.urls")),
    path("scorecards/", include("scorecards.urls")),
    path("public/", include("scorecards.public_urls")),
    path("risks/", include("risks.urls")),
    path("assessments/", include("assessments.urls")),
    path("reports/", include("reports.urls")),
    path("cycle/", include("cycle.urls")),
    path("team/", include("people.urls")),
    path("scrutiny/", include("scrutiny.urls")),
    path("admin/", admin.site.urls),
]
