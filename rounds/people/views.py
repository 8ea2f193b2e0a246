"""People's own settings and the name pickers staff forms use."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rounds.core.services import form_save
from rounds.people.forms import ContactForm
from rounds.people.models import Person


@login_required
def contact(request: HttpRequest) -> HttpResponse:
    """My phone and pager, for the on-call list; colleagues see them only if I say so."""
    person = Person.objects.filter(user_id=request.user.pk).first()
    if person is None:
        raise Http404("You have no person record.")
    form = ContactForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        form_save(form=form, by=request.user)
        messages.success(request, "Saved your phone and pager.")
        return redirect("people:contact")
    return render(request, "people/contact.html", {"form": form, "person": person})
