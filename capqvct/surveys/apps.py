from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "capqvct.surveys"
    verbose_name = "Enquêtes anonymes auprès des salariés"
