from django.urls import path

from scrutiny import views

urlpatterns = [
    path("", views.referral_mine, name="referral-mine"),
    path("raise/<str:kind>/<int:pk>/", views.referral_raise, name="referral-raise"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral-detail"),
    path("referrals/<int:pk>/accept/", views.referral_accept, name="referral-accept"),
    path("referrals/<int:pk>/merge/", views.referral_merge, name="referral-merge"),
    path("referrals/<int:pk>/decline/", views.referral_decline, name="referral-decline"),
    path("referrals/<int:pk>/answer/", views.referral_answer, name="referral-answer"),
    path("referrals/<int:pk>/outcome/", views.referral_outcome, name="referral-outcome"),
    path("attachments/<int:pk>/", views.referral_attachment, name="referral-attachment"),
    path("programme/", views.work_programme, name="work-programme"),
    path("meetings/", views.meeting_list, name="board-meeting-list"),
    path("meetings/new/", views.meeting_create, name="board-meeting-create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="board-meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="board-meeting-edit"),
    path("clinics/", views.clinic_list, name="clinic-list"),
    path("clinics/new/", views.clinic_create, name="clinic-create"),
    path("clinics/<int:pk>/", views.clinic_detail, name="clinic-detail"),
    path("clinics/<int:pk>/edit/", views.clinic_edit, name="clinic-edit"),
    path("clinics/<int:pk>/actions/new/", views.clinic_action_create, name="clinic-action-create"),
]
