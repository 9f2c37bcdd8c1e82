from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "zhengwu.regions"
    label = "regions"
    verbose_name = "行政区划"
