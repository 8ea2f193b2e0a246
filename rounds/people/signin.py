"""Sign-in through django-allauth: who a provider's identity is, and when a second factor is due.

- A provider's identity is matched to a person already in Rounds by the claim its configuration
  names (sso.py: the email, or an employee id), once; allauth then keeps the link (SocialAccount).
  Nobody is created by a provider: an identity that matches no one with an account gets a page
  saying so (403), and a person without a role is sent to a page saying that.
- Second factors are allauth's (TOTP, WebAuthn, recovery codes). Its prompt after the password is
  skipped when the provider asserted a second factor itself (OIDC `amr`, SAML AuthnContextClassRef
  configured as strong). For roles in ROUNDS_MFA_REQUIRED_ROLES, a session that signed in with
  neither (no authenticator yet) can only set one up until it has.
- ROUNDS_LOCAL_PASSWORDS off: the password form is refused, whatever is posted to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

import requests
from allauth.account import signals as allauth_signals
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.internal.flows import trust
from allauth.mfa.models import Authenticator
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from onelogin.saml2.errors import OneLogin_Saml2_Error

from rounds.core.models import AuditEntry
from rounds.people.access import user_roles
from rounds.people.models import Person, Role

logger = logging.getLogger(__name__)
SECOND_FACTOR_DUE = "rounds_second_factor_due"
SIGNED_IN_WITH = "rounds_signed_in_with"
# A SAML provider's authentication contexts, kept beside its attributes in extra_data.
SAML_CONTEXTS = "rounds:authn_context"
PASSWORDS_OFF = (
    "Passwords are switched off here: sign in with your hospital account (the buttons above)."
)


# --- which provider said what -------------------------------------------------------------------


def _rounds_settings(sociallogin: SocialLogin) -> dict[str, Any]:
    app = sociallogin.provider.app
    return dict((app.settings or {}).get("rounds", {})) if app else {}


def _claims(sociallogin: SocialLogin) -> dict[str, Any]:
    """The identity's claims: OIDC userinfo over the ID token; SAML attributes (first values)."""
    data = sociallogin.account.extra_data or {}
    if "id_token" in data or "userinfo" in data:
        return dict(data.get("id_token") or {}) | dict(data.get("userinfo") or {})
    return {k: (v[0] if isinstance(v, list) and v else v) for k, v in data.items()}


def provider_asserted_mfa(sociallogin: SocialLogin) -> bool:
    """Whether the provider says it checked more than a password (its strength counts here)."""
    config = _rounds_settings(sociallogin)
    data = sociallogin.account.extra_data or {}
    if "id_token" in data or "userinfo" in data:
        amr = (data.get("id_token") or {}).get("amr") or []
        amr = [amr] if isinstance(amr, str) else amr
        return bool(set(amr) & set(config.get("strong_amr", [])))
    contexts = data.get(SAML_CONTEXTS) or []
    return bool(set(contexts) & set(config.get("strong_contexts", [])))


def person_matching(sociallogin: SocialLogin) -> Person | None:
    """The person whose email (or employee id) is the configured claim's value, if any."""
    config = _rounds_settings(sociallogin)
    claim, field = config.get("match_claim", "email"), config.get("match_field", "email")
    claims = _claims(sociallogin)
    if field == "email" and claims.get("email_verified") is False:
        return None  # the provider itself says the address is not the person's
    value = str(claims.get(claim) or "").strip()
    if not value and field == "email":
        value = sociallogin.user.email if sociallogin.user else ""
    if not value:
        return None
    lookup = {"email__iexact": value} if field == "email" else {"employee_id": value}
    return Person.objects.select_related("user").filter(**lookup).first()


class RoundsSAMLProvider(SAMLProvider):
    """allauth's SAML provider, keeping the assertion's AuthnContextClassRef in extra_data."""

    package = "allauth.socialaccount.providers.saml"  # its URLs are allauth's

    def extract_extra_data(self, data: Any) -> dict[str, Any]:
        extra = dict(super().extract_extra_data(data))
        extra[SAML_CONTEXTS] = list(data.get_last_authn_contexts() or [])
        return extra


