from django.contrib import admin
from django.urls import include, path

from rounds.people.auth import locks_view
from rounds.people.reset import ThrottledPasswordResetView

urlpatterns = [
    path("", include("rounds.public.urls")),
    path("staff/", include("rounds.staff.urls")),
    path("wellness/", include("rounds.wellness.urls")),
    path("concerns/", include("rounds.concerns.urls")),
    path("hours/", include("rounds.workhours.urls")),
    path("inclusion/", include("rounds.inclusion.urls")),
    path("languages/", include("rounds.languages.urls")),
    path("mentoring/", include("rounds.mentoring.urls")),
    path("schedules/", include("rounds.schedules.urls")),
    path("", include("rounds.record.urls")),  # /record/ and the public /verify/<code>/
    path("accounts/locks/", locks_view, name="signin_locks"),
    # Before Django's own: the same URL and name, with the request throttle (people/reset.py).
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
