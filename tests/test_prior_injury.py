"""A previous calf injury in the profile raises every overuse finding one level (a high one
stays high), says so in its message and evidence, and keeps the severity the training alone
gave as ``raised_from``, in every report format. The other findings do not change."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import date, timedelta

import pytest

from analyzer.guide import Cause
from analyzer.metrics.summary import ActivitySummary
from analyzer.model import Sport
from analyzer.pipeline import Analysis
from analyzer.report.csv_report import findings_csv
from analyzer.report.html_report import render_html, rule_card
from analyzer.report.json_report import render_json
from analyzer.report.markdown import render_markdown
from analyzer.report.terminal import make_console, render_terminal
from analyzer.rules import RULES, Finding, Severity, raised, weighs_more
from tests.report.conftest import flat
from tests.report.schema_check import validate_report
from tests.rules_history import MONDAY, PROFILE, analysis_of, steady_weeks, summaries

WEEK8 = MONDAY + timedelta(weeks=7)
SPIKE_DAY = WEEK8 + timedelta(days=6)  # week 8's long run: 30 km in the heat
LAST_DAY = MONDAY + timedelta(weeks=9, days=-1)  # the history is 9 steady weeks
INJURED = dataclasses.replace(PROFILE, birth_year=1975, prior_calf_injury=True)

CAUTION, HIGH, INFO = Severity.CAUTION, Severity.HIGH, Severity.INFO
# (rule, date, severity, raised_from), in the assessment's order: highest severity first
WITHOUT = [
    ("session_spike", SPIKE_DAY, HIGH, None),
    ("intensity_spike", WEEK8, CAUTION, None),
    ("weekly_increase", WEEK8, CAUTION, None),
    ("heat", SPIKE_DAY, CAUTION, None),  # hydration
    ("acwr", WEEK8, INFO, None),
    ("age", LAST_DAY, INFO, None),
]
WITH = [
    ("intensity_spike", WEEK8, HIGH, CAUTION),
    ("weekly_increase", WEEK8, HIGH, CAUTION),
    ("session_spike", SPIKE_DAY, HIGH, None),  # high already: nothing higher
    ("heat", SPIKE_DAY, CAUTION, None),  # not overuse: as it was
    ("acwr", WEEK8, INFO, None),  # context only, never a risk score: as it was
    ("age", LAST_DAY, INFO, None),  # not overuse: as it was
]
RAISED_FROM_CAUTION = (
    " Raised from caution: a previous calf injury is associated with a higher risk of another."
)
RAISED_FROM_INFO = (
    " Raised from info: a previous calf injury is associated with a higher risk of another."
)


@pytest.fixture(scope="module")
def runs() -> list[ActivitySummary]:
    sessions = [
        dataclasses.replace(s, km=30.0, temperature_c=27.0)
        if s.day == SPIKE_DAY and s.sport is Sport.RUNNING
        else s
        for s in steady_weeks(9)
    ]
    return summaries(sessions)


def _analysis(runs: list[ActivitySummary], prior_calf_injury: bool | None) -> Analysis:
    profile = dataclasses.replace(INJURED, prior_calf_injury=prior_calf_injury)
    return analysis_of(runs, today=LAST_DAY, profile=profile)


def _findings(analysis: Analysis) -> list[Finding]:
    assert analysis.assessment is not None
    return analysis.assessment.findings


def _table(findings: list[Finding]) -> list[tuple[str, date, Severity, Severity | None]]:
    return [(f.rule, f.date, f.severity, f.raised_from) for f in findings]


def test_overuse_findings_are_raised_one_level_and_the_others_are_not(
    runs: list[ActivitySummary],
) -> None:
    assert _table(_findings(_analysis(runs, None))) == WITHOUT
    assert _table(_findings(_analysis(runs, True))) == WITH


def test_no_or_an_unknown_previous_injury_changes_nothing(runs: list[ActivitySummary]) -> None:
    assert _findings(_analysis(runs, False)) == _findings(_analysis(runs, None))


def test_a_raised_finding_says_why_and_names_the_evidence(runs: list[ActivitySummary]) -> None:
    before = {(f.rule, f.date): f for f in _findings(_analysis(runs, None))}
    after = _findings(_analysis(runs, True))
    assert sum(f.raised_from is not None for f in after) == 2
    for f in after:
        was = before[(f.rule, f.date)]
        if f.raised_from is None:
            assert f == was  # the high spike, heat and age: not a character changed
            continue
        assert f.raised_from is was.severity
        sentence = RAISED_FROM_CAUTION if was.severity is CAUTION else RAISED_FROM_INFO
        assert f.message == was.message + sentence
        assert f.evidence.startswith(
            was.evidence + " Raised for a previous calf injury: Hulme et al., Sports Med "
            "2017;47(5):869-86 (systematic review of 73 studies: a history of previous injury "
            "associated with more running-related injuries); van der Worp et al., PLoS One "
            "2015;10(2):e0114937 (systematic review: "
        )
        assert "Green and Pizzari, BJSM 2017;51(16):1189-94 (a previous calf strain" in f.evidence
        assert f.evidence.endswith(
            "Strength: moderate for the association (observational studies); no study tested "
            "whether a previous injury makes a change in training riskier, so the raise is a "
            "precaution."
        )
        assert "causes" not in f.message + f.evidence.removeprefix(was.evidence)
        # everything else (advice, values, the run or week) is the finding the training gave
        unraised = dataclasses.replace(
            f, severity=was.severity, message=was.message, evidence=was.evidence, raised_from=None
        )
        assert unraised == was


def test_the_json_report_keeps_the_severity_before_the_raise(runs: list[ActivitySummary]) -> None:
    for prior, expected in ((None, WITHOUT), (True, WITH)):
        document = json.loads(render_json(_analysis(runs, prior)))
        validate_report(document)
        assert document["settings"]["profile"]["prior_calf_injury"] is prior
        assert [(f["rule"], f["severity"], f["raised_from"]) for f in document["findings"]] == [
            (rule, severity.label, raised and raised.label)
            for rule, _, severity, raised in expected
        ]


def test_csv_has_the_raised_from_column(runs: list[ActivitySummary]) -> None:
    rows = list(csv.DictReader(io.StringIO(findings_csv(_analysis(runs, True)))))
    assert [(r["rule"], r["severity"], r["raised_from"]) for r in rows] == [
        (rule, severity.label, raised.label if raised else "") for rule, _, severity, raised in WITH
    ]
    assert rows[0]["message"].endswith(RAISED_FROM_CAUTION)


def test_markdown_shows_the_messages_and_the_evidence(runs: list[ActivitySummary]) -> None:
    text = render_markdown(_analysis(runs, True))
    assert text.count("Raised from caution:") == 2 * 2  # the table of now, and under the cause
    assert "Raised from info:" not in text  # acwr, the only info overuse finding, is context
    evidence = text.split("## Evidence behind these findings")[1].split("\n## ")[0]
    assert "- **Previous calf injury** (from the profile; overuse findings raised one level): " \
        "Hulme et al., Sports Med 2017" in evidence  # fmt: skip
    assert "Previous calf injury" not in render_markdown(_analysis(runs, None))


def test_html_cards_name_the_evidence_where_a_finding_was_raised(
    runs: list[ActivitySummary],
) -> None:
    page = render_html(_analysis(runs, True))
    cards = {
        rule: page.split(f'id="rule-{rule}">')[1].split('<p class="evidence">')[1].split("</p>")[0]
        for rule in ("weekly_increase", "intensity_spike", "acwr", "session_spike", "heat")
    }
    for rule in ("weekly_increase", "intensity_spike"):
        assert "Raised for a previous calf injury: Hulme et al." in cards[rule], rule
    for rule in ("session_spike", "heat", "acwr"):  # nothing raised: the rule's own evidence only
        assert "Raised for" not in cards[rule], rule
    assert "Raised from caution: a previous calf injury is associated" in page


def test_an_html_card_led_by_a_high_finding_still_names_the_raise() -> None:
    """A spike already high comes first in its card; a later one raised from caution must
    still bring the previous-injury evidence into the card's one evidence paragraph."""

    def spike(day: date, severity: Severity) -> Finding:
        rule = RULES["session_spike"]
        evidence = f"{rule.evidence}. Strength: {rule.strength}."
        return Finding("session_spike", Cause.OVERUSE, severity, day, "A run.", "-", evidence)

    findings = [spike(SPIKE_DAY, HIGH), raised(spike(WEEK8, CAUTION))]
    assert [(f.severity, f.raised_from) for f in findings] == [(HIGH, None), (HIGH, CAUTION)]
    card = rule_card(findings, "km", "-")
    assert "Evidence: Frandsen et al." in card and "Raised for a previous calf injury" in card


