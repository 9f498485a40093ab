"""Property tests over every registered instrument: the two scorers agree, and bad input
raises only the documented validation errors.

``scoring.score`` is the readable reference and ``frame.score_frame`` the vectorised
scorer; their module docstrings promise the same rules (reverse keying, missing-data
rule, aggregation, transform, rounding, bands, flags) and that only ``MeasureError``
subclasses are raised for bad input.  Strategies are built from each instrument's schema
(response sets and items), so the tests cover whatever is registered.  A few synthetic
instruments (visual-analogue items, goal attainment scaling with weights, a conversion
table with pro-rating, reverse keying, non-contiguous options) are added so that every
scoring branch is exercised even before such an instrument is registered.

Sources: the rules under test are those stated in the docstrings of
``alliance.measures.scoring``, ``alliance.measures.frame`` and ``alliance.measures.errors``;
no published numbers are asserted here (instrument facts are tested per instrument).
"""

from __future__ import annotations

import fractions
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance.measures import (
    Instrument,
    MeasureError,
    RowError,
    ScoreResult,
    get_instrument,
    instrument_ids,
    score,
    score_frame,
)
from alliance.measures.schema import ResponseSet

# -- instruments ---------------------------------------------------------------------------


def _synthetic(**fields: Any) -> Instrument:
    base: dict[str, Any] = {
        "title": "Synthetic instrument for property tests",
        "version": "test",
        "citation": "none (synthetic)",
        "licence": "public-domain",
        "licence_note": "synthetic",
        "respondent": "client",
        "recall_period": "none",
    }
    return Instrument.model_validate(base | fields)


SYNTHETIC = {
    # Visual-analogue lines, conversion table with rounded pro-rating, reverse keying,
    # non-contiguous options, mean aggregation with a multiplier, item and scale flags.
    "synthetic-mixed": _synthetic(
        id="synthetic-mixed",
        kind="outcome",
        response_sets={
            "likert": {"options": [1, 2, 3, 4, 5]},
            "sparse": {"options": [0, 2, 5]},
            "line": {"vas": {"min": 0, "max": 10, "step": 0.1}},
        },
        items=[
            {"id": "m_1", "response_set": "likert"},
            {"id": "m_2", "response_set": "likert"},
            {"id": "m_3", "response_set": "likert"},
            {"id": "m_4", "response_set": "sparse"},
            {"id": "m_5", "response_set": "sparse"},
            {"id": "m_6", "response_set": "line"},
            {"id": "m_7", "response_set": "line"},
            {"id": "m_8", "response_set": "line"},
        ],
        scales=[
            {
                "id": "table",
                "title": "Conversion table",
                "items": ["m_1", "m_2", "m_3"],
                "aggregation": "sum",
                "reverse": ["m_2"],
                "missing": {"max_missing": 1, "method": "prorate", "round_prorated": True},
                "transform": {
                    "lookup": {r: round(7.0 + 1.37 * r + 0.05 * r * r, 2) for r in range(3, 16)},
                    "source": "synthetic",
                },
                "bands": [{"from": 0, "label": "low"}, {"from": 20.5, "label": "high"}],
                "bands_source": "synthetic",
            },
            {
                "id": "sparse_mean",
                "title": "Sparse options, mean",
                "items": ["m_4", "m_5"],
                "aggregation": "mean",
                "reverse": ["m_5"],
                "missing": {"max_missing": 1},
                "transform": {"multiply": 2.5, "source": "synthetic"},
            },
            {
                "id": "line_sum",
                "title": "Visual-analogue sum",
                "items": ["m_6", "m_7", "m_8"],
                "aggregation": "sum",
                "reverse": ["m_7"],
                "missing": {"max_missing": 1, "method": "prorate"},
                "bands": [
                    {"from": 0, "label": "a"},
                    {"from": 7.5, "label": "b"},
                    {"from": 12.3, "label": "c"},
                    {"from": 25, "label": "d"},
                ],
                "bands_source": "synthetic",
            },
            {
                "id": "overall",
                "title": "Mean of everything",
                "items": ["m_1", "m_2", "m_3", "m_4", "m_5", "m_6", "m_7", "m_8"],
                "aggregation": "mean",
                "reverse": ["m_2", "m_7"],
                "missing": {"max_missing": 3},
            },
        ],
        flags=[
            {
                "id": "line_high",
                "item": "m_6",
                "op": "ge",
                "value": 9.5,
                "description": "x",
                "source": "synthetic",
            },
            {
                "id": "sparse_top",
                "item": "m_4",
                "op": "eq",
                "value": 5,
                "description": "x",
                "source": "synthetic",
            },
            {
                "id": "line_low",
                "scale": "line_sum",
                "op": "lt",
                "value": 5.1,
                "description": "x",
                "source": "synthetic",
            },
            {
                "id": "table_high",
                "scale": "table",
                "op": "gt",
                "value": 30,
                "description": "x",
                "source": "synthetic",
            },
        ],
    ),
    # Goal attainment scaling: a variable number of goals (min_items), Kiresuk-Sherman T.
    "synthetic-gas": _synthetic(
        id="synthetic-gas",
        kind="goals",
        min_items=2,
        response_sets={"attainment": {"options": [-2, -1, 0, 1, 2]}},
        items=[{"id": f"goal_{n}", "response_set": "attainment"} for n in range(1, 6)],
        scales=[
            {
                "id": "t_score",
                "title": "Goal attainment T",
                "items": [f"goal_{n}" for n in range(1, 6)],
                "aggregation": "kiresuk_sherman",
                "inter_goal_correlation": 0.3,
                "missing": {"max_missing": 4, "method": "drop"},
                "bands": [
                    {"from": 0, "label": "below"},
                    {"from": 50, "label": "as expected"},
                    {"from": 60, "label": "above"},
                ],
                "bands_source": "synthetic",
            }
        ],
        flags=[
            {
                "id": "much_worse",
                "scale": "t_score",
                "op": "le",
                "value": 35,
                "description": "x",
                "source": "synthetic",
            }
        ],
    ),
}

