"""Joint review pages, mounted at /staff/joint-reviews/ (config/urls.py)."""

from django.urls import path

from zhengwu.jointreviews import views

app_name = "jointreviews"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("new/", views.review_schedule, name="schedule"),
    path("absences/", views.absences, name="absences"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/result/", views.review_result, name="result"),
    path("<int:pk>/departments/<int:department_id>/attend/", views.review_attend,
         name="attend"),
    path("<int:pk>/departments/<int:department_id>/answer/", views.review_answer,
         name="answer"),
    path("<int:pk>/close/", views.review_close, name="close"),
    path("<int:pk>/cancel/", views.review_cancel, name="cancel"),
]
