"""Sudden gains and sudden losses (Tang & DeRubeis 1999; missing-data rule of Lutz et al. 2013).

A *sudden gain* is a large, stable improvement between two consecutive sessions: the
*pre-gain session* n and the *post-gain session* n + 1.  With ``x_k`` the score at session k
(lower is better, as on the BDI) an interval n -> n + 1 is a sudden gain when

1. ``x_n - x_(n+1) >= cutoff`` (Tang & DeRubeis used 7 BDI points; a measure's reliable
   change index, Jacobson & Truax 1991, is the usual choice for other measures);
2. ``x_n - x_(n+1) >= 0.25 * x_n`` (the gain is at least 25% of the pre-gain score);
3. ``mean(pre) - mean(post) > t * s_pooled``, where ``pre`` holds the available scores of
   sessions n-2, n-1, n and ``post`` those of sessions n+1, n+2, n+3 (n1 and n2 of them),
   ``s_pooled = sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / (n1 + n2 - 2))`` and ``t`` is the
   two-tailed critical value of Student's t at ``alpha`` (.05) with ``n1 + n2 - 2`` degrees of
   freedom.  With complete windows that is t(.975, 4) = 2.776, Tang & DeRubeis's value; the
   missing-data adjustment of Lutz et al. (2013) keeps the test when a window lacks one score
   and uses t(.975, 3) = 3.182 for one missing score and t(.975, 2) = 4.303 for one missing
   on each side.  Each window needs at least two scores, otherwise the interval cannot be
   tested and is not a gain.

Both x_n and x_(n+1) must be present: a gain is never bridged across a missing session.
Sessions are *occasions on a grid*: in :func:`sudden_gains` the grid is every session
number present anywhere in the table (a client without a score at an occasion of the grid
has a missing value there, as in the wide layout of the R package), in
:func:`client_sudden_gains` it is the session numbers passed in (pass a missed occasion with
a NaN score).  "n - 2" and "n + 3" are positions on the grid; windows are cut at its ends.

Further measures of each event:

- ``magnitude = x_n - x_(n+1)`` (the size of the change, positive, in the event's direction);
- ``reversal_value = (x_n + x_(n+1)) / 2``, the midpoint; the event is *reversed* when a later
  score lies strictly beyond the midpoint, back towards the pre-event level (for a gain on a
  lower-is-better measure: ``x_k > reversal_value``).  Tang & DeRubeis (1999) call a gain
  reversed when the patient later loses 50% or more of it; as in the suddengains R package
  (Wiedemann et al. 2020, ``create_bysg``, default layout) the later scores checked are those
  of grid sessions n + 3 to the last session;
- ``treatment_change``: change from the first to the last session of the grid in the event's
  direction (missing when either score is missing) and ``change_proportion = magnitude /
  treatment_change`` (missing when the change is missing or 0);
- ``person_events``: how many events of this kind the client has.  Every interval that meets
  the criteria is reported ("all gains", the package's ``bysg`` data set); a practice that
  wants one gain per client picks the first or largest from the table.

*Sudden losses* are the mirror image (Lutz et al. 2013): the change in the direction of
worsening must reach the cutoff and 25% of the pre-loss score, the t test runs the other
way, and a loss is reversed when a later score comes back beyond the midpoint towards the
pre-loss level.  For higher-is-better measures (ORS, WEMWBS) a gain is an increase and every
rule above is mirrored.  Where the R package differs: it reports loss magnitudes as negative
numbers, and its criterion 2 for losses compares with ``+0.25 * x_n`` so that it always holds;
here criterion 2 is the mirror image for losses too.

References:
    Tang, T. Z., & DeRubeis, R. J. (1999). Sudden gains and critical sessions in
    cognitive-behavioral therapy for depression. Journal of Consulting and Clinical
    Psychology, 67(6), 894-904.
    Lutz, W., Ehrlich, T., Rubel, J., et al. (2013). The ups and downs of psychotherapy:
    Sudden gains and sudden losses identified with session reports. Psychotherapy Research,
    23(1), 14-24.
    Wiedemann, M., Thew, G. R., Stott, R., & Ehlers, A. (2020). suddengains: An R package to
    identify sudden gains in longitudinal data. PLOS ONE, 15(3), e0230276.

The package's modules: :mod:`.rules` (the options and an instrument's defaults),
:mod:`.criteria` (the three criteria, vectorised, and ``check_interval``), :mod:`.events`
(finding and measuring the events of a clients x occasions matrix, shared by both paths),
:mod:`.table` (``sudden_gains`` over a long table) and :mod:`.client`
(``client_sudden_gains`` over one client's history).
"""

from .client import SuddenChange, client_sudden_gains
from .criteria import IntervalCheck, check_interval
from .rules import DEFAULT_CUTOFF, Better, Kind, Rules, make_rules
from .table import EVENT_COLUMNS, sudden_gains

__all__ = [
    "DEFAULT_CUTOFF",
    "EVENT_COLUMNS",
    "Better",
    "IntervalCheck",
    "Kind",
    "Rules",
    "SuddenChange",
    "check_interval",
    "client_sudden_gains",
    "make_rules",
    "sudden_gains",
]
