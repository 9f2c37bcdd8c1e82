from django.urls import path

from zhengwu.cases import views

app_name = "cases"
urlpatterns = [
    path("<str:number>/", views.case_detail, name="detail"),
]
