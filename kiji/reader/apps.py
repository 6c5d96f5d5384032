from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "kiji.reader"
    verbose_name = "読者サイト"

    def ready(self):
        from kiji.reader import (
            menu,  # noqa: F401  (connects the menu cache invalidation)
            purges,  # noqa: F401  (purges cached pages when the newsroom's content changes)
        )
