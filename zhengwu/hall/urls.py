"""Hall pages, mounted at /hall/ (config/urls.py): halls and booking (views), the staff
and hall managers' pages (staff_views), and the queue's kiosk, calling page, display and rating
pad (queue_views)."""

from django.urls import path

from zhengwu.hall import queue_views, staff_views, views

app_name = "hall"
urlpatterns = [
    path("", views.hall_list, name="list"),
    path("book/", views.book, name="book"),
    path("appointments/", views.mine, name="mine"),
    path("appointments/<str:code>/", views.appointment, name="appointment"),
    path("appointments/<str:code>/<str:action>/", views.move, name="move"),
    path("staff/", staff_views.staff_home, name="staff"),
    path("staff/<str:hall_code>/", staff_views.staff_day, name="staff_day"),
    path("staff/<str:hall_code>/check-in/", staff_views.check_in, name="check_in"),
    path("staff/<str:hall_code>/book/", staff_views.staff_book, name="staff_book"),
    path("staff/<str:hall_code>/ticket/", staff_views.phone_ticket, name="phone_ticket"),
    # The queue (取号叫号, ADR 0020).
    path("kiosk/<str:hall_code>/", queue_views.kiosk, name="kiosk"),
    path("queue/<str:hall_code>/<str:window>/", queue_views.calling, name="calling"),
    path("queue/<str:hall_code>/<str:window>/<str:action>/", queue_views.calling_action,
         name="calling_action"),
    path("display/<str:hall_code>/", queue_views.display, name="display"),
    path("display/<str:hall_code>/state.json", queue_views.display_state,
         name="display_state"),
    path("pad/<str:hall_code>/<str:window>/", queue_views.pad, name="pad"),
    path("manage/<str:hall_code>/", staff_views.manage, name="manage"),
    path("manage/<str:hall_code>/outside/", staff_views.outside, name="outside"),
    path("manage/<str:hall_code>/queue/", staff_views.queue_figures, name="queue_figures"),
    path("manage/<str:hall_code>/queue/live/", staff_views.queue_figures_live,
         name="queue_figures_live"),
    path("manage/<str:hall_code>/<str:what>/", staff_views.manage_edit, name="manage_edit"),
]
