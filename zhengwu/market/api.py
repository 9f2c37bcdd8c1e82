"""中介超市 API (/api/v1/market/…)."""

from ninja import Router

router = Router(tags=["中介超市"])
