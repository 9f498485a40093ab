"""The sections of the relapse-prevention worksheet and their wording per language.

The client-facing page and the PDF are in the client's language where a table exists here
(``client.preferred_language``, primary subtag: ``es-MX`` -> ``es``), otherwise English.
A language is added by adding a table with the same keys (a test checks they match).
Staff pages are in English.
"""

from __future__ import annotations

from dataclasses import dataclass

SECTION_IDS: tuple[str, ...] = (
    "warning_signs",
    "triggers",
    "coping",
    "people",
    "contacts",
    "if_signs_return",
    "proud",
)

# The plan counts as completed when each of these has at least one entry: what to watch for,
# what helps, what to do and whom to call.  Triggers, people and what the client is proud of
# are encouraged but not required (some clients have no one they want listed).
REQUIRED_SECTIONS: tuple[str, ...] = ("warning_signs", "coping", "contacts", "if_signs_return")

CRISIS_SECTION = "contacts"

# Short names for staff summaries (the checklist, the history); the worksheet itself uses the
# client's first-person titles below.
SHORT_TITLES: dict[str, str] = {
    "warning_signs": "warning signs",
    "triggers": "triggers and high-risk situations",
    "coping": "coping strategies",
    "people": "people to contact",
    "contacts": "professional and crisis contacts",
    "if_signs_return": "what to do if signs return",
    "proud": "what the client is proud of",
}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "My relapse-prevention plan",
        "intro": "What you have learned in your sessions, in your own words: the signs to "
        "watch for, what helps, and who to turn to. You can change it whenever you like; "
        "your practitioner sees your changes.",
        "warning_signs": "My personal warning signs",
        "warning_signs_hint": "Early signs that I may be starting to struggle again: "
        "thoughts, feelings, things I do, how my body feels.",
        "triggers": "Triggers and high-risk situations",
        "triggers_hint": "Situations, times of year or events that make things harder for me.",
        "coping": "Coping strategies that worked",
        "coping_hint": "Things I learned or did that helped.",
        "people": "People I can contact",
        "people_hint": "Friends, family or others I can talk to, and how to reach them.",
        "contacts": "Professional and crisis contacts",
        "contacts_hint": "My doctor, my practitioner's service, and who to call in a crisis, "
        "at any time of day.",
        "if_signs_return": "What I will do if the signs return",
        "if_signs_return_hint": "The steps I will take, and when I will ask for help.",
        "proud": "What I am proud of",
        "proud_hint": "What I have done and achieved in therapy.",
        "help_now": "If you need help now",
        "emergency": "If you are in immediate danger, call your local emergency number.",
        "no_contacts": "No contacts written down yet.",
        "empty": "Nothing written down yet.",
        "entry": "Entry",
        "add": "Add a line",
        "remove": "Remove",
        "save": "Save my plan",
        "saved": "Saved.",
        "pdf": "Download as PDF",
        "updated": "Last updated",
        "error": "Please check your plan:",
        "conflict": "Your plan was changed somewhere else while you were editing it. Your "
        "version is shown below; please check it and save again.",
        "made_with": "Made together in",
        "date_format": "j F Y",
    },
    "es": {
        "title": "Mi plan de prevención de recaídas",
        "intro": "Lo que has aprendido en tus sesiones, con tus propias palabras: las señales "
        "a las que prestar atención, lo que te ayuda y a quién acudir. Puedes cambiarlo "
        "cuando quieras; tu terapeuta verá los cambios.",
        "warning_signs": "Mis señales de alerta personales",
        "warning_signs_hint": "Primeras señales de que puedo empezar a sentirme peor otra vez: "
        "pensamientos, emociones, cosas que hago, cómo se siente mi cuerpo.",
        "triggers": "Desencadenantes y situaciones de riesgo",
        "triggers_hint": "Situaciones, épocas del año o acontecimientos que me lo ponen "
        "más difícil.",
        "coping": "Estrategias de afrontamiento que me han funcionado",
        "coping_hint": "Lo que aprendí o hice y me ayudó.",
        "people": "Personas a las que puedo acudir",
        "people_hint": "Amistades, familia u otras personas con quienes hablar, y cómo "
        "contactarlas.",
        "contacts": "Contactos profesionales y de crisis",
        "contacts_hint": "Mi médico, el servicio de mi terapeuta y a quién llamar en una "
        "crisis, a cualquier hora.",
        "if_signs_return": "Qué haré si vuelven las señales",
        "if_signs_return_hint": "Los pasos que daré y cuándo pediré ayuda.",
        "proud": "Lo que me enorgullece",
        "proud_hint": "Lo que he hecho y conseguido en la terapia.",
        "help_now": "Si necesitas ayuda ahora",
        "emergency": "Si estás en peligro inmediato, llama al número de emergencias de tu zona.",
        "no_contacts": "Todavía no hay contactos anotados.",
        "empty": "Todavía no hay nada anotado.",
        "entry": "Línea",
        "add": "Añadir una línea",
        "remove": "Quitar",
        "save": "Guardar mi plan",
        "saved": "Guardado.",
        "pdf": "Descargar en PDF",
        "updated": "Última actualización",
        "error": "Revisa tu plan, por favor:",
        "conflict": "Tu plan se ha cambiado en otro lugar mientras lo editabas. Abajo aparece "
        "tu versión; revísala y vuelve a guardarla.",
        "made_with": "Elaborado juntos en",
        "date_format": r"j \d\e F \d\e Y",
    },
}

DEFAULT_LANGUAGE = "en"


def language_for(preferred: str | None) -> str:
    """The table to use for a client's preferred language (primary subtag), else English."""
    code = (preferred or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in TEXTS else DEFAULT_LANGUAGE


def texts_for(preferred: str | None) -> dict[str, str]:
    return TEXTS[language_for(preferred)]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    hint: str
    entries: list[str]
    required: bool
    crisis: bool


def sections_with(entries: dict[str, list[str]], texts: dict[str, str]) -> list[Section]:
    """The sections in worksheet order with their titles, hints and entries."""
    return [
        Section(
            id=s,
            title=texts[s],
            hint=texts[f"{s}_hint"],
            entries=list(entries.get(s, [])),
            required=s in REQUIRED_SECTIONS,
            crisis=s == CRISIS_SECTION,
        )
        for s in SECTION_IDS
    ]
