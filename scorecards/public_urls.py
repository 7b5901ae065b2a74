from django.urls import path

from scorecards import views

urlpatterns = [
    path("", views.public_index, name="public-index"),
    path("<slug:slug>/", views.public_scorecard, name="public-scorecard"),
    path("<slug:slug>/signposts/", views.public_signposts, name="public-signposts"),
    path("<slug:slug>/data.<str:fmt>", views.public_data, name="public-data"),
]