def test_the_terminal_says_why_overuse_findings_are_higher(runs: list[ActivitySummary]) -> None:
    def shown(prior: bool | None) -> str:
        console = make_console(io.StringIO(), width=100, record=True)
        render_terminal(_analysis(runs, prior), console)
        return flat(console.export_text())

    note = (
        "Overuse findings are one level higher than the training alone gives: the profile "
        "records a previous calf injury."
    )
    with_injury = shown(True)
    assert note in with_injury
    assert "high 23 Feb Intensity spike:" in with_injury and "info 23 Feb Acute:chronic" in (
        with_injury
    )
    assert note not in shown(None)


def test_an_info_finding_is_raised_to_caution_and_acwr_is_never_raised() -> None:
    """The history above has no info risk signal; a monotony note and an acwr note stand in."""
    note = Finding("monotony", Cause.OVERUSE, INFO, MONDAY, "Monotony 2.1.", "advice", "ev.")
    lifted = raised(note)
    assert (lifted.severity, lifted.raised_from) == (CAUTION, INFO)
    assert lifted.message == "Monotony 2.1." + RAISED_FROM_INFO
    assert weighs_more(note)
    assert not weighs_more(dataclasses.replace(note, rule="acwr"))
    assert not weighs_more(dataclasses.replace(note, rule="heat", cause=Cause.HYDRATION))
