from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kiji.api"
    verbose_name = "Read API"
