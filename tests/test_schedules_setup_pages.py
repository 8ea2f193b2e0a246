"""A program's rotations and curriculum, edited in pages: every role against every page and
write, a stale edit refused, a rotation a published schedule uses kept, shared capacity the GME
office's, another program's rotation joined, a shared rotation changed only with the other
programs' agreement, half-blocks allowed per use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rounds.core.models import AuditEntry
from rounds.schedules.models import CurriculumRequirement, Rotation, RotationProgram
from rounds.staff.forms import fingerprint
from tests.people import USERNAMES, SmallInstitution
from tests.schedules_setup import SmallSchedules, build_schedules

EDITORS = {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 404}
NOT_EDITORS = [u for u in USERNAMES if u not in EDITORS]


def _use(x: SmallSchedules, rotation: Rotation, program: Any) -> RotationProgram:
    return RotationProgram.objects.get(rotation=rotation, program=program)


def _unused(small: SmallInstitution) -> RotationProgram:
    """An IM rotation no schedule uses yet."""
    research = Rotation.objects.create(
        name="Research", service="Research", site=small.sponsor, kind="research"
    )
    return RotationProgram.objects.create(rotation=research, program=small.im)


def _rotation_data(rotation: Rotation | None, use: RotationProgram | None, **over: Any) -> dict:
    data = {
        "rotation-version": fingerprint(rotation) if rotation else "",
        "rotation-name": rotation.name if rotation else "Nights",
        "rotation-service": rotation.service if rotation else "Night medicine",
        "rotation-site": rotation.site_id if rotation else "",
        "rotation-kind": rotation.kind if rotation else "night_float",
        "rotation-group": rotation.group if rotation else "",
        "rotation-day_start": f"{rotation.day_start:%H:%M}" if rotation else "19:00",
        "rotation-day_hours": str(rotation.day_hours) if rotation else "12",
        "rotation-capacity": (rotation.capacity or "") if rotation else "",
        "use-version": fingerprint(use) if use else "",
        "use-min_pgy": use.min_pgy if use else 1,
        "use-max_pgy": use.max_pgy if use else 3,
        "use-min_per_block": use.min_per_block if use else 0,
        "use-max_per_block": (use.max_per_block or "") if use else "",
    }
    if rotation is not None and rotation.works_weekends:
        data["rotation-works_weekends"] = "on"
    data.update(over)
    return data


def _line_data(line: CurriculumRequirement | None, **over: Any) -> dict:
    data = {
        "version": fingerprint(line) if line else "",
        "pgy": line.pgy if line else 3,
        "rotation": (line.rotation_id or "") if line else "",
        "group": line.group if line else "ICU",
        "min_blocks": line.min_blocks if line else 1,
        "max_blocks": (line.max_blocks or "") if line else "",
    }
    data.update(over)
    return data


def _join_data(rotation: Rotation, **over: Any) -> dict:
    data = {
        "version": "",
        "rotation": rotation.pk,
        "min_pgy": 1,
        "max_pgy": 3,
        "min_per_block": 0,
        "max_per_block": "",
    }
    data.update(over)
    return data


def _cards_rotation(small: SmallInstitution) -> Rotation:
    """A new rotation of the cardiology fellowship's, for IM to join."""
    number = Rotation.objects.count()
    rotation = Rotation.objects.create(
        name=f"Echo lab {number}", service="Echocardiography", site=small.affiliate, capacity=3
    )
    RotationProgram.objects.create(rotation=rotation, program=small.cards)
    return rotation


Url = Callable[[SmallInstitution, SmallSchedules], str]
PAGES: list[tuple[str, Url]] = [
    ("setup", lambda s, x: reverse("schedules:setup", args=[s.im.pk])),
    ("new rotation", lambda s, x: reverse("schedules:rotation_new", args=[s.im.pk])),
    ("join rotation", lambda s, x: reverse("schedules:rotation_join", args=[s.im.pk])),
    ("edit rotation", lambda s, x: reverse(
        "schedules:rotation_edit", args=[s.im.pk, _use(x, x.wards, s.im).pk])),
    ("new requirement", lambda s, x: reverse("schedules:curriculum_new", args=[s.im.pk])),
    ("edit requirement", lambda s, x: reverse(
        "schedules:curriculum_edit", args=[s.im.pk, s.im.curriculum.first().pk])),
]  # fmt: skip


@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_every_role_against_every_page(small: SmallInstitution, client_as, page) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    url = page[1](small, x)
    assert "/accounts/login/" in Client().get(url)["Location"]
    for username in USERNAMES:
        status = client_as(username).get(url).status_code
        assert status == EDITORS.get(username, 403), username


