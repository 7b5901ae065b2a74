from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "1-2-1s and appraisals"
