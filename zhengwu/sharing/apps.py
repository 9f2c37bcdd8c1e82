from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "zhengwu.sharing"
    label = "sharing"
    verbose_name = "数据共享"

    def ready(self) -> None:
        # 我的空间 shows the person the latest uses of their licences and data.
        from zhengwu.core import sweeps
        from zhengwu.sharing.my_space import register
        from zhengwu.sharing.uselog import uselog_anchor

        register()
        # The use log's head goes into the signed audit trail (sharing.uselog).
        sweeps.register("sharing.anchor", uselog_anchor, stage=sweeps.Stage.DELIVER)
