"""Languages by ISO 639-3 code: the one place that turns what people type into a code and a code
into the name people use. The list of languages is pycountry's (ISO 639-3, sign languages
included); only the everyday names below are ours."""

from __future__ import annotations

from functools import cache

import pycountry

# pycountry uses ISO 639-3 reference names; patients, staff and interpreter desks say these.
COMMON_NAMES = {
    "ase": "American Sign Language",
    "hat": "Haitian Creole",
    "cmn": "Mandarin",
    "yue": "Cantonese",
    "kea": "Cape Verdean Creole",
    "prs": "Dari",
    "arb": "Arabic",
    "fas": "Persian (Farsi)",
    "khm": "Khmer",
}

# Other ways people write a language in a spreadsheet or a form.
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


class UnknownLanguage(ValueError):
    pass


@cache
def language_name(code: str) -> str:
    if code in COMMON_NAMES:
        return COMMON_NAMES[code]
    language = pycountry.languages.get(alpha_3=code)
    return str(language.name) if language is not None else code


def parse_language(text: str) -> str:
    """The ISO 639-3 code for a code (spa, es), a reference name (Spanish) or an everyday name
    (Haitian Creole, ASL); UnknownLanguage says what was given and how to write it."""
    cleaned = " ".join(text.split())
    if cleaned.lower() in ALIASES:
        return ALIASES[cleaned.lower()]
    language = pycountry.languages.get(alpha_3=cleaned.lower())
    if language is None and len(cleaned) == 2:
        language = pycountry.languages.get(alpha_2=cleaned.lower())
    if language is None:
        try:
            language = pycountry.languages.lookup(cleaned)
        except LookupError:
            raise UnknownLanguage(
                f"{cleaned!r} is not a language we know; use its ISO 639-3 code (e.g. hat for "
                "Haitian Creole, ase for ASL)"
            ) from None
    return str(language.alpha_3)
