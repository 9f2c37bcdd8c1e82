from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "zhengwu.licences"
    label = "licences"
    verbose_name = "电子证照"
