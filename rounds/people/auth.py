"""Sign-in as a hospital expects: throttling and lockout, idle timeout, and an audit of it all.

- Throttling is django-axes with two adjustments: an address gets more failures than an account
  (a ward's computers share one address), and a successful sign-in forgives only its own
  account's failures. When either is locked, `lockout_response` tells the person until when.
- The GME office lifts a lock on /accounts/locks/ (or `manage.py axes_reset_username NAME`).
- A signed-in session ends after ROUNDS_IDLE_MINUTES without a request (ROUNDS_IDLE_MINUTES_STAFF
  for roles that read many people's records) and after ROUNDS_SESSION_HOURS whatever happens.
- Sign-ins, sign-outs, failures, lockouts and unlocks each write an audit row. A failure records
  the username tried and the address, never the password.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from rounds.core.models import AuditEntry
from rounds.people.access import gme_office_required, user_roles
from rounds.people.models import Role

STAFF_ROLES = frozenset(
    {
        Role.GME_OFFICE,
        Role.PROGRAM_DIRECTOR,
        Role.PROGRAM_COORDINATOR,
        Role.INCLUSION_OFFICE,
        Role.WELLNESS_COMMITTEE,
    }
)
SIGNED_IN_AT = "rounds_signed_in_at"
SEEN_AT = "rounds_seen_at"
# The last-seen time is written at most this often, so a busy page does not save the session on
# every request; the idle limit is exact to within this.
SEEN_RESOLUTION = 60


# --- where a request comes from ---------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind ROUNDS_PROXY_COUNT proxies the address the
    outermost of ours appended to X-Forwarded-For (entries left of it are the client's to forge).
    """
    proxies: int = settings.ROUNDS_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


# --- throttling (django-axes) -------------------------------------------------------------------


class SignInThrottleBackend(AxesStandaloneBackend):
    """Axes' check, for sign-ins that come with a request (every page and the admin).

    Code that authenticates without a request (the test client's login, a shell) is not a
    person at a sign-in page; axes would refuse it outright, this lets the next backend decide.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, larger limit for an address."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # One queryset per AXES_LOCKOUT_PARAMETERS entry: ["username", "ip_address"].
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Axes compares one count with one limit (the account's): count the address in its units.
        account_limit: int = settings.AXES_FAILURE_LIMIT
        address_limit: int = settings.ROUNDS_SIGNIN_ADDRESS_FAILURES
        return max(by_account, by_address * account_limit // address_limit)

    def reset_user_attempts(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # A success forgives the account's failures, not those others made from its address.
        username = (credentials or {}).get("username") or getattr(request.user, "username", None)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lock_ends_at(*, username: str | None, address: str) -> datetime:
    """When the lock on this account or address lifts: the cool-off after its last failure."""
    last = AccessAttempt.objects.filter(Q(username=username) | Q(ip_address=address)).aggregate(
        last=Max("attempt_time")
    )["last"]
    return (last or timezone.now()) + settings.AXES_COOLOFF_TIME


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any]
) -> HttpResponse:
    """The page a locked-out person sees: why, until when, and who can help sooner."""
    username = (credentials or {}).get("username")
    ends = lock_ends_at(username=username, address=client_address(request))
    context = {
        "ends_at": timezone.localtime(ends),
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(
        request,
        "registration/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# --- the audit ----------------------------------------------------------------------------------


def _came_over_http(request: HttpRequest | None) -> bool:
    # The test client's force_login and login() fabricate a request with no method; a shell
    # passes none. Neither is a person signing in at a page.
    return request is not None and bool(request.method)


def _signin_audit(*, action: str, user: Any, username: str, address: str, summary: str) -> None:
    AuditEntry.objects.create(
        actor=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type="user",
        object_id=str(getattr(user, "pk", "") or ""),
        summary=summary[:300],
        changes={"username": username[:150], "address": address},
    )


@receiver(user_logged_in, dispatch_uid="rounds_signin_audit")
def _on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    now = int(timezone.now().timestamp())
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now
    if _came_over_http(request):
        assert request is not None
        address = client_address(request)
        _signin_audit(
            action="signin",
            user=user,
            username=user.get_username(),
            address=address,
            summary=f"{user.get_username()} signed in from {address}",
        )


@receiver(user_logged_out, dispatch_uid="rounds_signout_audit")
def _on_signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or not _came_over_http(request):
        return
    assert request is not None
    reason = getattr(request, "rounds_signout_reason", "")
    _signin_audit(
        action="signout.idle" if reason else "signout",
        user=user,
        username=user.get_username(),
        address=client_address(request),
        summary=f"{user.get_username()} signed out" + (f" ({reason})" if reason else ""),
    )


@receiver(user_login_failed, dispatch_uid="rounds_signin_failure_audit")
def _on_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if not _came_over_http(request):
        return
    assert request is not None
    # Only the username: Django has already masked the password, and it is not kept even so.
    username = str(credentials.get("username") or "")[:150]
    address = client_address(request)
    # Axes counts a failure (axes_failures_since_start) unless the lock refused it unchecked.
    locked = bool(getattr(request, "axes_locked_out", False))
    counted = getattr(request, "axes_failures_since_start", None) is not None
    outcome = "refused: sign-in paused" if locked and not counted else "wrong password or username"
    _signin_audit(
        action="signin.refused" if locked and not counted else "signin.failed",
        user=None,
        username=username,
        address=address,
        summary=f"sign-in as {username!r} from {address} failed: {outcome}",
    )
    if locked and counted:
        _signin_audit(
            action="signin.locked",
            user=None,
            username=username,
            address=address,
            summary=f"sign-in as {username!r} or from {address} paused after repeated failures",
        )


# --- idle timeout -------------------------------------------------------------------------------


def idle_limit(user: Any) -> timedelta:
    """How long this user's session survives without a request."""
    roles = user_roles(user)
    staff = user.is_staff or any(roles.has(role) for role in STAFF_ROLES)
    return timedelta(
        minutes=settings.ROUNDS_IDLE_MINUTES_STAFF if staff else settings.ROUNDS_IDLE_MINUTES
    )


