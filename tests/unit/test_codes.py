"""One-time codes: readable symbols only, every symbol reachable in every place."""

from __future__ import annotations

from collections import Counter

from rewards import codes


def test_a_code_has_its_length_and_only_readable_symbols():
    for length in (1, 10, 12):
        code = codes.new_code(length)
        assert len(code) == length
        assert set(code) <= set(codes.ALPHABET)
        assert not set(code) & set("01ILOU")


def test_every_symbol_turns_up_in_every_place():
    drawn = [codes.new_code(10) for _ in range(3000)]
    for place in range(10):
        seen = Counter(code[place] for code in drawn)
        assert set(seen) == set(codes.ALPHABET)
        # 100 expected per symbol; a uniform draw stays far inside these bounds.
        assert min(seen.values()) > 40
        assert max(seen.values()) < 180


def test_codes_read_back_however_they_are_typed():
    code = codes.new_code(10)
    assert codes.normalize(codes.grouped(code).lower(), 10) == code
    assert codes.normalize(" " + code[:5] + "_" + code[5:], 10) == code
    assert codes.normalize("0" * 10, 10) is None
