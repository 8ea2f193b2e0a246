from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from rounds.api import pages, training, views
from rounds.api.docs import SwaggerDocs

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerDocs.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke_view, name="token_revoke"),
    path("programs/", views.ProgramList.as_view(), name="programs"),
    path("sites/", views.SiteList.as_view(), name="sites"),
    path("people/", views.PersonList.as_view(), name="people"),
    path("trainees/", views.TraineeList.as_view(), name="trainees"),
    path("trainees/<int:pk>/", views.TraineeDetail.as_view(), name="trainee"),
    path("rotation-schedules/", views.RotationScheduleList.as_view(), name="rotation_schedules"),
    path("call-schedules/", views.CallScheduleList.as_view(), name="call_schedules"),
    path("on-call/", views.OnCall.as_view(), name="on_call"),
    path("work-hours/", views.WorkHourEntries.as_view(), name="work_hours"),
    path("trainee-imports/", views.TraineeImport.as_view(), name="trainee_imports"),
    path("teaching-assignments/", views.TeachingAssignments.as_view(), name="teaching"),
    path("evaluation-requests/", views.EvaluationRequests.as_view(), name="evaluation_requests"),
    path("conference-series/", training.ConferenceSeriesList.as_view(), name="conference_series"),
    path(
        "conference-sessions/", training.ConferenceSessionList.as_view(), name="conference_sessions"
    ),
    path(
        "conference-attendance/",
        training.ConferenceAttendance.as_view(),
        name="conference_attendance",
    ),
    path("conference-check-ins/", training.ConferenceCheckIn.as_view(), name="check_ins"),
    path(
        "moonlighting-requests/",
        training.MoonlightingRequests.as_view(),
        name="moonlighting_requests",
    ),
    path("case-logs/", training.CaseLogEntries.as_view(), name="case_logs"),
    path("case-logs/<int:pk>/", training.CaseLogEntry.as_view(), name="case_log"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not_found"),
]
