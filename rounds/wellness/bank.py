"""The built-in question bank: a validated, free-to-use burnout item and a few custom pulse items.

Only closed questions: free text identifies people by how they write.
"""

from __future__ import annotations

from typing import Any

SINGLE_ITEM_BURNOUT = {
    "code": "burnout-single-item",
    "text": (
        "Overall, based on your definition of burnout, how would you rate your level of burnout?"
    ),
    "options": [
        "I enjoy my work. I have no symptoms of burnout.",
        "Occasionally I am under stress, and I don't always have as much energy as I once did, "
        "but I don't feel burned out.",
        "I am definitely burning out and have one or more symptoms of burnout, such as physical "
        "and emotional exhaustion.",
        "The symptoms of burnout that I'm experiencing won't go away. I think about frustration "
        "at work a lot.",
        "I feel completely burned out and often wonder if I can go on. I am at the point where "
        "I may need some changes or may need to seek some sort of help.",
    ],
    "instrument": "Single-item burnout measure (Physician Worklife Study)",
    "source": (
        "Schmoldt RA et al., Physician burnout: recommendations from the HMO Physician Worklife "
        "Study, 1994; validated against the Maslach Burnout Inventory by Rohland BM et al., "
        "Stress and Health 2004, and Dolan ED et al., J Gen Intern Med 2015. Published in the "
        "peer-reviewed literature and used widely without a licence fee (it is also the burnout "
        "item of the Mini-Z); Rounds quotes no licence text for it, so confirm the terms before "
        "reporting outside your institution. Answers 3 to 5 are read as burnout."
    ),
    "flag_from": 3,
    "flag_label": "Burnout",
}

AGREE = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]

CUSTOM: list[dict[str, Any]] = [
    {
        "code": "pulse-supported",
        "text": "I feel supported by my program when I am struggling.",
        "options": AGREE,
        "flag_from": 4,
        "flag_label": "Feel supported",
    },
    {
        "code": "pulse-sleep",
        "text": "In the past two weeks, how often did you get enough sleep to feel rested?",
        "options": ["Never", "Rarely", "Sometimes", "Often", "Always"],
        "flag_from": 4,
        "flag_label": "Rested often",
    },
    {
        "code": "pulse-safe-to-speak",
        "text": "I can raise a concern about mistreatment or safety without fear of retaliation.",
        "options": AGREE,
        "flag_from": 4,
        "flag_label": "Safe to speak up",
    },
]

BANK = [SINGLE_ITEM_BURNOUT, *CUSTOM]


def bank_install(question_model: Any) -> None:
    for item in BANK:
        question_model.objects.update_or_create(code=item["code"], defaults=item)
