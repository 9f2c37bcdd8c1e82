"""中介超市 pages, mounted at /market/ (config/urls.py, docs/market.md)."""

from django.urls import path

from zhengwu.market import views

app_name = "market"
urlpatterns = [
    path("", views.home, name="home"),
    path("credit-rules/", views.credit_rules, name="credit_rules"),
    path("agencies/<str:uscc>/", views.agency_page, name="agency"),
    path("my-agency/", views.my_agency, name="my_agency"),
    path("review/", views.review, name="review"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<str:number>/", views.project, name="project"),
    path("projects/<str:number>/score/", views.score, name="score"),
    path("panels/", views.panels, name="panels"),
    path("experts/", views.expert_pool, name="experts"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/<str:number>/", views.complaint, name="complaint"),
]
