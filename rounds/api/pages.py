"""The GME office's page for API tokens: make one (shown once), see each one's use, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.api.forms import TokenForm
from rounds.api.models import ApiToken
from rounds.api.services import NewToken, TokenError, token_create, token_revoke
from rounds.lib.idempotency import AlreadySubmitted, made_earlier, submit_once, token_from
from rounds.people.access import gme_office_required

SCOPE = "api.token_create"


@gme_office_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    made: NewToken | None = None
    if request.method == "POST" and form.is_valid():
        made = _create(request, form)
    listed = ApiToken.objects.select_related("user", "created_by").order_by(
        "revoked_at", "-created_at"
    )
    return render(request, "api/tokens.html", {"form": form, "made": made, "tokens": listed})


def _create(request: HttpRequest, form: TokenForm) -> NewToken | None:
    """Make the token once per form: a second send of the same form only says so, since the
    secret is shown once and never stored."""
    key = token_from(request.POST)
    if made_earlier(token=key, scope=SCOPE, by=request.user, model=ApiToken) is not None:
        messages.info(request, "That token was made already; its secret was shown then.")
        return None
    made: list[NewToken] = []

    def write() -> ApiToken:
        data = form.cleaned_data
        new = token_create(
            user=data["username"], name=data["name"], scopes=data["scopes"], kind=data["kind"],
            expires_in_days=data["expires_in_days"], rate_per_minute=data["rate_per_minute"],
            by=request.user,
        )  # fmt: skip
        made.append(new)
        return new.token

    try:
        submit_once(token=key, scope=SCOPE, by=request.user, model=ApiToken, write=write)
    except (TokenError, AlreadySubmitted) as error:
        form.add_error(None, error.message)
        return None
    return made[0] if made else None


@gme_office_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    token_revoke(token=token, by=request.user)
    messages.success(request, f"{token} revoked: it no longer works.")
    return redirect("api:tokens")
