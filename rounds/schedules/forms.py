"""Forms for a program's rotations, curriculum and a trainee's wishes.

Edit forms are `GuardedModelForm`s: each carries a fingerprint of the record as it was when the page
was opened, so a second coordinator's save in between is refused instead of overwritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from rounds.schedules.models import (
    Block,
    CurriculumRequirement,
    Rotation,
    RotationProgram,
)
from rounds.staff.forms import GuardedModelForm

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from rounds.core.models import Program

WISH_MIN, WISH_MAX = -10, 10
# Sum of |weight| a trainee may spend: wishes weigh against colleagues', so nobody outweighs the
# others by wishing for everything at full strength.
WISH_BUDGET = 30


def _pgy_choices(program: Program) -> list[tuple[int, str]]:
    return [(pgy, f"PGY-{pgy}") for pgy in program.pgy_levels]


class RotationForm(GuardedModelForm):
    """The rotation itself. On a rotation other programs use too, capacity is the GME office's."""

    class Meta:
        model = Rotation
        fields = [
            "name", "service", "site", "kind", "group", "day_start", "day_hours",
            "works_weekends", "capacity",
        ]  # fmt: skip
        labels = {
            "day_start": "Day starts at",
            "day_hours": "Default hours per day",
            "group": "Curriculum group",
            "capacity": "Capacity across all programs",
        }
        widgets = {"day_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(
        self, *args: Any, others: list[str] | None = None, gme: bool = False, **kwargs: Any
    ) -> None:
        """`others`: the other programs that use this rotation. Their coordinators are not asked
        here, so a program's staff change a shared rotation only after saying those programs
        agreed, and never its capacity (the GME office's, who may change both)."""
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [c for c in Rotation.Kind.choices if c[0] != Rotation.Kind.VACATION]
        self.others = others or []
        self.needs_agreement = bool(self.others) and not gme
        if self.needs_agreement:
            self.fields["capacity"].disabled = True
            self.fields[
                "capacity"
            ].help_text = (
                "Other programs use this rotation too; only the GME office changes its capacity."
            )
            self.fields["agreed"] = forms.BooleanField(
                required=False,
                label=f"{_names(self.others)} agreed to this change",
                help_text="They send trainees here too and will see the change.",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        changed = [name for name in self.changed_data if name not in ("agreed", "version")]
        if self.needs_agreement and changed and not cleaned.get("agreed"):
            self.add_error(
                "agreed",
                f"{_names(self.others)} also use{'s' if len(self.others) == 1 else ''} this "
                "rotation: tick the box once they agreed, or ask the GME office to make the "
                "change.",
            )
        return cleaned


def _names(programs: list[str]) -> str:
    if len(programs) <= 1:
        return "".join(programs)
    return ", ".join(programs[:-1]) + " and " + programs[-1]


class RotationUseForm(GuardedModelForm):
    """This program's use of the rotation: who may go and how many per block."""

    class Meta:
        model = RotationProgram
        fields = ["min_pgy", "max_pgy", "min_per_block", "max_per_block", "half_blocks"]
        labels = {
            "min_pgy": "From PGY",
            "max_pgy": "Up to PGY",
            "min_per_block": "At least per block",
            "max_per_block": "At most per block",
            "half_blocks": "Half-blocks allowed",
        }
        help_texts = {
            "max_per_block": "Leave empty for no limit. Counted in each half of a block.",
            "half_blocks": "The solver may place this program's trainees here for half a block "
            "(two weeks), with another half-block rotation in the other half.",
        }

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        for name in ("min_pgy", "max_pgy"):
            # Records made elsewhere may name levels outside the program's (the default is 10).
            current = getattr(self.instance, name) if self.instance.pk else None
            levels = sorted({*program.pgy_levels, *([current] if current else [])})
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=[(pgy, f"PGY-{pgy}") for pgy in levels],
                coerce=int,
            )
        if not self.is_bound and self.instance.pk is None:
            self.initial["min_pgy"] = program.first_pgy
            self.initial["max_pgy"] = program.pgy_levels[-1]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low, high = cleaned.get("min_pgy"), cleaned.get("max_pgy")
        if low is not None and high is not None and low > high:
            self.add_error("max_pgy", f"PGY-{high} is below PGY-{low}; swap the two.")
        least, most = cleaned.get("min_per_block"), cleaned.get("max_per_block")
        if least is not None and most is not None and most < least:
            self.add_error("max_per_block", f"At most {most} is fewer than at least {least}.")
        return cleaned


