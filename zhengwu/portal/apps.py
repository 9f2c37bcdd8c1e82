from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zhengwu.portal"
    label = "portal"
    verbose_name = "门户"

    def ready(self) -> None:
        from zhengwu.portal import my_space

        my_space.register()
