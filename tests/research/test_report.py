"""`alliance.research.report`: a report built from synthetic practice data (report_data.py).

The report's numbers are checked against the CLI (`alliance correlate`, `alliance
effectiveness`) and the library functions called directly on the frames the report keeps in
``report.data``; the HTML is checked against the JSON.
"""

import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from alliance.cli import main
from alliance.research.early import early_alliance
from alliance.research.multilevel import alliance_outcome_model
from alliance.research.report import (
    ReportInput,
    build_report,
    render_html,
    report_json,
)
from tests.research.report_data import synthetic


@pytest.fixture(scope="module")
def report():
    long, episodes = synthetic()
    return build_report(ReportInput.from_frames(long, episodes, source="synthetic practice"))


@pytest.fixture(scope="module")
def numbers(report):
    return json.loads(json.dumps(report_json(report), allow_nan=False))


@pytest.fixture(scope="module")
def html(report):
    return render_html(report)


def run(capsys, *argv: str) -> dict:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    return json.loads(out)


def test_every_section_is_computed_from_the_synthetic_practice(numbers):
    sections = numbers["sections"]
    assert list(sections) == [
        "summary",
        "correlations",
        "multilevel",
        "early_alliance",
        "effectiveness",
        "practitioners",
    ]
    assert [k for k, s in sections.items() if not s["available"]] == []
    summary = sections["summary"]["values"]
    assert (summary["n_clients"], summary["n_episodes"], summary["n_practitioners"]) == (90, 90, 8)
    assert numbers["options"]["alliance"] == "wai_sr_total"
    assert numbers["options"]["outcome"] == "phq9_total"  # an outcome measure before wellbeing


def test_the_correlations_pair_every_alliance_scale_with_every_outcome(numbers):
    values = numbers["sections"]["correlations"]["values"]
    assert values["pairing"] == "client_means"
    assert values["x"] == ["srs_total", "wai_sr_goal", "wai_sr_task", "wai_sr_bond", "wai_sr_total"]
    assert values["y"] == ["phq9_total", "swls_total", "who5_total"]
    rows = numbers["sections"]["correlations"]["tables"]["results"]
    assert len(rows) == 15 and all(row["n"] == 90 for row in rows)
    by_pair = {(row["x"], row["y"]): row["r"] for row in rows}
    # the synthetic wellbeing scores rise with the alliance level, the PHQ-9 falls with it
    assert by_pair["wai_sr_bond", "who5_total"] > 0.5
    assert by_pair["wai_sr_total", "phq9_total"] < 0


def test_the_correlation_rows_equal_what_alliance_correlate_prints(
    report, numbers, tmp_path, capsys
):
    path = tmp_path / "means.csv"
    report.data["correlations"].to_csv(path, index=False)
    values = numbers["sections"]["correlations"]["values"]
    printed = run(
        capsys,
        *("correlate", "--input", str(path), "--x", ",".join(values["x"])),
        *("--y", ",".join(values["y"]), "--format", "json"),
    )
    assert printed["results"] == numbers["sections"]["correlations"]["tables"]["results"]


def test_the_correlated_rows_are_per_client_means_of_the_sessions(report):
    sessions = report.data["sessions"]
    means = report.data["correlations"].set_index("pid")
    client = means.index[7]
    expected = sessions.loc[sessions["pid"] == client, "wai_sr_goal"].mean()
    assert means.loc[client, "wai_sr_goal"] == pytest.approx(expected)
    assert len(means) == sessions["pid"].nunique()


def test_the_multilevel_section_equals_the_model_fitted_directly(report, numbers):
    sessions = report.data["sessions"]
    model = alliance_outcome_model(
        sessions,
        "case",
        "session",
        "wai_sr_total",
        "phq9_total",
        "practitioner",
        control_intake=True,
    )
    section = numbers["sections"]["multilevel"]
    assert section["tables"]["coefficients"] == model.coefficients.to_dict(orient="records")
    assert section["values"]["variance_share"] == pytest.approx(model.variance_share, rel=1e-12)
    assert section["values"]["practitioner_level"] is model.practitioner_level is True


