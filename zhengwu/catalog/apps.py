from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "zhengwu.catalog"
    label = "catalog"
    verbose_name = "事项库"

    def ready(self) -> None:
        from zhengwu.catalog import search_log
        from zhengwu.core import sweeps

        # The search-term day counts kept for tuning synonyms expire (search_log.KEPT_DAYS).
        sweeps.register("catalog.search_terms", search_log.sweep)
