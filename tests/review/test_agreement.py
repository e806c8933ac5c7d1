"""Agreement statistics against published worked examples, and how units are formed."""
import pytest

from qualcode.agreement import (OVERALL, agreement, cohen_kappa, disagreement_rows, krippendorff_alpha,
                                statistics)
from qualcode.codings import Coding

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: 4 coders, 12 units.
KRIPPENDORFF = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}


def _rows():
    return [[None if v == "." else int(v) for v in row.split()] for row in KRIPPENDORFF.values()]


def test_krippendorff_published_example_nominal_and_interval():
    assert krippendorff_alpha(_rows()) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(_rows(), level="interval") == pytest.approx(0.849, abs=5e-4)


def test_krippendorff_example_through_exclusive_codes():
    """The same data as codings: each value is a child of one parent, chosen per turn."""
    codings = [Coding("k", unit, f"value/{v}", coder)
               for coder, row in KRIPPENDORFF.items()
               for unit, v in enumerate(row.split(), start=1) if v != "."]
    report = agreement(codings, exclusive="value")
    overall = report.rows[-1]
    assert overall.theme == OVERALL
    assert overall.krippendorff_alpha == pytest.approx(0.743, abs=5e-4)
    assert overall.units == 11  # unit 12 has one value only: not pairable
    assert report.no_child == 7  # the seven '.' cells: missing, not a disagreement
    assert [r.theme for r in report.rows] == ["1", "2", "3", "4", "5", OVERALL]
    assert [(d.turn, d.values) for d in report.disagreements] == [
        (2, ("2", "2", "3", "2")), (6, ("1", "2", "3", "4")), (8, ("1", "1", "2", "1"))]


def test_cohen_kappa_published_example():
    """Wikipedia 'Cohen's kappa', worked example: 50 proposals, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no."""
    a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    stats = statistics(list(zip(a, b)), categories=2)
    assert stats["percent_agreement"] == pytest.approx(70.0)
    assert stats["brennan_prediger"] == pytest.approx(0.4)  # (0.7 - 1/2) / (1 - 1/2)


def test_cohen_kappa_undefined_when_both_coders_use_one_category():
    assert cohen_kappa([1, 1, 1], [1, 1, 1]) is None
    assert krippendorff_alpha([[1, 1, 1], [1, 1, 1]]) is None


def two_coders():
    return [Coding("t", 1, "trust", "a"), Coding("t", 1, "trust", "b"),
            Coding("t", 2, "trust", "a"), Coding("t", 2, "goals", "b"),
            Coding("t", 3, "goals", "a"), Coding("t", 3, "goals", "b")]


def test_presence_units_leave_out_turns_nobody_coded():
    report = agreement(two_coders(), turns={"t": 10})
    assert report.units == 3 and report.uncoded_excluded == 7
    trust = report.rows[1]
    assert (trust.theme, trust.units, trust.support, round(trust.percent_agreement, 2)) == ("trust", 3, 2, 66.67)
    included = agreement(two_coders(), turns={"t": 10}, uncoded="include")
    assert included.rows[1].units == 10 and included.rows[1].percent_agreement == pytest.approx(90.0)


def test_a_coder_who_did_not_code_a_transcript_is_missing_not_disagreeing():
    codings = two_coders() + [Coding("u", 1, "trust", "a")]  # b never coded transcript u
    report = agreement(codings)
    assert [r.units for r in report.rows] == [3, 3, 6]
    coded_u = agreement(codings, coverage={"b": {"u"}})  # b looked at u (e.g. rejected) and coded nothing
    assert [r.units for r in coded_u.rows] == [4, 4, 8]
    assert ("u", 1, "trust", ("yes", "no")) in [(d.transcript, d.turn, d.theme, d.values)
                                                for d in coded_u.disagreements]


def test_segment_overlap_matches_spans():
    codings = [Coding("t", 1, "trust", "a", 0, 10), Coding("t", 1, "trust", "b", 1, 10),
               Coding("t", 1, "trust", "a", 50, 60), Coding("t", 1, "trust", "b", 55, 90)]
    report = agreement(codings, overlap=0.8)
    assert report.rows[0].units == 3  # 0-10 ~ 1-10 match; 50-60 and 55-90 do not
    assert report.rows[0].percent_agreement == pytest.approx(100 / 3)
    assert [(d.start, d.end, d.values) for d in report.disagreements] == [(50, 60, ("yes", "no")),
                                                                           (55, 90, ("no", "yes"))]


def test_exclusive_conflict_is_reported_and_left_out():
    codings = [Coding("t", 1, "talk/change", "a"), Coding("t", 1, "talk/sustain", "a"),
               Coding("t", 1, "talk/change", "b"), Coding("t", 2, "talk/change", "a"),
               Coding("t", 2, "talk/change", "b")]
    report = agreement(codings, exclusive="talk")
    assert report.rows[-1].units == 1
    assert [d.code for d in report.diagnostics] == ["QC350"]


def test_disagreement_rows_have_one_column_per_coder_and_the_text():
    report = agreement(two_coders())
    rows, columns = disagreement_rows(report, {("t", 2): ("Amira", "I trust him.")})
    assert columns == ("transcript", "turn", "speaker", "theme", "start", "end", "a", "b", "text")
    assert rows == [
        {"transcript": "t", "turn": 2, "speaker": "Amira", "theme": "goals", "start": None, "end": None,
         "a": "no", "b": "yes", "text": "I trust him."},
        {"transcript": "t", "turn": 2, "speaker": "Amira", "theme": "trust", "start": None, "end": None,
         "a": "yes", "b": "no", "text": "I trust him."}]