REGISTERED = instrument_ids()
ALL_IDS = [*REGISTERED, *SYNTHETIC]


def instrument(instrument_id: str) -> Instrument:
    return SYNTHETIC[instrument_id] if instrument_id in SYNTHETIC else get_instrument(instrument_id)


def takes_weights(inst: Instrument) -> bool:
    return any(s.aggregation == "kiresuk_sherman" for s in inst.scales)


# -- strategies built from the schema --------------------------------------------------------


def _decimal(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def grid_size(rs: ResponseSet) -> int:
    assert rs.vas is not None
    return round((rs.vas.max - rs.vas.min) / rs.vas.step)


def vas_point(rs: ResponseSet, k: int) -> float:
    """The k-th grid point as a person would type it (e.g. 7/10 -> 0.7, not 0.7000000001)."""
    assert rs.vas is not None
    return float(_decimal(rs.vas.min) + k * _decimal(rs.vas.step))


def allowed_values(rs: ResponseSet) -> st.SearchStrategy[float | int]:
    if rs.options is not None:
        return st.sampled_from(sorted(rs.options))
    return st.integers(0, grid_size(rs)).map(lambda k: vas_point(rs, k))


def answer_or_none(rs: ResponseSet) -> st.SearchStrategy[float | int | None]:
    """An allowed value, or None (unanswered) about one time in five."""
    return st.integers(0, 4).flatmap(lambda k: st.none() if k == 0 else allowed_values(rs))


def answer_lists(inst: Instrument, max_rows: int = 12) -> st.SearchStrategy[list[list[Any]]]:
    """Rows of answers in item order; None means unanswered (about one cell in five)."""
    cells = [answer_or_none(inst.response_set_of(i)) for i in inst.item_ids]
    row = st.tuples(*cells).map(list)
    return st.lists(row, min_size=1, max_size=max_rows)


def goal_weights(inst: Instrument) -> st.SearchStrategy[dict[str, float] | None]:
    if not takes_weights(inst):
        return st.none()
    weight = st.floats(0.25, 8.0).map(lambda w: round(w, 2))
    return st.none() | st.dictionaries(st.sampled_from(inst.item_ids), weight, max_size=4)


def integer_dtypes_holding(low: float, high: float) -> list[str]:
    names = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
    return [n for n in names if np.iinfo(n).min <= low and high <= np.iinfo(n).max]


def dtype_choices(rs: ResponseSet, values: list[Any]) -> list[str]:
    """Column dtypes that hold ``values`` exactly (NaN for unanswered where needed)."""
    has_missing = any(v is None for v in values)
    integral = all(v is None or float(v).is_integer() for v in values)
    choices = ["float64", "object"]
    if integral:
        choices += ["float32", "Float64", "Int64"]
        if not has_missing:
            choices += integer_dtypes_holding(rs.low, rs.high)
    return choices


def make_column(values: list[Any], dtype: str) -> pd.Series:
    if dtype == "object":
        return pd.Series(values, dtype=object)
    if dtype in ("Float64", "Int64"):
        return pd.Series(pd.array(values, dtype=dtype))
    floats = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return pd.Series(floats.astype(dtype))


# -- comparing the two scorers ---------------------------------------------------------------


def expected_columns(inst: Instrument) -> list[str]:
    cols: list[str] = []
    for scale in inst.scales:
        cols.append(scale.id)
        if scale.bands:
            cols.append(f"{scale.id}_band")
    cols += [f"flag_{f.id}" for f in inst.flags]
    return cols


def assert_row_agrees(inst: Instrument, want: ScoreResult, got: pd.Series, where: str) -> None:
    for scale in inst.scales:
        g = got[scale.id]
        w = want.scores[scale.id]
        if w is None:
            assert math.isnan(g), f"{where} {scale.id}: score_frame gave {g!r}, score gave None"
        else:
            assert g == w, f"{where} {scale.id}: score_frame gave {g!r}, score gave {w!r}"
        if scale.bands:
            band = got[f"{scale.id}_band"]
            g_band = None if pd.isna(band) else band
            assert g_band == want.bands[scale.id], (
                f"{where} {scale.id}: band {g_band!r} from score_frame, "
                f"{want.bands[scale.id]!r} from score"
            )
    raised = {f.id for f in inst.flags if bool(got[f"flag_{f.id}"])}
    assert raised == set(want.flags), f"{where}: flags {raised} vs {set(want.flags)}"


def drop_unused_trailing(inst: Instrument, columns: dict[str, list[Any]]) -> list[str]:
    """Items beyond ``min_items`` that nobody answered may be left out of the table."""
    if inst.min_items is None:
        return []
    trailing = inst.item_ids[inst.required_items :]
    return [i for i in trailing if all(v is None for v in columns[i])]


@pytest.mark.parametrize("instrument_id", ALL_IDS)
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_score_and_score_frame_agree_row_by_row(instrument_id, data):
    inst = instrument(instrument_id)
    rows = data.draw(answer_lists(inst), label="rows")
    weights = data.draw(goal_weights(inst), label="weights")
    ids = inst.item_ids

    # score(): each missing answer as None, NaN, or an absent key.
    singles = []
    for row in rows:
        answers: dict[str, object] = {}
        for item_id, v in zip(ids, row, strict=True):
            if v is None:
                how = data.draw(st.sampled_from(["none", "nan", "absent"]), label="missing as")
                if how != "absent":
                    answers[item_id] = None if how == "none" else math.nan
            else:
                answers[item_id] = v
        singles.append(score(inst, answers, weights=weights))

    columns = {item_id: [row[n] for row in rows] for n, item_id in enumerate(ids)}
    index_kind = data.draw(st.sampled_from(["range", "reversed", "labels"]), label="index")
    index = {
        "range": pd.RangeIndex(len(rows)),
        "reversed": pd.Index(list(range(len(rows)))[::-1]) * 7,
        "labels": pd.Index([f"r{n}" for n in range(len(rows))]),
    }[index_kind]
    absent = data.draw(st.sampled_from([[], drop_unused_trailing(inst, columns)]), label="drop")

    # 1. All float64 columns, NaN for unanswered.
    as_float = pd.DataFrame(
        {
            i: np.array([np.nan if v is None else v for v in columns[i]], dtype=np.float64)
            for i in ids
            if i not in absent
        },
        index=index,
    )
    # 2. Each column in a dtype that holds it: integer dtypes where nothing is missing.
    dtypes = {
        i: data.draw(st.sampled_from(dtype_choices(inst.response_set_of(i), columns[i])), label=i)
        for i in ids
    }
    mixed = pd.DataFrame(
        {i: make_column(columns[i], dtypes[i]) for i in ids if i not in absent}
    ).set_index(index)

    for name, frame in (("float64", as_float), ("mixed dtypes", mixed)):
        out = score_frame(inst, frame, weights=weights)
        assert sorted(out.columns) == sorted(expected_columns(inst))  # any order
        assert out.index.equals(frame.index)
        for n, want in enumerate(singles):
            assert_row_agrees(inst, want, out.iloc[n], f"{name} frame, row {n}:")


# -- garbage in, MeasureError out --------------------------------------------------------------


class Opaque:
    """An arbitrary object that is neither a number nor a string."""

    def __repr__(self) -> str:
        return "Opaque()"


ODD_SCALARS = st.sampled_from(
    [
        np.int8(3),
        np.uint64(2**64 - 1),
        np.float16(1.0),
        np.float32(0.1),
        np.float32("nan"),
        np.float64("inf"),
        np.bool_(True),
        np.datetime64("2020-01-01"),
        np.str_("1"),
        pd.NA,
        pd.NaT,
        pd.Timestamp("2020-01-01"),
        Decimal("NaN"),
        Decimal("1"),
        fractions.Fraction(1, 3),
        10**400,
        -(10**400),
        2**63,
        1e300,
        -0.0,
        1j,
        Opaque(),
        object(),
        b"1",
        "1",
        "",
        [1],
        (1,),
        {1},
        {"a": 1},
        Ellipsis,
    ]
)

GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**62, max_value=2**80) | st.integers(max_value=-(2**62)),
    st.floats(),
    st.floats(-1e6, 1e6).map(lambda x: round(x, 3)),
    st.text(max_size=4),
    st.binary(max_size=2),
    st.fractions(),
    st.decimals(),
    st.complex_numbers(),
    st.lists(st.integers(), max_size=2),
    ODD_SCALARS,
)


