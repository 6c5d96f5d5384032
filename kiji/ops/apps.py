from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "kiji.ops"
    verbose_name = "Operations"
