from django.urls import path

from rounds.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("me/", views.my_record, name="me"),
    path("trainees/", views.trainee_list, name="trainees"),
    path("trainees/<int:pk>/", views.trainee_detail, name="trainee"),
    path("trainees/<int:pk>/edit/", views.trainee_edit, name="trainee_edit"),
    path("trainees/<int:pk>/events/", views.trainee_event_add, name="trainee_event"),
    path("programs/<int:pk>/public-page/", views.program_text_edit, name="program_text"),
    path("imports/", views.import_upload, name="import"),
    path("jobs/failed/", views.jobs_failed, name="jobs_failed"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/cancel/", views.job_cancel_view, name="job_cancel"),
    path("audit/", views.audit_log, name="audit"),
    path("rollover/", views.year_rollover, name="rollover"),
    path("manage/<slug:kind>/", views.managed_list, name="managed_list"),
    path("manage/<slug:kind>/new/", views.managed_edit, name="managed_new"),
    path("manage/<slug:kind>/<int:pk>/", views.managed_edit, name="managed_edit"),
    path("manage/<slug:kind>/<int:pk>/delete/", views.managed_delete, name="managed_delete"),
]
