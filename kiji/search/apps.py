from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "kiji.search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kiji.search import receivers  # noqa: F401  (connects the newsroom signals)
