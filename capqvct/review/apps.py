from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "capqvct.review"
    verbose_name = "Instruction et sélection"
