"""People's own settings and the name pickers staff forms use."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rounds.core.services import form_save
from rounds.people.access import staff_required
from rounds.people.forms import ContactForm
from rounds.people.models import Person
from rounds.people.pickers import ROLE_KINDS, search


@login_required
def contact(request: HttpRequest) -> HttpResponse:
    """My phone and pager, for the on-call list; colleagues see them only if I say so."""
    person = Person.objects.filter(user=request.user.pk).first()
    if person is None:
        raise Http404("You have no person record.")
    form = ContactForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        form_save(form=form, by=request.user)
        messages.success(request, "Saved your phone and pager.")
        return redirect("people:contact")
    return render(request, "people/contact.html", {"form": form, "person": person})


@staff_required
def pick(request: HttpRequest) -> HttpResponse:
    """Matches for a name picker (htmx): people who can hold the role, by name."""
    role = request.GET.get("role", "")
    if role not in ROLE_KINDS:
        raise Http404("No such picker.")
    name = request.GET.get("name", "")
    if not name.isidentifier():
        raise Http404("No such field.")
    text = request.GET.get(f"{name}__q", "").strip()
    people = search(role, text) if text else []
    context = {"people": people, "name": name, "who": ROLE_KINDS[role][1], "searched": bool(text)}
    return render(request, "people/_picker_results.html", context)