def test_the_early_alliance_section_equals_the_library_and_plots_three_tertiles(report, numbers):
    result = early_alliance(
        report.data["sessions"], "case", "session", "wai_sr_total", "phq9_total"
    )
    section = numbers["sections"]["early_alliance"]
    assert section["tables"]["regression"] == result.regression.to_dict(orient="records")
    assert section["values"]["n_clients"] == result.n_clients
    svg = report.section("early_alliance").figures[0].svg
    assert svg.count("<polyline") == 3
    assert all(f"{t} early alliance" in svg for t in ("low", "middle", "high"))
    changes = {row["tertile"]: row["mean_change"] for row in section["tables"]["tertiles"]}
    assert changes["high"] < changes["low"]  # a higher early alliance, a larger PHQ-9 drop


def test_effectiveness_and_practitioners_equal_alliance_effectiveness(
    report, numbers, tmp_path, capsys
):
    path = tmp_path / "episodes.csv"
    report.data["episodes"].to_csv(path, index=False)
    printed = run(
        capsys,
        *("effectiveness", "--input", str(path), "--client-col", "case", "--pre-col", "pre"),
        *("--post-col", "post", "--instrument", "phq9", "--practitioner-col", "practitioner"),
        *("--sessions-col", "sessions", "--ended-reason-col", "ending_reason", "--format", "json"),
    )
    sections = numbers["sections"]
    assert sections["effectiveness"]["tables"]["overall"] == [printed["overall"]]
    assert (
        sections["practitioners"]["tables"]["practitioners"]
        == printed["practitioner_effects"]["table"]
    )
    assert sections["practitioners"]["values"]["icc"] == printed["practitioner_effects"]["icc"]


def test_the_caterpillar_plot_lists_practitioners_best_first(report):
    section = report.section("practitioners")
    svg = section.figures[0].svg
    table = section.table("practitioners")
    positions = [svg.index(f">{who}</text>") for who in table["practitioner"]]
    assert positions == sorted(positions)
    # the practitioner with two clients is pulled further toward the practice mean
    shrinkage = table.set_index("practitioner")["shrinkage"]
    assert shrinkage["t8"] == shrinkage.max()


