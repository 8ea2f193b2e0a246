from django.urls import path

from rounds.workhours import views

app_name = "workhours"
urlpatterns = [
    path("", views.home, name="home"),
    path("week/<str:day>/", views.week, name="week"),
    path("week/<str:day>/complete/", views.week_confirm, name="week_confirm"),
    path("week/<str:day>/as-scheduled/", views.week_as_scheduled, name="week_as_scheduled"),
    path("day/<str:day>/as-scheduled/", views.day_as_scheduled, name="as_scheduled"),
    path("entries/new/", views.entry_new, name="entry_new"),
    path("entries/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/remove/", views.entry_remove, name="entry_remove"),
    path("leave/new/", views.leave_new, name="leave_new"),
    path("leave/<int:pk>/remove/", views.leave_remove, name="leave_remove"),
    path("programs/<int:pk>/", views.program, name="program_hours"),
    path("trainees/<int:pk>/", views.trainee_log, name="trainee"),
    path("trainees/<int:pk>/remind/", views.trainee_remind, name="trainee_remind"),
    path("findings/<int:pk>/", views.finding, name="finding"),
    path("institution/", views.institution, name="institution"),
    path("institution/print/", views.institution, name="institution_print"),
    path("institution.csv", views.institution_csv, name="institution_csv"),
]
