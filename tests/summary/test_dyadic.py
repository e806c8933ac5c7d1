"""Counts, patterns and agreement on the fixture study, against values computed by hand."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.summary.compute import PATTERNS, cohen_kappa, pattern_of

from summary_support import find


def test_every_pattern_occurs_in_the_fixture_study(study_summary):
    interviews = {p.pattern for p in study_summary.patterns if p.kind == "interview"}
    assert interviews == set(PATTERNS)


@pytest.mark.parametrize("theme, expected", [
    ("trust", {"A01": "shared", "A02": "client-only", "A03": "therapist-only", "A04": "missing-perspective"}),
    ("translation", {"A01": "interpreter-only", "A02": "absent", "A03": "shared", "A04": "missing-perspective"}),
    ("rupture", {"A01": "shared", "A02": "therapist-only", "A03": "client-only", "A04": "missing-perspective"}),
    ("repair", {"A01": "absent", "A02": "shared", "A03": "absent", "A04": "missing-perspective"}),
    # a parent theme counts its children's codings
    ("rupture_repair", {"A01": "shared", "A02": "shared", "A03": "client-only", "A04": "missing-perspective"}),
])
def test_interview_patterns(study_summary, theme, expected):
    got = {p.dyad: p.pattern for p in study_summary.patterns if p.kind == "interview" and p.theme == theme}
    assert got == expected


def test_missing_perspective_names_what_is_missing_and_keeps_what_was_said(study_summary):
    a04 = find(study_summary.patterns, kind="interview", dyad="A04", theme="trust")
    assert (a04.pattern, a04.missing, a04.raised_by) == ("missing-perspective", ("therapist",), ("client",))
    therapist = find(study_summary.roles, kind="interview", dyad="A04", theme="trust", role="therapist")
    assert (therapist.available, therapist.role_turns, therapist.share_of_turns) == (False, 0, None)


def test_role_counts_leave_out_the_interviewer(study_summary):
    # a01-client: Amira has 3 turns of 14 + 11 + 3 = 28 words; the interviewer's "I trust you ..." is not counted
    row = find(study_summary.roles, kind="interview", dyad="A01", theme="trust", role="client")
    assert (row.role_turns, row.role_words, row.turns_coded) == (3, 28, 1)
    assert row.share_of_turns == pytest.approx(1 / 3)
    assert row.per_1000_words == pytest.approx(1000 / 28)
    assert (row.first_transcript, row.first_turn, row.first_line) == ("a01-client", 2, 12)
    # 'Participant:' in a client interview speaks for the client
    row = find(study_summary.roles, kind="interview", dyad="A02", theme="repair", role="client")
    assert (row.role_turns, row.turns_coded, row.first_turn) == (2, 1, 4)


def test_include_interviewer_counts_the_interviewer(study_codebook):
    from qualcode.summary import summarize
    from summary_support import STUDY_DATA

    summary = summarize([STUDY_DATA / "study" / "a01-client.txt"], codebook=study_codebook, include_interviewer=True)
    row = find(summary.roles, kind="interview", dyad="A01", theme="trust", role="interviewer")
    assert (row.role_turns, row.turns_coded, row.first_line) == (3, 1, 10)


def test_session_roles_each_count(study_summary):
    # a01-session: Th. 2 turns, Hassan 3, Amira 2; rupture in turns 1 (Th.), 2 and 4 (Hassan), 3 (Amira)
    got = {r.role: (r.role_turns, r.turns_coded) for r in study_summary.roles
           if r.kind == "session" and r.dyad == "A01" and r.theme == "rupture"}
    assert got == {"client": (2, 1), "therapist": (2, 1), "interpreter": (3, 2)}
    repair = find(study_summary.patterns, kind="session", dyad="A01", theme="repair")
    assert (repair.pattern, repair.raised_by) == ("shared", ("therapist", "interpreter"))
    assert find(study_summary.patterns, kind="session", dyad="A01", theme="trust").pattern == "client-only"


@pytest.mark.parametrize("theme, cells, percent, kappa", [
    # (both, client only, therapist only, neither) over A01–A03 (A04 lacks the therapist interview)
    ("trust", (1, 1, 1, 0), 100 / 3, -0.5),          # po 1/3, pe 4/9 + 1/9 = 5/9 → (1/3 − 5/9)/(4/9)
    ("translation", (0, 1, 0, 2), 200 / 3, 0.0),     # po 2/3, pe 0·1/3 + 1·2/3 = 2/3
    ("repair", (1, 0, 0, 2), 100.0, 1.0),            # po 1, pe 1/9 + 4/9 = 5/9
    ("rupture_repair", (2, 1, 0, 0), 200 / 3, 0.0),  # po 2/3, pe 1·2/3 + 0 = 2/3
])
def test_agreement_and_kappa_by_hand(study_summary, theme, cells, percent, kappa):
    a = find(study_summary.agreement, kind="interview", facet="all", value="", theme=theme)
    assert (a.both, a.client_only, a.therapist_only, a.neither) == cells
    assert a.percent_agreement == pytest.approx(percent)
    assert a.kappa == pytest.approx(kappa)


def test_agreement_split_by_group_and_setting(study_summary):
    favorable = find(study_summary.agreement, kind="interview", facet="group", value="favorable", theme="repair")
    assert (favorable.dyads, favorable.both, favorable.neither, favorable.kappa) == (2, 1, 1, 1.0)
    # one struggling dyad with both perspectives, neither raised repair: chance agreement is 1, κ undefined
    struggling = find(study_summary.agreement, kind="interview", facet="group", value="struggling", theme="repair")
    assert (struggling.dyads, struggling.percent_agreement, struggling.kappa) == (1, 100.0, None)
    counts = {c.pattern: c.dyads for c in study_summary.pattern_counts
              if c.kind == "interview" and c.facet == "setting" and c.value == "online" and c.theme == "trust"}
    assert counts == {"shared": 0, "client-only": 1, "therapist-only": 0, "interpreter-only": 0, "absent": 0,
                      "missing-perspective": 1}


def test_kappa_and_pattern_edge_cases():
    assert cohen_kappa(0, 0, 0, 0) is None
    assert cohen_kappa(3, 0, 0, 0) is None  # both always yes
    assert cohen_kappa(2, 0, 0, 2) == 1.0
    assert cohen_kappa(0, 2, 2, 0) == -1.0
    assert pattern_of({"client", "interpreter"}, {"client", "therapist", "interpreter"}) == ("shared", ())
    assert pattern_of(set(), {"client"}) == ("missing-perspective", ("therapist",))
    assert pattern_of({"interviewer"}, {"client", "therapist"}) == ("absent", ())


def test_exemplar_quotes_carry_transcript_and_line(study_summary):
    quotes = [q for q in study_summary.quotes if q.kind == "interview" and q.dyad == "A01" and q.theme == "trust"]
    assert [(q.role, q.transcript, q.line, q.text) for q in quotes] == [
        ("client", "a01-client", 12, "At first I was scared. After a few weeks I could trust them both."),
        ("therapist", "a01-therapist", 12, "She came to trust me slowly, over months."),
    ]


def test_quotes_drop_near_duplicates_and_trim():
    from qualcode.summary.quotes import _sentences, _similar, excerpt

    assert _similar("I walked out of the class.", "I walked out of the class!")
    assert not _similar("I walked out of the class.", "She apologised the week after.")
    long = "First sentence here. " + "word " * 100 + "and the trust came late. Final words."
    text = excerpt(long, long.index("trust"), long.index("trust") + 5)
    assert len(text) <= 284 and "trust" in text and text.startswith("…")
    text = "Dr. Weber was kind. I could trust her."
    assert [text[a:b] for a, b in _sentences(text)] == ["Dr. Weber was kind.", "I could trust her."]
    # a short neighbouring sentence is kept for context; a long one is cut off
    assert excerpt(text, 28, 33) == text
    long = "word " * 80 + "end. I could trust her."
    assert excerpt(long, long.index("trust"), long.index("trust") + 5) == "… I could trust her."


def _reference_similar(a: str, b: str) -> bool:
    """The definition: most words shared, or difflib's ratio() of the lower-cased texts >= 0.8."""
    import re
    from difflib import SequenceMatcher

    a, b = a.lower(), b.lower()
    wa, wb = set(re.findall(r"\w+", a)), set(re.findall(r"\w+", b))
    if wa and wb and len(wa & wb) / len(wa | wb) >= 0.8:
        return True
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.8