def near_misses(rs: ResponseSet) -> st.SearchStrategy[Any]:
    """Numbers close to allowed ones: negative, just off the VAS grid, out of range."""
    nudges = st.sampled_from([-1.0, 1.0, 0.5, 1e-3, -1e-3, 1e-5, 1.7, 100.0, -0.1])
    base = allowed_values(rs)
    return st.one_of(
        st.tuples(base, nudges).map(lambda t: t[0] + t[1]),
        base.map(lambda v: -v - 1),
        st.just(rs.low - 1),
        st.just(rs.high + 1),
    )


def cell_values(inst: Instrument, item_id: str) -> st.SearchStrategy[Any]:
    rs = inst.response_set_of(item_id)
    return st.one_of(allowed_values(rs), near_misses(rs), GARBAGE)


NON_MAPPINGS = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=4),
    st.lists(st.integers(), max_size=3),
    st.tuples(st.text(max_size=2), st.integers()),
    st.just(np.array([1, 2, 3])),
    st.just(pd.Series([1, 2])),
    st.just(pd.DataFrame({"a": [1]})),
    ODD_SCALARS,
)


def garbage_weights(inst: Instrument) -> st.SearchStrategy[Any]:
    keys = st.one_of(st.sampled_from(inst.item_ids), st.text(max_size=3), st.integers())
    values = st.one_of(st.floats(0.1, 10), GARBAGE)
    return st.one_of(
        st.none(),
        st.just({}),
        goal_weights(inst),
        st.dictionaries(keys, values, max_size=3),
        NON_MAPPINGS,
        st.just(np.array([1.0, 2.0])),
        st.just(pd.Series({inst.item_ids[0]: 2.0})),
    )


