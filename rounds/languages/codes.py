"""A language from what people type or export: an ISO 639-3 code, an ISO 639-1 code, the
ISO reference name, or the name an interpreter services desk uses ("Haitian Creole", "ASL")."""

from __future__ import annotations

from rounds.imports.fields import CellError, language_code
from rounds.public.languages import COMMON_NAMES

ALIASES = {name.lower(): code for code, name in COMMON_NAMES.items()} | {
    "asl": "ase",
    "sign language": "ase",
    "creole": "hat",
    "kreyol": "hat",
    "kreyòl": "hat",
    "mandarin chinese": "cmn",
    "chinese": "cmn",
    "chinese (mandarin)": "cmn",
    "chinese (cantonese)": "yue",
    "farsi": "fas",
    "cape verdean": "kea",
    "cabo verdean creole": "kea",
    "swahili": "swh",
    "tagalog": "tgl",
    "filipino": "fil",
}


def parse_language(text: str) -> str:
    """The ISO 639-3 code, or CellError with a message naming what was given."""
    cleaned = " ".join(text.split())
    if cleaned.lower() in ALIASES:
        return ALIASES[cleaned.lower()]
    try:
        return language_code(cleaned)
    except CellError:
        raise CellError(
            f"{cleaned!r} is not a language we know; use its ISO 639-3 code (e.g. hat for "
            "Haitian Creole, ase for ASL)"
        ) from None