_QUOTE_WORDS = ["I", "felt", "the", "interpreter", "trust", "we", "talked", "Again", "it", "was", "hard", ".", ",",
                "café", "naïve", "İstanbul", "日本", "aaaa", "aaab"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_QUOTE_WORDS), max_size=30), st.lists(st.sampled_from(_QUOTE_WORDS), max_size=30),
       st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["insert", "replace", "delete"]),
                          st.sampled_from(_QUOTE_WORDS + ["", "x"])), max_size=4),
       st.text(alphabet="aab cé", max_size=14), st.text(alphabet="aab cé", max_size=14))
def test_the_near_duplicate_test_is_the_definition_however_it_prunes(words, other, edits, noise, letters):
    """The cheap bounds that turn pairs away before difflib's ratio() never change the answer:
    on unrelated texts, on a text and a few words inserted, replaced or deleted, on texts of a few
    letters (near-duplicates letter by letter), on non-ASCII, tiny and empty ones."""
    from qualcode.summary.quotes import _similar, common_subsequence

    a = " ".join(words)
    edited = list(words)
    for place, op, word in edits:
        i = place % (len(edited) + 1)
        if op == "insert":
            edited[i:i] = [word]
        elif i < len(edited):
            edited[i:i + 1] = [word] if op == "replace" else []
    for x, y in ((a, " ".join(other)), (a, " ".join(edited)), (a, noise), (a, a + noise), (a, ""),
                 (noise, letters), (letters, noise + letters)):
        assert _similar(x, y) == _reference_similar(x, y), (x, y)
        assert common_subsequence(x, y) == _lcs_by_table(x, y)


