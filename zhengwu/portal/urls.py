from django.urls import path

from zhengwu.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("elder/", views.elder_mode, name="elder"),
    path("my/", views.my_space, name="my_space"),
    path("my/switch/", views.my_space_switch, name="my_space_switch"),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/accesses/", views.my_accesses, name="my_accesses"),
]
