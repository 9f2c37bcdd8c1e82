"""中介超市 pages, mounted at /market/."""

app_name = "market"
urlpatterns: list = []