def garbage_answers(inst: Instrument) -> st.SearchStrategy[Any]:
    item_key = st.sampled_from(inst.item_ids)
    odd_key = st.one_of(st.text(max_size=6), st.integers(), st.none(), st.floats())
    valid_values = {i: cell_values(inst, i) for i in inst.item_ids}
    mostly_items = st.lists(item_key, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({k: valid_values[k] for k in keys})
    )
    return st.one_of(
        mostly_items,
        st.builds(lambda a, b: a | b, mostly_items, st.dictionaries(odd_key, GARBAGE, max_size=2)),
        NON_MAPPINGS,
    )


@pytest.mark.parametrize("instrument_id", ALL_IDS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_score_raises_only_measure_errors_on_any_input(instrument_id, data):
    inst = instrument(instrument_id)
    answers = data.draw(garbage_answers(inst), label="answers")
    weights = data.draw(garbage_weights(inst), label="weights")
    try:
        result = score(inst, answers, weights=weights)
    except MeasureError as exc:
        assert str(exc).startswith(f"{inst.id}:"), f"message does not name the instrument: {exc}"
        return
    assert isinstance(result, ScoreResult)
    assert set(result.scores) == {s.id for s in inst.scales}


def valid_column(inst: Instrument, item_id: str, n_rows: int) -> st.SearchStrategy[pd.Series]:
    rs = inst.response_set_of(item_id)
    cells = st.lists(answer_or_none(rs), min_size=n_rows, max_size=n_rows)
    return cells.flatmap(
        lambda v: st.sampled_from(dtype_choices(rs, v)).map(lambda d: make_column(v, d))
    )


def garbage_column(inst: Instrument, item_id: str, n_rows: int) -> st.SearchStrategy[pd.Series]:
    """A column of the right length holding odd types, odd dtypes or out-of-range numbers."""
    rs = inst.response_set_of(item_id)

    def rows(cell: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
        return st.lists(cell, min_size=n_rows, max_size=n_rows)

    n = st.just(n_rows)
    return st.one_of(
        rows(cell_values(inst, item_id)).map(lambda v: pd.Series(v, dtype=object)),
        rows(st.one_of(st.floats(), near_misses(rs), allowed_values(rs))).map(
            lambda v: pd.Series(v, dtype="float64")
        ),
        st.tuples(
            rows(st.integers(0, 255)), st.sampled_from(["int8", "int64", "uint8", "Int64"])
        ).map(lambda t: pd.Series(np.array(t[0], dtype=np.int64)).astype(t[1])),
        rows(st.booleans()).map(lambda v: pd.Series(v, dtype=bool)),
        rows(st.one_of(st.text(max_size=3), st.none())).map(lambda v: pd.Series(v, dtype="str")),
        n.map(lambda k: pd.Series(pd.date_range("2020-01-01", periods=k))),
        rows(answer_or_none(rs)).map(lambda v: pd.Series(pd.Categorical(v))),
        n.map(lambda k: pd.Series(np.full(k, 2**64 - 1, dtype=np.uint64))),
        n.map(lambda k: pd.Series(np.full(k, 1 + 1j))),
    )


def garbage_frames(inst: Instrument) -> st.SearchStrategy[Any]:
    """Mostly valid tables with one or two bad columns, a missing column or extra columns."""

    @st.composite
    def frames(draw: st.DrawFn) -> pd.DataFrame:
        ids = inst.item_ids
        n_rows = draw(st.integers(0, 5), label="n_rows")
        bad = draw(st.lists(st.sampled_from(ids), max_size=2, unique=True), label="bad columns")
        absent = draw(st.lists(st.sampled_from(ids), max_size=1), label="absent columns")
        columns: dict[Any, pd.Series] = {}
        for item_id in ids:
            if item_id in absent:
                continue
            column = garbage_column if item_id in bad else valid_column
            columns[item_id] = draw(column(inst, item_id, n_rows), label=item_id)
        extra = draw(st.lists(st.one_of(st.text(max_size=4), st.integers()), max_size=2))
        for name in extra:
            if name not in columns:
                columns[name] = pd.Series([Opaque()] * n_rows, dtype=object)
        frame = pd.DataFrame(columns)
        frame.index = pd.RangeIndex(n_rows)
        if columns and draw(st.integers(0, 14), label="duplicate a column") == 0:
            first = frame.columns[0]
            frame = pd.concat([frame, frame[[first]]], axis=1)
        return frame

    return frames() | NON_MAPPINGS | st.just(pd.Series([1, 2]))


@pytest.mark.parametrize("instrument_id", ALL_IDS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_score_frame_raises_only_measure_errors_on_any_table(instrument_id, data):
    inst = instrument(instrument_id)
    frame = data.draw(garbage_frames(inst), label="frame")
    weights = data.draw(garbage_weights(inst), label="weights")
    try:
        out = score_frame(inst, frame, weights=weights)
    except RowError as exc:
        assert exc.instrument == inst.id
        assert exc.item in inst.item_ids
        assert 0 <= exc.row < len(frame)
        return
    except MeasureError as exc:
        assert str(exc).startswith(f"{inst.id}:"), f"message does not name the instrument: {exc}"
        return
    assert sorted(out.columns) == sorted(expected_columns(inst))
    assert len(out) == len(frame)


@pytest.mark.parametrize("instrument_id", ALL_IDS)
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_both_scorers_accept_and_refuse_the_same_single_answers(instrument_id, data):
    """One odd cell in an otherwise valid response: accepted by both scorers or by neither."""
    inst = instrument(instrument_id)
    row = data.draw(answer_lists(inst, max_rows=1), label="row")[0]
    answers = dict(zip(inst.item_ids, row, strict=True))
    item_id = data.draw(st.sampled_from(inst.item_ids), label="item")
    answers[item_id] = data.draw(cell_values(inst, item_id), label="value")
    try:
        want: ScoreResult | None = score(inst, answers)
    except MeasureError:
        want = None
    frame = pd.DataFrame({i: pd.Series([answers[i]], dtype=object) for i in inst.item_ids})
    try:
        got: pd.Series | None = score_frame(inst, frame).iloc[0]
    except MeasureError:
        got = None
    assert (want is None) == (got is None), (
        f"{item_id}={answers[item_id]!r}: score "
        + ("refused" if want is None else "accepted")
        + ", score_frame "
        + ("refused" if got is None else "accepted")
    )
    if want is not None and got is not None:
        assert_row_agrees(inst, want, got, f"{item_id}={answers[item_id]!r}:")


# -- regressions: the minimal examples hypothesis found ----------------------------------------


def _a_valid_response(inst: Instrument) -> dict[str, object]:
    return {i: inst.response_set_of(i).low for i in inst.item_ids}


def _refuses_with_measure_error(call: Any) -> None:
    try:
        call()
    except MeasureError:
        return
    except Exception as exc:  # the bug: anything but a MeasureError escapes
        pytest.fail(f"raised {type(exc).__name__}: {exc}")
    pytest.fail("accepted the input")


def test_score_refuses_an_integer_too_large_for_a_float_with_a_measure_error():
    answers = _a_valid_response(get_instrument("phq9")) | {"phq9_1": 10**400}
    _refuses_with_measure_error(lambda: score("phq9", answers))


def test_score_frame_refuses_an_integer_too_large_for_a_float_with_a_measure_error():
    inst = get_instrument("phq9")
    frame = pd.DataFrame({i: pd.Series([0], dtype=object) for i in inst.item_ids})
    frame["phq9_1"] = pd.Series([10**400], dtype=object)
    _refuses_with_measure_error(lambda: score_frame("phq9", frame))


def test_score_frame_refuses_a_signalling_decimal_nan_with_a_measure_error():
    inst = get_instrument("phq9")
    frame = pd.DataFrame({i: pd.Series([0], dtype=object) for i in inst.item_ids})
    frame["phq9_1"] = pd.Series([Decimal("sNaN")], dtype=object)
    _refuses_with_measure_error(lambda: score_frame("phq9", frame))


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "uint32", "uint64", "int32", "int64"])
def test_score_frame_sums_integer_columns_of_any_width(dtype):
    # 9 items answered 2 -> 18 ("moderately severe", 15-19); one row of 1s -> 9 ("mild").
    inst = get_instrument("phq9")
    frame = pd.DataFrame({i: np.array([2, 1], dtype=dtype) for i in inst.item_ids})
    out = score_frame("phq9", frame)
    assert out["total"].tolist() == [18.0, 9.0]
    assert out["total_band"].tolist() == ["moderately severe", "mild"]


def test_score_frame_refuses_duplicate_item_columns_with_a_measure_error():
    inst = get_instrument("phq9")
    frame = pd.DataFrame([[0] * 10], columns=[*inst.item_ids, "phq9_1"])
    _refuses_with_measure_error(lambda: score_frame("phq9", frame))


@pytest.mark.parametrize(
    "weights",
    [np.array([1.0]), pd.Series({"goal_1": 2.0}), pd.NA, ["goal_1"], "goal_1", 2.0],
    ids=["array", "series", "pd-NA", "list", "str", "float"],
)
def test_weights_that_are_not_a_mapping_are_refused_with_a_measure_error(weights):
    gas = SYNTHETIC["synthetic-gas"]
    _refuses_with_measure_error(lambda: score(gas, {"goal_1": 1, "goal_2": 0}, weights=weights))
    frame = pd.DataFrame({"goal_1": [1], "goal_2": [0]})
    _refuses_with_measure_error(lambda: score_frame(gas, frame, weights=weights))


def _outcome(call: Any) -> float | str:
    try:
        return float(call())
    except MeasureError:
        return "refused"
    except Exception as exc:
        return f"raised {type(exc).__name__}"


@pytest.mark.parametrize("weight", [10**400, 1e160, 1e-170], ids=["10**400", "1e160", "1e-170"])
def test_extreme_goal_weights_are_refused_or_scored_right_by_both_scorers(weight):
    # T = 50 + 10 * sum(w x) / sqrt((1 - rho) sum(w^2) + rho (sum w)^2) does not change when
    # every weight is multiplied by the same factor, so with both goals weighted alike the
    # answers (1, 0) with rho = 0.3 must score as unweighted goals:
    # 50 + 10 * 1 / sqrt(0.7 * 2 + 0.3 * 2**2) = 50 + 10 / sqrt(2.6) = 56.2017...
    gas = SYNTHETIC["synthetic-gas"]
    weights = {"goal_1": weight, "goal_2": weight}
    answers = {"goal_1": 1, "goal_2": 0}
    frame = pd.DataFrame({"goal_1": [1], "goal_2": [0]})
    one = _outcome(lambda: score(gas, answers, weights=weights).scores["t_score"])
    table = _outcome(lambda: score_frame(gas, frame, weights=weights)["t_score"].iloc[0])
    if one == "refused" and table == "refused":
        return
    assert one == pytest.approx(56.2017, abs=1e-4), f"score: {one}"
    assert table == pytest.approx(56.2017, abs=1e-4), f"score_frame: {table}"


@pytest.mark.parametrize(
    "value",
    [np.float32("nan"), pd.NA, pd.NaT, Decimal("NaN"), fractions.Fraction(1, 1)],
    ids=["float32-nan", "pd-NA", "NaT", "decimal-nan", "fraction"],
)
def test_score_and_score_frame_treat_odd_missing_markers_and_numbers_alike(value):
    inst = get_instrument("phq9")
    answers = _a_valid_response(inst) | {"phq9_1": value}
    try:
        score("phq9", answers)
        scalar = "accepted"
    except MeasureError:
        scalar = "refused"
    frame = pd.DataFrame({i: pd.Series([v], dtype=object) for i, v in answers.items()})
    try:
        score_frame("phq9", frame)
        table = "accepted"
    except MeasureError:
        table = "refused"
    assert scalar == table, f"{value!r}: score {scalar} it, score_frame {table} it"
