"""What a token may be used for. A token's scopes narrow what its user's roles allow, never
widen it: a `hours:write` token of a trainee still writes only that trainee's hours."""

from __future__ import annotations

SCHEDULES_READ = "schedules:read"
PEOPLE_READ = "people:read"
HOURS_READ = "hours:read"
HOURS_WRITE = "hours:write"
TRAINEES_IMPORT = "trainees:import"
EVALUATIONS_READ = "evaluations:read"
TEACHING_WRITE = "teaching:write"

SCOPES: dict[str, str] = {
    SCHEDULES_READ: "Read rotation and call schedules and who is on call",
    PEOPLE_READ: "Read people and trainees",
    HOURS_READ: "Read work-hour entries",
    HOURS_WRITE: "Write work-hour entries (a time clock)",
    TRAINEES_IMPORT: "Import trainees",
    EVALUATIONS_READ: "Read evaluation requests and their status (never answers)",
    TEACHING_WRITE: "Write faculty teaching assignments (attendings)",
}

# Shorthands for the command line and the token page.
ALIASES: dict[str, tuple[str, ...]] = {
    "read": (SCHEDULES_READ, PEOPLE_READ, HOURS_READ, EVALUATIONS_READ),
    "write": (HOURS_WRITE, TRAINEES_IMPORT, TEACHING_WRITE),
    "all": tuple(SCOPES),
}


class UnknownScope(ValueError):
    pass


def expand(names: list[str]) -> list[str]:
    """Scope names and aliases to the sorted, distinct scopes they mean."""
    found: set[str] = set()
    for name in names:
        for part in name.replace(",", " ").split():
            if part in ALIASES:
                found.update(ALIASES[part])
            elif part in SCOPES:
                found.add(part)
            else:
                known = ", ".join([*ALIASES, *SCOPES])
                raise UnknownScope(f"Unknown scope {part!r}; known scopes: {known}.")
    if not found:
        raise UnknownScope("A token needs at least one scope.")
    return sorted(found)
