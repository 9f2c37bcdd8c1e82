"""12345 热线 pages, mounted at /hotline/ (config/urls.py, docs/hotline.md)."""

from django.urls import path

from zhengwu.hotline import views

app_name = "hotline"
urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("orders/", views.orders, name="orders"),
    path("orders/<str:number>/", views.order, name="order"),
    path("orders/<str:number>/attach/", views.attach, name="attach"),
    path("orders/<str:number>/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("new/", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("rules/", views.rules, name="rules"),
    path("published/", views.published, name="published"),
]
