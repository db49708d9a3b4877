"""The submission's answers are checked without marshmallow when they are in
the usual shape (server/schemas/fieldapp.py AnswerList): on any input, the
result and the errors are exactly those of the plain marshmallow field."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError, fields

from server.schemas.fieldapp import AnswerList, AnswerSchema

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=5), st.text(min_size=99, max_size=102), st.sampled_from(["true", "1", ""]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
answers = st.dictionaries(st.sampled_from(["item_key", "value", "na", "note", "extra"]), values, max_size=5)
usual = st.fixed_dictionaries({"item_key": st.text(min_size=1, max_size=100)},
                              optional={"value": values, "na": st.booleans(),
                                        "note": st.none() | st.text(max_size=50)})
inputs = st.one_of(st.lists(usual, max_size=8), st.lists(answers | usual | scalars, max_size=6), values)


def outcome(field, value):
    try:
        return "loaded", field.deserialize(value)
    except ValidationError as exc:
        return "refused", exc.messages


@settings(max_examples=400, deadline=None)
@given(inputs)
def test_the_fast_path_loads_and_refuses_exactly_as_marshmallow(value):
    assert outcome(AnswerList(), value) == outcome(fields.List(fields.Nested(AnswerSchema)), value)


def test_a_long_note_and_an_empty_key_are_refused_with_marshmallows_messages():
    kind, errors = outcome(AnswerList(), [{"item_key": "", "value": "pass"}, {"item_key": "a", "note": "x" * 5001}])
    assert kind == "refused"
    assert set(errors) == {0, 1}
    assert "item_key" in errors[0] and "note" in errors[1]