def _lcs_by_table(a: str, b: str) -> int:
    row = [0] * (len(b) + 1)
    for ch in a:
        diagonal, row[0] = 0, 0
        for j, other in enumerate(b, 1):
            diagonal, row[j] = row[j], diagonal + 1 if ch == other else max(row[j], row[j - 1])
    return row[-1]


def test_near_duplicate_quotes_of_one_role_are_dropped(study_codebook, tmp_path):
    from qualcode.summary import summarize

    (tmp_path / "s.txt").write_text("---\ndyad: X\nkind: session\n---\nClient: I trust you now.\n"
                                    "Therapist: Good.\nClient: I trust you now!\nClient: Yes, I trust the interpreter "
                                    "as well, she is careful.\n", encoding="utf-8")
    summary = summarize([tmp_path / "s.txt"], codebook=study_codebook)
    quotes = [(q.rank, q.turn) for q in summary.quotes if q.theme == "trust" and q.role == "client"]
    assert quotes == [(1, 1), (2, 4)]


def test_dyads_sort_naturally():
    from qualcode.summary.study import natural_key

    assert sorted(["D10", "D2", "D1", "C3"], key=natural_key) == ["C3", "D1", "D2", "D10"]


def test_library_default_codebook_gives_definitions(monkeypatch, study_codebook):
    """summarize() without a codebook codes with the default one and still shows its themes' definitions."""
    import qualcode.codebook as codebook_pkg
    from qualcode.summary import summarize
    from summary_support import STUDY_DATA

    monkeypatch.setattr(codebook_pkg, "load_codebook", lambda path=None: study_codebook)
    summary = summarize([STUDY_DATA / "study" / "a01-client.txt"])
    assert summary.theme("trust").definition == "Trusting or feeling safe with another person in the therapy."