# --- adapters -----------------------------------------------------------------------------------


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # the GME office enters people; nobody signs themselves up

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        roles = user_roles(request.user)
        if not (roles.global_roles or roles.by_program):
            return reverse("signin_no_role")
        return str(super().get_login_redirect_url(request))

    def get_login_stages(self) -> list[str]:
        stages: list[str] = super().get_login_stages()
        mine = f"{__name__}.SecondFactorStage"
        return [mine if s == "allauth.mfa.stages.AuthenticateStage" else s for s in stages]


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.state.get("process") == "connect":
            # Linking is by the configured claim only, never by someone picking an identity.
            raise ImmediateHttpResponse(not_here_view(request))
        if sociallogin.is_existing:
            return
        person = person_matching(sociallogin)
        if person is None or person.user is None or not person.user.is_active:
            raise ImmediateHttpResponse(_unknown_person(request, sociallogin, person))
        sociallogin.connect(request, person.user)
        AuditEntry.objects.create(
            actor=person.user,
            action="signin.linked",
            object_type="user",
            object_id=str(person.user.pk),
            summary=f"{person.user.get_username()} linked to {sociallogin.provider.name}",
            changes={"provider": sociallogin.account.provider, "uid": sociallogin.account.uid},
        )


def _unknown_person(
    request: HttpRequest, sociallogin: SocialLogin, person: Person | None
) -> HttpResponse:
    provider = sociallogin.provider.name
    AuditEntry.objects.create(
        action="signin.unmatched",
        object_type="user",
        summary=f"sign-in through {provider} matched no account",
        changes={"provider": sociallogin.account.provider, "uid": sociallogin.account.uid},
    )
    context = {"provider": provider, "has_record": person is not None}
    return render(request, "account/no_person.html", context, status=403)


class SecondFactorStage(AuthenticateStage):
    """allauth's second-factor prompt, not asked when the provider already asserted one."""

    def _should_handle(self, request: HttpRequest) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None and provider_asserted_mfa(sociallogin):
            return False
        return bool(super()._should_handle(request))


class PasswordSignInForm(LoginForm):
    """allauth's sign-in form; with ROUNDS_LOCAL_PASSWORDS off it refuses before any check."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""  # the page has its own reset link

    def clean(self) -> dict[str, Any]:
        if not settings.ROUNDS_LOCAL_PASSWORDS:
            raise forms.ValidationError(PASSWORDS_OFF, code="passwords_off")
        return dict(super().clean() or {})


@register(Tags.security)
def check_mfa_roles(**kwargs: Any) -> list[CheckMessage]:
    """A misspelt role in ROUNDS_MFA_REQUIRED_ROLES would silently spare that role."""
    unknown = sorted(set(settings.ROUNDS_MFA_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"ROUNDS_MFA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}",
            hint=f"Use some of: {', '.join(Role.values)}",
            id="rounds.E001",
        )
    ]


# --- second factor due --------------------------------------------------------------------------


def second_factor_required(user: Any) -> bool:
    roles = user_roles(user)
    wanted = set(settings.ROUNDS_MFA_REQUIRED_ROLES)
    held = set(roles.global_roles).union(*roles.by_program.values())
    return bool(wanted & held)


def has_second_factor(user: Any) -> bool:
    kinds = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    return Authenticator.objects.filter(user=user, type__in=kinds).exists()


def _how_signed_in(request: HttpRequest, user: Any) -> str:
    methods = {record.get("method") for record in get_authentication_records(request, user)}
    if "mfa" in methods:
        return "second factor"
    if trust.is_trusted_browser(request, user):
        return "trusted browser"
    return "provider" if "socialaccount" in methods else "password"


def _note_second_factor(request: HttpRequest, user: Any, how: str) -> None:
    request.session[SIGNED_IN_WITH] = how
    strong = how in ("second factor", "provider's second factor", "trusted browser")
    request.session[SECOND_FACTOR_DUE] = not strong and second_factor_required(user)


@receiver(user_logged_in, dispatch_uid="rounds_second_factor_due")
def _on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # Every sign-in at a page (the test client's force_login comes with no method).
    if request is None or not request.method or not hasattr(request, "session"):
        return
    _note_second_factor(request, user, _how_signed_in(request, user))


@receiver(allauth_signals.user_logged_in, dispatch_uid="rounds_provider_second_factor")
def _on_signed_in_through_allauth(
    sender: Any, request: HttpRequest, user: Any, sociallogin: Any = None, **kwargs: Any
) -> None:
    # Sent by allauth just after Django's, with the provider's answer: its strength counts.
    if sociallogin is not None and provider_asserted_mfa(sociallogin):
        _note_second_factor(request, user, "provider's second factor")


# Pages a session owing a second factor may still open: setting one up, and leaving.
_ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/static/")


class SecondFactorMiddleware:
    """Holds a session of a role that needs a second factor on the set-up page until it has one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.session.get(SECOND_FACTOR_DUE):
            if has_second_factor(request.user):
                # Set up in this session: proving it took a code from the new authenticator.
                request.session[SECOND_FACTOR_DUE] = False
            elif not request.path.startswith(_ALLOWED_PREFIXES):
                messages.warning(
                    request,
                    "Your role in Rounds needs a second factor. Set up an authenticator app or a "
                    "security key to go on.",
                )
                return redirect("mfa_index")
        return self.get_response(request)


