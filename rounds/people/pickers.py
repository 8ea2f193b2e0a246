"""Name pickers: search a person by name among those who can hold a role, instead of a select
of every person in the institution.

The widget is a search box and a short list of radio buttons named like the field. Typing asks
`people:pick` (htmx) for up to PICKED matches, which replace the list; the radio chosen is what
the form sends, so nothing but htmx runs in the page and the form field's own queryset still
decides what is valid.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from rounds.people.models import Person

PICKED = 15

# Who can hold each role a picker fills: directors and mentors are faculty, coordinators staff.
ROLE_KINDS: dict[str, tuple[str, str]] = {
    "director": (Person.Kind.FACULTY, "faculty member"),
    "coordinator": (Person.Kind.STAFF, "staff member"),
    "mentor": (Person.Kind.FACULTY, "faculty member"),
}


def eligible(role: str) -> QuerySet[Person]:
    kind, _ = ROLE_KINDS[role]
    return Person.objects.filter(kind=kind).order_by("last_name", "first_name")


def search(role: str, text: str) -> list[Person]:
    """People who can hold `role` whose names contain every word typed."""
    query = eligible(role)
    for word in text.split()[:4]:
        query = query.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return list(query[:PICKED])


class PersonPicker(forms.Widget):
    def __init__(self, role: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.role = role

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        current = Person.objects.filter(pk=value).first() if value not in (None, "") else None
        _, who = ROLE_KINDS[self.role]
        field_id = (attrs or {}).get("id") or f"id_{name}"
        context = {
            "name": name, "id": field_id, "current": current, "who": who,
            "url": reverse("people:pick") + f"?role={self.role}&name={name}",
        }  # fmt: skip
        return SafeString(render_to_string("people/_picker.html", context))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_search"


def picker_field(role: str, **kwargs: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=eligible(role), widget=PersonPicker(role), required=False, **kwargs
    )
