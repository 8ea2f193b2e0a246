"""Language names for ISO 639-3 codes, as an interpreter services desk would say them."""

from __future__ import annotations

from functools import cache

import pycountry

# pycountry follows ISO 639-3 reference names; patients and staff know some languages by others.
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


@cache
def language_name(code: str) -> str:
    if code in COMMON_NAMES:
        return COMMON_NAMES[code]
    language = pycountry.languages.get(alpha_3=code)
    return str(language.name) if language is not None else code
