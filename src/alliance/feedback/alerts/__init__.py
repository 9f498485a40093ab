"""Explained alerts over clients' score histories.

A history is a long table, one row per scale score: ``client_id, session, instrument,
respondent, scale, score`` plus optional ``attended`` (true/false) and ``flags`` (flag ids
of the instrument raised by that response, separated by ``;``, ``,`` or spaces).
``alerts_for_frame(history)`` evaluates every client at once (vectorised over rows; Python
loops run over the alerts found and over a handful of instrument/scale series, never over
rows); ``client_alerts(history)`` is the same for one client, for the feedback computed
within the request that stores a submission (about 3 ms for 20 sessions of three
measures).

Alerts are raised *as of* each session: an alert at session *t* uses only the ratings up
to *t* (a repaired or unrepaired rupture is reported at the session where that became
known), so the alerts of a history cut at *t* are the alerts of the full history up to *t*
and an application can store them keyed by (client, session, kind, instrument, scale)
without duplicates when it recomputes after each submission.  The exception is sudden
gains and losses, whose third criterion needs up to three later sessions: they are
reported at the post-gain session once those sessions are in.

Rules (the registry ``ALERT_KINDS`` lists each kind with its severity and rule):

- alliance (instruments of kind ``alliance``; see :mod:`.alliance_signals`): ``low_alliance``
  (client), ``low_caregiver_alliance`` (caregiver, e.g. TASC-P for a child client),
  ``alliance_rupture`` with ``alliance_rupture_resolved`` / ``alliance_rupture_unresolved``
  (client or caregiver), ``alliance_discrepancy`` (WAI-SR-T vs WAI-SR, same session).
  Low ratings and discrepancies are raised at every session where they occur, since each
  is a new rating the practitioner should respond to.  A WAI-SR(-T) total that is absent
  but whose goal, task and bond scores are all present is derived as their sum (the
  total is the sum of the 12 items, and the parts partition them).
- ``reliable_deterioration``: outcome and wellbeing scales with change parameters in their
  definition; the score at a session is worse than the client's first score on that scale
  by at least ``change.threshold`` (Jacobson & Truax 1991, or the published figure, e.g.
  PHQ-9 6 and GAD-7 4 as in NHS Talking Therapies), in the scale's ``direction``.  Raised
  at the session where it starts to hold (again), not repeated while it lasts.
- ``risk_item``: item-level risk flags of the definitions (flags whose id starts with
  ``risk_``, e.g. PHQ-9 item 9 and CORE-10 item 6).  The history has scale scores, not
  answers, so a risk item is given either as a row whose ``scale`` is the flagged item id
  (``phq9, scale phq9_9, score 1``: the answer is then checked against the flag's rule),
  or through the ``flags`` column of any row of that response (``risk_self_harm``, the
  ``flags`` output of ``alliance score``).
- through the other feedback modules: ``sudden_gain`` / ``sudden_loss``
  (:mod:`.sudden_gains`, on outcome scales with change parameters, cutoff = reliable
  change), ``not_on_track`` (:mod:`.etr`, only with fitted models passed as
  ``etr_models``; raised when it starts to hold, like reliable deterioration) and
  ``dropout_risk`` (:mod:`.dropout`, as of each of the first five sessions; see
  :mod:`.dropout_rules`).

Every explanation and suggestion comes from :mod:`.texts`.

The package's modules: :mod:`.kinds` (the registry and :class:`Alert`), :mod:`.history` (reading and
checking a history), :mod:`.table` (its series), :mod:`.engine` (``alerts_for_frame``),
and one module of rules per family: :mod:`.alliance_rules`, :mod:`.outcome_rules`,
:mod:`.risk_rules`, :mod:`.dropout_rules`.
"""

from .dropout_rules import (
    ALLIANCE_FACTORS,
    DROPOUT_ALLIANCES,
    DROPOUT_OUTCOMES,
    DROPOUT_WINDOW,
    LEVEL_RANK,
)
from .engine import alerts_for_frame, client_alerts
from .history import (
    FLAG_SEPARATORS,
    HISTORY_COLUMNS,
    HISTORY_KINDS,
    RESPONDENTS,
    read_history,
    risk_flags,
    score_bounds,
    validate_history,
)
from .kinds import ALERT_KINDS, KIND_ORDER, SEVERITIES, Alert, AlertKind, FactValue, Severity

__all__ = [
    "ALERT_KINDS",
    "ALLIANCE_FACTORS",
    "DROPOUT_ALLIANCES",
    "DROPOUT_OUTCOMES",
    "DROPOUT_WINDOW",
    "FLAG_SEPARATORS",
    "HISTORY_COLUMNS",
    "HISTORY_KINDS",
    "KIND_ORDER",
    "LEVEL_RANK",
    "RESPONDENTS",
    "SEVERITIES",
    "Alert",
    "AlertKind",
    "FactValue",
    "Severity",
    "alerts_for_frame",
    "client_alerts",
    "read_history",
    "risk_flags",
    "score_bounds",
    "validate_history",
]
