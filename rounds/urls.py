from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from rounds.people.auth import locks_view
from rounds.people.reset import ThrottledPasswordResetView
from rounds.people.signin import no_role_view, not_here_view, passwords_on

# The admin signs in through the same page as everyone (throttle, second factor, SSO).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says; the SVG answers them too.
    path("favicon.ico", lambda request: redirect(static("rounds/favicon.svg")), name="favicon"),
    path("", include("rounds.public.urls")),
    path("staff/", include("rounds.staff.urls")),
    path("jobs/", include("rounds.jobs.urls")),
    path("people/", include("rounds.people.urls")),
    path("wellness/", include("rounds.wellness.urls")),
    path("concerns/", include("rounds.concerns.urls")),
    path("hours/", include("rounds.workhours.urls")),
    path("inclusion/", include("rounds.inclusion.urls")),
    path("languages/", include("rounds.languages.urls")),
    path("mentoring/", include("rounds.mentoring.urls")),
    path("schedules/", include("rounds.schedules.urls")),
    path("api/", include("rounds.api.urls")),
    path("milestones/", include("rounds.milestones.urls")),
    path("assessment/", include("rounds.assessment.urls")),
    path("record/leave/", include("rounds.leave.urls")),
    path("moonlighting/", include("rounds.moonlighting.urls")),
    path("caselogs/", include("rounds.caselogs.urls")),
    path("conferences/", include("rounds.conferences.urls")),
    path("", include("rounds.record.urls")),  # /record/ and the public /verify/<code>/
    path("accounts/locks/", locks_view, name="signin_locks"),
    path("accounts/no-role/", no_role_view, name="signin_no_role"),
    # Password pages answer "switched off" when ROUNDS_LOCAL_PASSWORDS is off. One reset flow:
    # Django's, with the request throttle (people/reset.py); allauth's address leads there.
    path(
        "accounts/password_reset/",
        passwords_on(ThrottledPasswordResetView.as_view()),
        name="password_reset",
    ),
    path("accounts/password/reset/", RedirectView.as_view(pattern_name="password_reset")),
    path(
        "accounts/password/change/",
        passwords_on(account_views.password_change),
        name="account_change_password",
    ),
    path(
        "accounts/password/set/",
        passwords_on(account_views.password_set),
        name="account_set_password",
    ),
    path(
        "accounts/password_change/",
        passwords_on(account_views.password_change),
        name="password_change",
    ),
    path("accounts/email/", not_here_view),
    path("accounts/3rdparty/", not_here_view),
    path("accounts/social/connections/", not_here_view),
    # Sign-in, sign-out, single sign-on (/accounts/oidc/..., /accounts/saml/...), second factors
    # (/accounts/2fa/...): django-allauth, before Django's own pages at the same addresses.
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
