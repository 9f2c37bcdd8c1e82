"""好差评 pages."""

from django.urls import path

from zhengwu.evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("", views.public, name="public"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("rate/<str:kind>/<str:key>/", views.rate, name="rate"),
    path("r/<str:token>/", views.rate_by_token, name="token"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/indicators/", views.staff_indicators, name="indicators"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
]
