"""Records made by `fast_constructor` are the ordinary frozen records `cls(*values)` makes; a record
stored in the cache reads back as it was."""
from __future__ import annotations

import dataclasses
import json
import math
import pickle

import pytest

from qualcode.batch import CodedTranscript, TurnInfo, load_cached, store_cached
from qualcode.models import Suggestion, fast_constructor, new_suggestion

VALUES = ("d01", 3, "C", "client", "trust", "alliance/trust", 10, 15, 4, "trust", "keyword:trust", 0.9)


def test_a_fast_suggestion_is_an_ordinary_frozen_suggestion():
    fast, plain = new_suggestion(*VALUES), Suggestion(*VALUES)
    assert type(fast) is Suggestion
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert (fast.negated, fast.source) == (False, "rule")  # the defaults
    assert new_suggestion(*VALUES, True, "model") == Suggestion(*VALUES, True, "model")
    assert pickle.loads(pickle.dumps(fast)) == plain
    assert dataclasses.replace(fast, score=1.0) == Suggestion(*VALUES[:-1], 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.score = 1.0
    with pytest.raises(TypeError):
        new_suggestion(*VALUES[:-1])  # a missing value fails as Suggestion() fails


def test_only_slotted_dataclasses_get_a_fast_constructor():
    @dataclasses.dataclass(frozen=True)
    class Plain:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self):
            assert self.a > 0

    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Named:
        a: int

    for cls in (Plain, Checked, Derived, Named):  # each would be made differently from cls(...)
        with pytest.raises(TypeError):
            fast_constructor(cls)


def test_records_read_back_from_values_are_made_fast_and_equal():
    turn = TurnInfo(3, "C", "client", 12, 4)
    record = CodedTranscript("d01", "d01.txt", {"dyad": "D1"}, (turn,), (Suggestion(*VALUES),))
    again = CodedTranscript.from_json(record.to_json(), "d01.txt")
    assert again == record and type(again.turns[0]) is TurnInfo and type(again.suggestions[0]) is Suggestion
    assert pickle.loads(pickle.dumps(record)) == record


def test_a_cache_entry_gives_back_its_record_and_a_corrupt_one_is_a_miss(tmp_path):
    """An entry with a score that is not finite is written by the json module whole (orjson would
    write null), and read back; an empty, cut-off, foreign or older-format entry is a miss."""
    turn = TurnInfo(3, "C", "client", 12, 4)
    for score in (0.9, math.nan, math.inf):
        record = CodedTranscript("d01", "d01.txt", {"dyad": "D1", "n": 2**70}, (turn,), (Suggestion(*VALUES[:-1], score),))
        store_cached(tmp_path, "k", record)
        again = load_cached(tmp_path, "k", "d01.txt")
        assert again is not None and repr(again) == repr(record)  # (NaN is not equal to itself)
    for corrupt in (b"", b'{"format": 3, "key": "k"', b"\xff\xfe", b"[]",
                    json.dumps({"format": 3, "key": "k", "record": {"meta": {}}}).encode()):
        (tmp_path / "k.json").write_bytes(corrupt)
        assert load_cached(tmp_path, "k", "d01.txt") is None