class RotationChoiceField(forms.ModelChoiceField):
    """A rotation by site, capacity and who uses it: "Riverside Hospital: MICU (room for 26;
    used by 6 programs)"."""

    def label_from_instance(self, obj: Any) -> str:
        users = sorted(u.program.name for u in obj.uses.all())
        room = f"room for {obj.capacity}" if obj.capacity is not None else "no capacity"
        used = f"used by {_names(users)}" if len(users) <= 2 else f"used by {len(users)} programs"
        return f"{obj.site.name}: {obj.name} ({room}; {used if users else 'unused'})"


class RotationJoinForm(RotationUseForm):
    """This program starts using a rotation that exists already (another program's, at any
    site): its own PGY range and numbers; the rotation's capacity holds across every program."""

    class Meta(RotationUseForm.Meta):
        fields = ["rotation", *RotationUseForm.Meta.fields]
        labels = {**RotationUseForm.Meta.labels, "rotation": "Rotation"}
        field_classes = {"rotation": RotationChoiceField}

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, program=program, **kwargs)
        field = self.fields["rotation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = joinable_rotations(program)
        field.empty_label = "— choose a rotation —"
        field.help_text = "Every active rotation this program does not use yet, by site."


def joinable_rotations(program: Program) -> QuerySet[Rotation]:
    return (
        Rotation.objects.filter(is_active=True)
        .exclude(kind=Rotation.Kind.VACATION)
        .exclude(uses__program=program)
        .select_related("site")
        .prefetch_related("uses__program")
        .order_by("site__name", "name")
    )


class CurriculumForm(GuardedModelForm):
    """'PGY-1: at least 2, at most 4 blocks of ICU': a rotation or a group, not both."""

    class Meta:
        model = CurriculumRequirement
        fields = ["pgy", "rotation", "group", "min_blocks", "max_blocks"]
        labels = {
            "pgy": "PGY level",
            "group": "or a curriculum group",
            "min_blocks": "At least (blocks)",
            "max_blocks": "At most (blocks)",
        }
        help_texts = {
            "group": "e.g. ICU: counts every rotation of that group.",
            "max_blocks": "Leave empty for no limit.",
        }

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["pgy"] = forms.TypedChoiceField(
            label="PGY level", choices=_pgy_choices(program), coerce=int
        )
        rotations = Rotation.objects.filter(uses__program=program).exclude(
            kind=Rotation.Kind.VACATION
        )
        rotation_field = self.fields["rotation"]
        assert isinstance(rotation_field, forms.ModelChoiceField)
        rotation_field.queryset = rotations.select_related("site")
        rotation_field.empty_label = "— a group instead —"
        groups = sorted(set(rotations.exclude(group="").values_list("group", flat=True)))
        self.fields["group"].widget.attrs["list"] = "curriculum-groups"
        self.groups = groups

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        rotation, group = cleaned.get("rotation"), (cleaned.get("group") or "").strip()
        if rotation is None and not group:
            self.add_error("rotation", "Choose a rotation or name a curriculum group.")
        if rotation is not None and group:
            self.add_error("group", "Choose a rotation or a group, not both.")
        if group and not Rotation.objects.filter(uses__program=self.program, group=group).exists():
            self.add_error("group", f"None of this program's rotations is in the group '{group}'.")
        least, most = cleaned.get("min_blocks"), cleaned.get("max_blocks")
        if least is not None and most is not None and most < least:
            self.add_error("max_blocks", f"At most {most} is fewer than at least {least}.")
        if least is not None and least > 13:
            self.add_error("min_blocks", "A year has at most 13 blocks.")
        if least == 0 and most is None:
            self.add_error("min_blocks", "Say at least or at most how many blocks.")
        cleaned["group"] = group
        return cleaned


class WishesForm(forms.Form):
    """One weight per rotation the trainee may go to (0 = no wish), optionally in one block."""

    def __init__(
        self,
        *args: Any,
        rotations: list[Rotation],
        blocks: list[Block],
        initial_wishes: dict[int, tuple[int, int | None]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rotations = rotations
        self.blocks = {b.pk: b for b in blocks}
        initial_wishes = initial_wishes or {}
        block_choices = [("", "Any block")] + [
            (str(b.pk), f"{b.label}, {b.start:%b %-d}") for b in blocks
        ]
        for rotation in rotations:
            weight, block = initial_wishes.get(rotation.pk, (0, None))
            self.fields[f"w{rotation.pk}"] = forms.IntegerField(
                label=f"{rotation.name} — weight",
                min_value=WISH_MIN,
                max_value=WISH_MAX,
                initial=weight,
                required=False,
                widget=forms.NumberInput(attrs={"step": 1, "class": "wish-weight"}),
            )
            self.fields[f"b{rotation.pk}"] = forms.ChoiceField(
                label=f"{rotation.name} — when",
                choices=block_choices,
                required=False,
                initial=str(block) if block else "",
            )

    def rows(self) -> list[tuple[Rotation, forms.BoundField, forms.BoundField]]:
        return [(r, self[f"w{r.pk}"], self[f"b{r.pk}"]) for r in self.rotations]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        spent = sum(abs(cleaned.get(f"w{r.pk}") or 0) for r in self.rotations)
        if spent > WISH_BUDGET:
            raise forms.ValidationError(
                f"Your wishes weigh {spent} in all; the most is {WISH_BUDGET}. Lower some "
                "weights, or keep only the wishes that matter most.",
                code="budget",
            )
        return cleaned

    def wishes(self) -> list[tuple[Rotation, Block | None, int]]:
        out = []
        for rotation in self.rotations:
            weight = self.cleaned_data.get(f"w{rotation.pk}") or 0
            if weight:
                block_pk = self.cleaned_data.get(f"b{rotation.pk}") or ""
                out.append((rotation, self.blocks.get(int(block_pk)) if block_pk else None, weight))
        return out


class CorrectionForm(forms.Form):
    """Correct history: what was really worked in a started block (or half), and why."""

    half = forms.TypedChoiceField(coerce=int, label="Which part of the block")
    rotation = forms.ModelChoiceField(queryset=Rotation.objects.none(), label="Worked on")
    reason = forms.CharField(
        max_length=300,
        label="Why the correction",
        help_text="Kept with the cell and in the audit log; the trainee reads it when the "
        "version is published.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, block: Block, program: Program, **kwargs: Any) -> None:
        from rounds.schedules.history import started

        super().__init__(*args, **kwargs)
        labels = {0: "The whole block", 1: "The first half", 2: "The second half"}
        half_field = self.fields["half"]
        assert isinstance(half_field, forms.TypedChoiceField)
        half_field.choices = [(k, v) for k, v in labels.items() if started(block, k)]
        rotation_field = self.fields["rotation"]
        assert isinstance(rotation_field, forms.ModelChoiceField)
        rotation_field.queryset = Rotation.objects.filter(uses__program=program).order_by("name")


class CallCorrectionForm(forms.Form):
    """Correct history: what a trainee really worked on a call day that has started, and why."""

    shift = forms.ChoiceField(label="Worked", widget=forms.RadioSelect, required=False)
    reason = forms.CharField(
        max_length=300,
        label="Why the correction",
        help_text="Kept with the shift and in the audit log; the trainees read the month's "
        "reason when the version is published.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, types: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shift_field = self.fields["shift"]
        assert isinstance(shift_field, forms.ChoiceField)
        shift_field.choices = [("", "Off"), *((t.id, f"{t.name} ({t.hours})") for t in types)]