def _expiry_reason(request: HttpRequest, now: int) -> str:
    session = request.session
    signed_in = int(session.setdefault(SIGNED_IN_AT, now))
    seen = int(session.setdefault(SEEN_AT, now))
    if now - signed_in >= settings.SESSION_COOKIE_AGE:
        return f"after {settings.SESSION_COOKIE_AGE // 3600} hours signed in"
    idle = idle_limit(request.user)
    if now - seen >= idle.total_seconds():
        return f"after {int(idle.total_seconds() // 60)} minutes without activity"
    return ""


class IdleTimeoutMiddleware:
    """Signs a session out when it has been idle too long or lived too long."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            reason = _expiry_reason(request, now)
            if reason:
                return self._sign_out(request, reason)
            if now - int(request.session[SEEN_AT]) >= SEEN_RESOLUTION:
                request.session[SEEN_AT] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, reason: str) -> HttpResponse:
        request.rounds_signout_reason = reason  # type: ignore[attr-defined]
        logout(request)
        messages.info(request, f"You were signed out {reason}. Sign in again to go on.")
        if request.headers.get("HX-Request") == "true":
            # A fragment request cannot show the sign-in page in place: send the whole tab there.
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            page = current.path + (f"?{current.query}" if current.query else "")
            page = page or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(page)["Location"])
        # Public pages carry on for the now anonymous visitor; others send them to sign in.
        return self.get_response(request)


# --- the GME office lifts locks -----------------------------------------------------------------


def locks_current() -> list[dict[str, Any]]:
    """Accounts and addresses locked now, each with when its lock lifts."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    locks: list[dict[str, Any]] = []
    for field, limit, kind in [
        ("username", settings.AXES_FAILURE_LIMIT, "account"),
        ("ip_address", settings.ROUNDS_SIGNIN_ADDRESS_FAILURES, "address"),
    ]:
        rows = recent.values(field).annotate(
            failures=Sum("failures_since_start"), last=Max("attempt_time")
        )
        locks += [
            {
                "kind": kind,
                "value": row[field],
                "failures": row["failures"],
                "ends_at": timezone.localtime(row["last"] + settings.AXES_COOLOFF_TIME),
            }
            for row in rows
            if row[field] and row["failures"] >= limit
        ]
    return locks


def signin_lock_reset(*, kind: str, value: str, by: Any) -> int:
    """Lift the lock on an account or an address now; audited. Returns attempts forgotten."""
    field = {"account": "username", "address": "ip_address"}[kind]
    with transaction.atomic():
        count, _ = AccessAttempt.objects.filter(**{field: value}).delete()
        AuditEntry.objects.create(
            actor=by,
            action="signin.unlock",
            object_type="user" if kind == "account" else "address",
            summary=f"sign-in lock on {kind} {value} lifted",
            changes={kind: value},
        )
    return count


@gme_office_required
@require_http_methods(["GET", "POST"])
def locks_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
        if kind in ("account", "address") and value:
            signin_lock_reset(kind=kind, value=value, by=request.user)
            messages.success(request, f"The {kind} {value} may sign in again.")
        return redirect("signin_locks")
    return render(request, "registration/locks.html", {"locks": locks_current()})
