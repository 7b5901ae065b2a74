from django.urls import path

from cycle import views

urlpatterns = [
    path("calendar/", views.calendar_page, name="cycle-calendar"),
    path("calendar/<int:unit_pk>/edit/", views.calendar_edit, name="cycle-calendar-edit"),
    path("notifications/", views.notification_list, name="cycle-notifications"),
    path("notifications/read/", views.notifications_read, name="cycle-notifications-read"),
    path("preferences/", views.preferences, name="cycle-preferences"),
    path("behind/", views.behind, name="cycle-behind"),
    path("behind/person/<int:pk>/", views.behind_person, name="cycle-behind-person"),
    path("behind/person/<int:pk>/chase/", views.chase_person, name="cycle-chase"),
    path("correct/<int:pk>/<str:period>/", views.correct_value, name="cycle-correct"),
    path("jobs/<int:pk>/", views.job_detail, name="cycle-job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="cycle-job-progress"),
    path("failed/", views.failed, name="cycle-failed"),
]