class Tables(HTMLParser):
    """Every <table data-section data-table>: its column names and, per row, the printed text
    and data-value of each cell."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[tuple[str, str], dict] = {}
        self.current = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.current = {"columns": [], "rows": []}
            self.tables[attrs["data-section"], attrs["data-table"]] = self.current
        elif self.current is not None and tag == "th":
            self.current["columns"].append(attrs["data-column"])
        elif self.current is not None and tag == "tr":
            self.current["rows"].append([])
        elif self.current is not None and tag == "td":
            self.cell = {"value": attrs.get("data-value"), "text": ""}

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.current["rows"][-1].append(self.cell)
            self.cell = None
        elif tag == "table":
            self.current = None


def printed_matches(text: str, value) -> bool:
    if value is None:
        return text == "NA"
    if isinstance(value, bool):
        return text == ("yes" if value else "no")
    if isinstance(value, str):
        return text == value
    if isinstance(value, int):
        return int(text) == value
    if text == "< 0.001":
        return value < 0.001
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(float(text) - value) <= 0.5 * 10**-decimals + 1e-12


def test_every_number_printed_in_the_html_tables_matches_the_json(html, numbers):
    parser = Tables()
    parser.feed(html)
    expected = {
        (key, name): rows
        for key, section in numbers["sections"].items()
        for name, rows in section["tables"].items()
    }
    assert set(parser.tables) == set(expected)
    checked = 0
    for key, rows in expected.items():
        table = parser.tables[key]
        assert table["columns"] == list(rows[0])
        body = [row for row in table["rows"] if row]
        assert len(body) == len(rows)
        for cells, row in zip(body, rows, strict=True):
            for cell, (column, value) in zip(cells, row.items(), strict=True):
                assert printed_matches(cell["text"], value), (key, column, cell, value)
                if isinstance(value, float):
                    assert float(cell["value"]) == value
                    checked += 1
    assert checked > 200


def test_the_html_is_one_self_contained_file(html):
    assert html.startswith("<!DOCTYPE html>")
    lowered = html.lower()
    for external in ("<script", "<link", "src=", "url(", "http://", "https://", "@import"):
        assert external not in lowered.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert lowered.count("<svg") == 3  # heat map, trajectories, caterpillar


def test_the_heat_map_prints_each_coefficient_in_its_cell(report):
    svg = report.section("correlations").figures[0].svg
    results = report.section("correlations").table("results")
    for row in results.itertuples():
        mark = "*" if row.p_adj < 0.05 else ""
        assert f">{row.r:.2f}{mark}</text>" in svg


def test_the_report_states_how_the_correlations_pair_scores(html):
    assert "one row per client, each variable averaged over all the client" in html


def test_sessions_pairing_correlates_same_session_scores_with_a_recorded_bootstrap_seed(tmp_path):
    long, episodes = synthetic(n_clients=30, seed=2)
    built = build_report(
        ReportInput.from_frames(long, episodes),
        pairing="session",
        ci="bootstrap",
        n_boot=300,
        analyses=["correlations"],
    )
    section = report_json(built)["sections"]["correlations"]
    sessions = built.data["sessions"]
    assert section["values"]["n_rows"] == len(sessions) == len(built.data["correlations"])
    seed = built.options["seed"]
    assert isinstance(seed, int) and section["values"]["seed"] == seed
    again = build_report(
        ReportInput.from_frames(long, episodes),
        pairing="session",
        ci="bootstrap",
        n_boot=300,
        seed=seed,
        analyses=["correlations"],
    )
    assert report_json(again)["sections"]["correlations"] == section
    assert report_json(built)["sections"]["multilevel"]["reason"].startswith("Not requested")


def test_unknown_options_raise_naming_what_is_allowed(report):
    long, episodes = synthetic(n_clients=12, seed=3)
    data = ReportInput.from_frames(long, episodes)
    with pytest.raises(ValueError, match=r"pairing: 'pairs'; expected one of"):
        build_report(data, pairing="pairs")
    with pytest.raises(ValueError, match=r"x: unknown variables \['goal'\]; the data have"):
        build_report(data, x=["goal"])
    with pytest.raises(ValueError, match=r"outcome: wai_sr_goal has no direction"):
        build_report(data, outcome="wai_sr_goal")
    with pytest.raises(ValueError, match=r"analyses: unknown \['plots'\]"):
        build_report(data, analyses=["plots"])


def test_writing_the_data_frames_keeps_them_readable(report, tmp_path: Path):
    path = tmp_path / "sessions.csv"
    report.data["sessions"].to_csv(path, index=False)
    assert list(pd.read_csv(path).columns[:7]) == [
        "pid",
        "episode",
        "session",
        "days_since_intake",
        "modality",
        "case",
        "practitioner",
    ]


def test_a_fragment_carries_its_own_scoped_style_and_the_same_tables(report, html):
    fragment = render_html(report, fragment=True)
    assert fragment.startswith('<div class="alliance-report"><style>')
    assert "<html" not in fragment and "<body" not in fragment and "@page" not in fragment
    style = fragment[fragment.index("<style>") + 7 : fragment.index("</style>")]
    rules = [rule.split("{")[0].strip() for rule in style.split("}") if "{" in rule]
    selectors = [s.strip() for r in rules if not r.startswith("@") for s in r.split(",")]
    assert selectors and all(s.startswith(".alliance-report") for s in selectors)
    assert fragment[fragment.index("<header>") :] in html
