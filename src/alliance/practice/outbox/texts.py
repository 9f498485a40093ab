"""Wording of the emails, per language (English, and Spanish for the demo's D011).

No scores, no clinical details, not even the questionnaire's name: a mailbox may be shared
or read over a shoulder.  Add a language by adding a dictionary with the same keys.
"""

from __future__ import annotations

ENGLISH = {
    "subject_invitation": "{practice}: a short questionnaire for you",
    "subject_reminder": "Reminder from {practice}: your questionnaire",
    "greeting": "Hello,",
    "invitation": (
        "{practice} asks you to answer a short questionnaire. It takes a few minutes, and "
        "your answers help your practitioner to work well with you."
    ),
    "reminder": (
        "A friendly reminder: {practice} asked you to answer a short questionnaire, and your "
        "answers have not arrived yet."
    ),
    "open_link": "Open your personal link to answer:",
    "button": "Answer the questionnaire",
    "expires": "The link works until {date}.",
    "replaces": "This link replaces any link you had before for this questionnaire.",
    "personal": (
        "The link is personal: please do not forward this email. If you did not expect it, "
        "you can ignore it."
    ),
    "date_format": "j F Y, H:i",
}

SPANISH = {
    "subject_invitation": "{practice}: un breve cuestionario para usted",
    "subject_reminder": "Recordatorio de {practice}: su cuestionario",
    "greeting": "Hola:",
    "invitation": (
        "{practice} le pide que responda un breve cuestionario. Solo le llevará unos minutos, "
        "y sus respuestas ayudan a su profesional a trabajar bien con usted."
    ),
    "reminder": (
        "Le recordamos que {practice} le pidió que respondiera un breve cuestionario y que "
        "aún no hemos recibido sus respuestas."
    ),
    "open_link": "Abra su enlace personal para responder:",
    "button": "Responder al cuestionario",
    "expires": "El enlace es válido hasta el {date}.",
    "replaces": "Este enlace sustituye a cualquier enlace anterior para este cuestionario.",
    "personal": (
        "El enlace es personal: por favor, no reenvíe este correo. Si no lo esperaba, puede "
        "ignorarlo."
    ),
    "date_format": "j \\d\\e F \\d\\e Y, H:i",
}

TEXTS: dict[str, dict[str, str]] = {"en": ENGLISH, "es": SPANISH}


def texts_for(language: str) -> tuple[str, dict[str, str]]:
    """(language used, texts): 'es-MX' uses Spanish; a language without texts uses English."""
    base = (language or "en").lower().replace("_", "-").split("-")[0]
    if base in TEXTS:
        return base, TEXTS[base]
    return "en", ENGLISH
