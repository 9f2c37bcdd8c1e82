"""帮代办 and 创业管家 pages, mounted at /assistance/ (config/urls.py)."""

from django.urls import path

from zhengwu.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("projects/<int:pk>/close/", views.project_close, name="project_close"),
    path("butlers/<int:pk>/", views.butler, name="butler"),
    path("butlers/<int:pk>/end/", views.butler_end, name="butler_end"),
    path("my/projects/", views.mine, name="mine"),
    path("my/butler/", views.my_butler, name="my_butler"),
]
