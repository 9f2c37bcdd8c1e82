"""可验证抽取 pages (/draws/…)."""

from django.urls import path

from zhengwu.draws import views

app_name = "draws"
urlpatterns = [
    path("<str:number>/", views.page, name="page"),
]
