"""catalog: the service-item catalogue (事项库) — basic items, implementations, guides, versions,
lists, quality checks, KPIs and search as a service [1][2][5][10][31].
"""
