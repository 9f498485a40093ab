"""Synthetic practice data for the report tests: the long format of the research export and an
episodes table, with known structure.

Each client has one episode of up to 8 weekly sessions with a practitioner (8 practitioners,
one of whom sees only 2 clients).  A latent alliance level ``a`` ~ N(0, 1) per client drives
the WAI-SR goal, task and bond (each 4-20, total their sum) and the SRS (0-40); WHO-5 (0-100 in
steps of 4) and SWLS (5-35) rise with ``a`` (so their client means correlate positively with
the alliance) and the PHQ-9 falls faster with a higher alliance, with a within-client effect of
the session's alliance on the next PHQ-9.  Practitioners differ in how much their clients
improve.  Some scores are missing; some episodes are ongoing, some ended by drop-out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRACTITIONERS = [f"t{k}" for k in range(1, 9)]


def synthetic(n_clients: int = 90, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(long, episodes) in the export's formats."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    episodes = []
    effect = dict(zip(PRACTITIONERS, rng.normal(0, 0.6, len(PRACTITIONERS)), strict=True))
    for c in range(n_clients):
        pid = f"p{c:04d}"
        practitioner = PRACTITIONERS[c % 7] if c > 1 else PRACTITIONERS[7]
        level = rng.normal()
        n_sessions = int(rng.integers(4, 9))
        phq = float(np.clip(rng.normal(16, 4), 5, 27))
        for session in range(1, n_sessions + 1):
            today = level + 0.25 * np.log(session) + rng.normal(0, 0.5)
            base = {
                "pid": pid,
                "episode": 1,
                "session": session,
                "days_since_intake": 7 * (session - 1),
                "modality": "video" if session % 3 == 0 else "in_person",
                "respondent": "client",
            }
            dims = [
                float(np.clip(round(14 + 2.5 * (today + rng.normal(0, 0.4))), 4, 20))
                for _ in range(3)
            ]
            scores = {
                ("wai-sr", "goal"): dims[0],
                ("wai-sr", "task"): dims[1],
                ("wai-sr", "bond"): dims[2],
                ("wai-sr", "total"): sum(dims),
                ("srs", "total"): float(np.clip(round(33 + 3 * today, 1), 0, 40)),
                ("phq9", "total"): float(round(phq)),
                ("who5", "total"): float(
                    np.clip(4 * round((52 + 9 * level + rng.normal(0, 10)) / 4), 0, 100)
                ),
                ("swls", "total"): float(np.clip(round(20 + 3 * level + rng.normal(0, 4)), 5, 35)),
            }
            for (instrument, scale), score in scores.items():
                missing = rng.random() < 0.05
                rows.append(
                    base
                    | {
                        "instrument": instrument,
                        "scale": scale,
                        "score": np.nan if missing else score,
                    }
                )
            phq = float(
                np.clip(
                    phq
                    - 0.6
                    - 0.5 * level
                    - 0.8 * (today - level)
                    + effect[practitioner]
                    + rng.normal(0, 1.5),
                    0,
                    27,
                )
            )
        ending = rng.choice(["", "planned", "dropped_out", "referred_on"], p=[0.3, 0.45, 0.2, 0.05])
        episodes.append(
            {
                "pid": pid,
                "episode": 1,
                "practitioner": practitioner,
                "kind": "coaching" if c % 5 == 0 else "therapy",
                "ending_reason": str(ending),
                "sessions_attended": n_sessions,
            }
        )
    long = pd.DataFrame(rows)
    order = ["pid", "episode", "session", "instrument", "scale", "respondent"]
    long = long.sort_values(order, kind="stable").reset_index(drop=True)
    columns = [
        "pid",
        "episode",
        "session",
        "days_since_intake",
        "modality",
        "respondent",
        "instrument",
        "scale",
        "score",
    ]
    return long[columns], pd.DataFrame(episodes)
