from django.urls import path

from scorecards.views import public

urlpatterns = [
    path("", public.public_index, name="public-index"),
    path("open-data.schema.json", public.public_data_schema, name="public-data-schema"),
    path("logo", public.public_logo, name="public-logo"),
    path("<slug:slug>/", public.public_scorecard, name="public-scorecard"),
    path("<slug:slug>/signposts/", public.public_signposts, name="public-signposts"),
    path("<slug:slug>/data.<str:fmt>", public.public_data, name="public-data"),
]