WRITES: list[tuple[str, Url, Callable[[SmallInstitution, SmallSchedules], dict]]] = [
    ("new rotation", lambda s, x: reverse("schedules:rotation_new", args=[s.im.pk]),
     lambda s, x: _rotation_data(None, None, **{"rotation-site": s.sponsor.pk})),
    ("edit rotation", lambda s, x: reverse(
        "schedules:rotation_edit", args=[s.im.pk, _use(x, x.wards, s.im).pk]),
     lambda s, x: _rotation_data(x.wards, _use(x, x.wards, s.im), **{"rotation-day_hours": 9})),
    ("join rotation", lambda s, x: reverse("schedules:rotation_join", args=[s.im.pk]),
     lambda s, x: _join_data(_cards_rotation(s))),
    ("remove rotation", lambda s, x: reverse(
        "schedules:rotation_delete", args=[s.im.pk, _unused(s).pk]), lambda s, x: {}),
    ("new requirement", lambda s, x: reverse("schedules:curriculum_new", args=[s.im.pk]),
     lambda s, x: _line_data(None)),
    ("edit requirement", lambda s, x: reverse(
        "schedules:curriculum_edit", args=[s.im.pk, s.im.curriculum.first().pk]),
     lambda s, x: _line_data(s.im.curriculum.first(), min_blocks=3)),
    ("delete requirement", lambda s, x: reverse(
        "schedules:curriculum_delete", args=[s.im.pk, s.im.curriculum.first().pk]),
     lambda s, x: {}),
]  # fmt: skip


def _state() -> tuple[Any, ...]:
    return (
        list(Rotation.objects.values_list("pk", "name", "day_hours", "capacity")),
        list(RotationProgram.objects.values_list("pk", "min_pgy", "max_pgy")),
        list(CurriculumRequirement.objects.values_list("pk", "pgy", "min_blocks", "group")),
    )


@pytest.mark.parametrize("write", WRITES, ids=[w[0] for w in WRITES])
def test_writes_only_by_the_programs_staff_and_the_gme_office(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, write
) -> None:
    _, url_of, data_of = write
    x = build_schedules(small)
    url, data = url_of(small, x), data_of(small, x)
    before = _state()
    assert "/accounts/login/" in Client().post(url, data)["Location"]
    for username in [*NOT_EDITORS, "pd.cards"]:
        status = client_as(username).post(url, data).status_code
        assert status == (404 if username == "pd.cards" else 403), username
    assert _state() == before
    audits = AuditEntry.objects.count()
    # Each editor in turn; the data is rebuilt, since the record's fingerprint changes.
    for username in ("coord.im", "pd.im", "gme"):
        if username != "coord.im" and "delete" in url:
            break
        data = data_of(small, x)
        if "rotation-name" in data and url.endswith("/new/"):
            data["rotation-name"] = f"Nights ({username})"  # a rotation's name is unique per site
        response = client_as(username).post(url, data)
        assert response.status_code == 302, (username, response.content.decode()[:3000])
        assert "/setup/" in response["Location"], username
    assert _state() != before
    assert AuditEntry.objects.count() > audits, "every write leaves its audit entry"