# --- the identity providers' pages may receive our forms ---------------------------------------


def provider_origins() -> list[str]:
    """Where starting a sign-in sends the browser: each configured provider's origin."""
    urls: list[str] = []
    for kind, config in settings.SOCIALACCOUNT_PROVIDERS.items():
        for app in config.get("APPS", []):
            app_settings = app.get("settings", {})
            if kind == "openid_connect":
                urls.append(app_settings.get("server_url", ""))
            idp = app_settings.get("idp", {})
            urls += [idp.get("sso_url", ""), idp.get("metadata_url", "")]
    origins = {f"{u.scheme}://{u.netloc}" for u in map(urlsplit, urls) if u.scheme and u.netloc}
    return sorted(origins)


class ProviderPagesMiddleware:
    """Lets the sign-in pages' forms lead to the identity providers, and says so plainly when a
    provider cannot be reached.

    The Content-Security-Policy's form-action is 'self' everywhere; a sign-in button posts to
    Rounds, which redirects to the provider, and browsers hold that redirect to form-action too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/accounts/"):
            origins = provider_origins()
            if origins:
                response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OneLogin_Saml2_Error):
            # A SAML setting the library refuses (a bad certificate, an address): the same
            # page for the person; the log says what to fix.
            logger.error("SAML sign-in failed at %s: %s", request.path, exception)
        elif isinstance(exception, requests.RequestException):
            logger.warning("identity provider unreachable at %s: %s", request.path, exception)
        elif isinstance(exception, PermissionDenied) and _provider_answer(request.path):
            # allauth refuses a provider's answer whose sign-in request is already used (a
            # response posted again, a page reloaded): a sign-in failure, not a page outside the
            # person's role.
            logger.warning("sign-in answer refused at %s: %s", request.path, exception)
            return render(request, "socialaccount/authentication_error.html", status=403)
        else:
            return None
        return render(request, "account/provider_unreachable.html", status=502)


def _provider_answer(path: str) -> bool:
    """Where an identity provider's answer arrives: SAML's assertion consumer and the OpenID
    Connect callback."""
    return path.startswith("/accounts/") and ("/acs/" in path or path.endswith("/callback/"))


# --- pages --------------------------------------------------------------------------------------


def no_role_view(request: HttpRequest) -> HttpResponse:
    """Signed in, but no role in Rounds: what that means and whom to ask."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return render(request, "account/no_role.html")


def not_here_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """allauth pages Rounds does not offer: people's emails and provider links are the GME
    office's to set (they decide who a sign-in is), not the person's."""
    return render(request, "404.html", status=404)


def passwords_on(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A password page (reset, change), or with ROUNDS_LOCAL_PASSWORDS off a page saying so."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.ROUNDS_LOCAL_PASSWORDS:
            return render(request, "account/passwords_off.html", status=404)
        return view(request, *args, **kwargs)

    return wrapper


def signin_context(request: HttpRequest) -> dict[str, Any]:
    """For the sign-in page: whether the password form is offered."""
    return {"local_passwords": settings.ROUNDS_LOCAL_PASSWORDS}
