from django.urls import path

from people import views

urlpatterns = [
    path("", views.people_home, name="people-home"),
    path("people/<int:pk>/", views.person_history, name="people-person"),
    path("meetings/new/", views.meeting_start, name="meeting-start"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/save/", views.meeting_save, name="meeting-save"),
    path("meetings/<int:pk>/actions/", views.meeting_action, name="meeting-action"),
    path("meetings/<int:pk>/complete/", views.meeting_complete, name="meeting-complete"),
    path("appraisals/new/", views.appraisal_start, name="appraisal-start"),
    path("appraisals/<int:pk>/", views.appraisal_detail, name="appraisal-detail"),
    path("appraisals/<int:pk>/save/", views.appraisal_save, name="appraisal-save"),
    path("appraisals/<int:pk>/objectives/", views.appraisal_objective, name="appraisal-objective"),
    path("appraisals/<int:pk>/needs/", views.appraisal_need, name="appraisal-need"),
    path("appraisals/<int:pk>/sign/", views.appraisal_sign, name="appraisal-sign"),
]
