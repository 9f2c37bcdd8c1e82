from django.apps import AppConfig


class PacksConfig(AppConfig):
    name = "zhengwu.packs"
    label = "packs"
    verbose_name = "数据包"
