from __future__ import annotations

from django import forms

from rounds.concerns.models import Concern
from rounds.core.models import Program


class RaiseForm(forms.Form):
    anonymous = forms.TypedChoiceField(
        label="Who you are",
        choices=[
            ("1", "Stay anonymous — you get a private code to come back to the conversation"),
            ("0", "Give my name — the GME office can contact me directly"),
        ],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(
        choices=[("", "Choose one"), *Concern.Category.choices], label="What it is about"
    )
    subject = forms.CharField(max_length=150, label="In a few words")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 7}),
        label="What happened",
        help_text="If you want to stay anonymous, leave out details only you would know.",
    )
    program = forms.ModelChoiceField(
        queryset=Program.objects.all(),
        required=False,
        empty_label="Prefer not to say",
        help_text="Optional. In a small program, naming it may narrow down who you are.",
    )


class MessageForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Your message")


class CodeForm(forms.Form):
    code = forms.CharField(max_length=40, label="Your private code")


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Concern.Status.choices)
