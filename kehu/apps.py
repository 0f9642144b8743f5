from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KehuConfig(AppConfig):
    name = "kehu"
    verbose_name = _("Retailers")
