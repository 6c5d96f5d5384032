from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WxrConfig(AppConfig):
    name = "kiji.wxr"
    verbose_name = _("WordPress import")