def test_the_program_year_links_to_the_setup_pages(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    page = client_as("coord.im").get(reverse("schedules:program", args=[small.im.pk, 2026]))
    assert reverse("schedules:setup", args=[small.im.pk]) in page.content.decode()
    setup = client_as("coord.im").get(reverse("schedules:setup", args=[small.im.pk]))
    text = setup.content.decode()
    assert "Wards" in text and "MICU" in text and "Shared" in text
    assert "Cath lab" not in text, "another program's rotation"
    assert x.im_blocks


def test_a_new_rotation_belongs_to_the_program_with_its_pgy_and_numbers(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    build_schedules(small)
    data = _rotation_data(
        None, None, **{"rotation-site": small.affiliate.pk, "use-min_pgy": 2,
                       "use-max_per_block": 2, "use-min_per_block": 1}
    )  # fmt: skip
    response = client_as("pd.im").post(reverse("schedules:rotation_new", args=[small.im.pk]), data)
    assert response.status_code == 302
    use = RotationProgram.objects.get(rotation__name="Nights")
    assert use.program == small.im and (use.min_pgy, use.max_pgy) == (2, 3)
    assert (use.min_per_block, use.max_per_block) == (1, 2)
    assert use.rotation.site == small.affiliate and use.rotation.day_hours == 12


def test_bad_numbers_are_refused_with_a_sentence(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    url = reverse("schedules:rotation_new", args=[small.im.pk])
    data = _rotation_data(
        None, None, **{"rotation-site": small.sponsor.pk, "use-min_pgy": 3, "use-max_pgy": 1,
                       "use-min_per_block": 3, "use-max_per_block": 1, "rotation-day_hours": 30}
    )  # fmt: skip
    text = client_as("coord.im").post(url, data).content.decode()
    assert "PGY-1 is below PGY-3; swap the two." in text
    assert "At most 1 is fewer than at least 3." in text
    assert "less than or equal to 28" in text
    line = client_as("coord.im").post(
        reverse("schedules:curriculum_new", args=[small.im.pk]), _line_data(None, group="")
    )
    assert "Choose a rotation or name a curriculum group." in line.content.decode()
    assert not RotationProgram.objects.filter(rotation__name="Nights").exists()


def test_a_stale_edit_is_refused_and_the_first_save_kept(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    use = _use(x, x.wards, small.im)
    url = reverse("schedules:rotation_edit", args=[small.im.pk, use.pk])
    opened = _rotation_data(x.wards, use)  # the coordinator opens the page ...
    first = client_as("pd.im").post(url, {**opened, "rotation-day_hours": "9"})
    assert first.status_code == 302  # ... the director saves first ...
    late = client_as("coord.im").post(url, {**opened, "rotation-day_hours": "13"})
    assert late.status_code == 200
    assert "Someone else saved this record after you opened it" in late.content.decode()
    x.wards.refresh_from_db()
    assert x.wards.day_hours == 9
    # The program's own numbers are guarded the same way.
    opened = _rotation_data(x.wards, use)
    client_as("pd.im").post(url, {**opened, "use-min_per_block": "2"})
    late = client_as("coord.im").post(url, {**opened, "use-min_per_block": "0"})
    assert "Someone else saved this record" in late.content.decode()
    use.refresh_from_db()
    assert use.min_per_block == 2
    line = small.im.curriculum.first()
    assert line is not None
    line_url = reverse("schedules:curriculum_edit", args=[small.im.pk, line.pk])
    opened = _line_data(line)
    assert client_as("pd.im").post(line_url, {**opened, "min_blocks": 3}).status_code == 302
    late = client_as("coord.im").post(line_url, {**opened, "min_blocks": 1})
    assert "Someone else saved this record" in late.content.decode()
    line.refresh_from_db()
    assert line.min_blocks == 3


def test_a_rotation_a_published_schedule_uses_cannot_be_removed(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x = build_schedules(small)
    use = _use(x, x.wards, small.im)
    coord = client_as("coord.im")
    response = coord.post(
        reverse("schedules:rotation_delete", args=[small.im.pk, use.pk]), follow=True
    )
    assert (
        "Wards cannot be removed: version 1 of the 2026–2027 schedule (published) places "
        "trainees there, and published schedules never change."
    ) in response.content.decode()
    assert RotationProgram.objects.filter(pk=use.pk).exists()
    # A curriculum line naming the rotation holds it too.
    clinic = _use(x, x.clinic, small.im)
    x.draft.assignments.all().delete()
    x.published.assignments.filter(rotation=x.clinic).update(rotation=x.wards)
    CurriculumRequirement.objects.create(program=small.im, pgy=2, rotation=x.clinic, min_blocks=1)
    url = reverse("schedules:rotation_delete", args=[small.im.pk, clinic.pk])
    text = coord.post(url, follow=True).content.decode()
    assert "the curriculum line &#x27;PGY-2: at least 1 blocks of Clinic&#x27; needs it" in text
    CurriculumRequirement.objects.filter(rotation=x.clinic).delete()
    assert coord.post(url).status_code == 302
    assert not Rotation.objects.filter(pk=x.clinic.pk).exists(), "nothing else refers to it"


def test_removing_a_shared_rotation_keeps_it_for_the_other_program(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x = build_schedules(small)
    use = _use(x, x.micu, small.cards)
    url = reverse("schedules:rotation_delete", args=[small.cards.pk, use.pk])
    assert client_as("pd.cards").post(url).status_code == 302
    assert not RotationProgram.objects.filter(pk=use.pk).exists()
    assert RotationProgram.objects.filter(rotation=x.micu, program=small.im).exists()


def test_shared_capacity_is_the_gme_offices(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    use = _use(x, x.micu, small.im)
    url = reverse("schedules:rotation_edit", args=[small.im.pk, use.pk])
    page = client_as("coord.im").get(url).content.decode()
    assert "only the GME office changes its capacity" in page
    data = _rotation_data(x.micu, use, **{"rotation-capacity": 9, "use-max_per_block": 1})
    assert client_as("coord.im").post(url, data).status_code == 302
    x.micu.refresh_from_db()
    use.refresh_from_db()
    assert x.micu.capacity == 2 and use.max_per_block == 1
    data = _rotation_data(x.micu, use, **{"rotation-capacity": 9})
    assert client_as("gme").post(url, data).status_code == 302
    x.micu.refresh_from_db()
    assert x.micu.capacity == 9


def test_another_programs_records_are_not_found(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    cath = _use(x, x.cath, small.cards)
    line = small.im.curriculum.first()
    assert line is not None
    coord = client_as("coord.im")
    # IM's staff reaching a cardiology record through IM's address.
    assert (
        coord.get(reverse("schedules:rotation_edit", args=[small.im.pk, cath.pk])).status_code
        == 404
    )
    assert (
        coord.post(reverse("schedules:rotation_delete", args=[small.im.pk, cath.pk])).status_code
        == 404
    )
    assert client_as("pd.cards").get(
        reverse("schedules:curriculum_edit", args=[small.cards.pk, line.pk])
    ).status_code == 404  # fmt: skip
    assert RotationProgram.objects.filter(pk=cath.pk).exists()


def test_a_program_joins_another_programs_rotation_with_its_own_numbers(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x = build_schedules(small)
    url = reverse("schedules:rotation_join", args=[small.im.pk])
    page = client_as("coord.im").get(url).content.decode()
    assert "Riverside Hospital: Cath lab (no capacity; used by Cardiovascular Disease" in page
    assert "Harbor VA: MICU" not in page, "IM uses MICU already"
    assert "Vacation" not in page
    Rotation.objects.filter(pk=x.cath.pk).update(capacity=2)
    data = _join_data(x.cath, min_pgy=2, max_per_block=1, half_blocks="on")
    response = client_as("coord.im").post(url, data, follow=True)
    text = response.content.decode()
    assert (
        "Internal Medicine Residency now sends trainees to Cath lab (Riverside Hospital). Its "
        "room for 2 per block holds across 2 programs."
    ) in text
    use = RotationProgram.objects.get(rotation=x.cath, program=small.im)
    assert (use.min_pgy, use.max_pgy, use.max_per_block, use.half_blocks) == (2, 3, 1, True)
    assert "Cath lab" in text and "Shared" in text and "Half-blocks" in text
    from rounds.schedules.problem import build_problem, pid, rid

    problem = build_problem([small.im, small.cards], 2026)
    assert {
        "rotation": rid(x.cath.pk), "program": pid(small.im.pk), "min_pgy": 2, "max_pgy": 3,
        "min_per_block": 0, "max_per_block": 1, "half_blocks": True,
    } in problem["uses"]  # fmt: skip
    assert {"id": rid(x.cath.pk), "capacity": 2}.items() <= next(
        r for r in problem["rotations"] if r["id"] == rid(x.cath.pk)
    ).items()
    # Joining it twice is refused: it is no longer among the choices.
    again = client_as("pd.im").post(url, data)
    assert again.status_code == 200 and "Select a valid choice" in again.content.decode()
    assert RotationProgram.objects.filter(rotation=x.cath, program=small.im).count() == 1


def test_a_shared_rotation_changes_only_with_the_other_programs_agreement(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x = build_schedules(small)
    use = _use(x, x.micu, small.im)
    url = reverse("schedules:rotation_edit", args=[small.im.pk, use.pk])
    page = client_as("coord.im").get(url).content.decode()
    assert "Cardiovascular Disease Fellowship sends trainees here too" in page
    renamed = _rotation_data(x.micu, use, **{"rotation-name": "Medical ICU"})
    refused = client_as("coord.im").post(url, renamed)
    assert refused.status_code == 200
    assert (
        "Cardiovascular Disease Fellowship also uses this rotation: tick the box once they "
        "agreed, or ask the GME office to make the change."
    ) in refused.content.decode()
    x.micu.refresh_from_db()
    assert x.micu.name == "MICU"
    agreed = client_as("coord.im").post(url, {**renamed, "rotation-agreed": "on"})
    assert agreed.status_code == 302
    x.micu.refresh_from_db()
    assert x.micu.name == "Medical ICU"
    # The GME office changes it without the box; the program's own numbers never need it.
    by_gme = _rotation_data(x.micu, use, **{"rotation-day_hours": "11"})
    assert client_as("gme").post(url, by_gme).status_code == 302
    x.micu.refresh_from_db()
    own = _rotation_data(x.micu, _use(x, x.micu, small.im), **{"use-half_blocks": "on"})
    assert client_as("coord.im").post(url, own).status_code == 302
    use.refresh_from_db()
    assert use.half_blocks
