"""透明日志's public page (/ledger/)."""

from django.urls import path

from zhengwu.ledger import views

app_name = "ledger"
urlpatterns = [path("", views.page, name="page")]
