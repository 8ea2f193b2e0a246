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
CONFERENCES_READ = "conferences:read"
CONFERENCES_WRITE = "conferences:write"
MOONLIGHTING_READ = "moonlighting:read"
MOONLIGHTING_WRITE = "moonlighting:write"
CASELOGS_READ = "caselogs:read"
CASELOGS_WRITE = "caselogs:write"

SCOPES: dict[str, str] = {
    SCHEDULES_READ: "Read rotation and call schedules and who is on call",
    PEOPLE_READ: "Read people and trainees",
    HOURS_READ: "Read work-hour entries",
    HOURS_WRITE: "Write work-hour entries (a time clock)",
    TRAINEES_IMPORT: "Import trainees",
    EVALUATIONS_READ: "Read evaluation requests and their status (never answers)",
    TEACHING_WRITE: "Write faculty teaching assignments (attendings)",
    CONFERENCES_READ: "Read conference series, sessions and attendance",
    CONFERENCES_WRITE: "Check in to a conference session with its code",
    MOONLIGHTING_READ: "Read moonlighting requests",
    MOONLIGHTING_WRITE: "Request moonlighting (a trainee, their own)",
    CASELOGS_READ: "Read case log entries",
    CASELOGS_WRITE: "Log procedures and send returned entries again (a trainee, their own)",
}

# Shorthands for the command line and the token page.
ALIASES: dict[str, tuple[str, ...]] = {
    "read": (
        SCHEDULES_READ,
        PEOPLE_READ,
        HOURS_READ,
        EVALUATIONS_READ,
        CONFERENCES_READ,
        MOONLIGHTING_READ,
        CASELOGS_READ,
    ),
    "write": (
        HOURS_WRITE,
        TRAINEES_IMPORT,
        TEACHING_WRITE,
        CONFERENCES_WRITE,
        MOONLIGHTING_WRITE,
        CASELOGS_WRITE,
    ),
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
