import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.visits.factories import PHARMACY_STEPS
from visits.template_schema import DEFAULT_STEPS, guide_prices, validate_answers, validate_steps


def refused(steps) -> str:
    """The (English) message refusing the steps: it names the step at fault."""
    with translation.override("en"), pytest.raises(ValidationError) as error:
        validate_steps(steps)
    return error.value.message_dict["steps"][0]


def test_the_pharmacy_steps_and_the_default_steps_are_valid():
    assert validate_steps(PHARMACY_STEPS) is PHARMACY_STEPS
    assert validate_steps(DEFAULT_STEPS) is DEFAULT_STEPS


def test_malformed_steps_are_refused_naming_the_step():
    assert refused([])
    assert "Step 1" in refused([{"key": "x", "kind": "dance"}])
    assert "Step 2" in refused([{"key": "a", "kind": "display"},
                                {"key": "a", "kind": "stock"}])
    assert "Step 1" in refused([{"key": "Bad Key", "kind": "display"}])
    assert "Step 1" in refused([{"key": "q", "kind": "questions", "questions": []}])
    assert "Step 1" in refused([{"key": "q", "kind": "questions", "questions": [
        {"key": "a", "label": "A", "type": "choice", "options": ["only"]}]}])
    assert "Step 1" in refused([{"key": "p", "kind": "price_check", "products": [
        {"code": "P", "name": "x", "guide_price": "-1"}]}])


def test_question_keys_are_unique_across_steps():
    question = {"key": "same", "label": "A", "type": "text"}
    assert "Step 2" in refused([
        {"key": "one", "kind": "questions", "questions": [question]},
        {"key": "two", "kind": "questions", "questions": [question]}])


def test_answers_are_checked_by_type_and_options():
    assert validate_answers(PHARMACY_STEPS, {"gsp_cert": False, "shelf": "top"},
                            complete=True)
    with pytest.raises(ValidationError) as error:
        validate_answers(PHARMACY_STEPS, {"gsp_cert": 1, "shelf": "floor"}, complete=False)
    assert set(error.value.message_dict) == {"answers.gsp_cert", "answers.shelf"}


def test_required_questions_are_only_enforced_when_complete():
    assert validate_answers(PHARMACY_STEPS, {}, complete=False) == {}
    with pytest.raises(ValidationError) as error:
        validate_answers(PHARMACY_STEPS, {}, complete=True)
    assert list(error.value.message_dict) == ["answers.gsp_cert"]


def test_numbers_and_multiple_choices():
    steps = [{"key": "s", "kind": "questions", "questions": [
        {"key": "facings", "label": "排面数", "type": "number"},
        {"key": "pop", "label": "POP", "type": "multi_choice", "options": ["poster", "shelf"]},
    ]}]
    assert validate_answers(steps, {"facings": "3.5", "pop": ["poster"]}, complete=True)
    with pytest.raises(ValidationError):
        validate_answers(steps, {"facings": True}, complete=False)
    with pytest.raises(ValidationError):
        validate_answers(steps, {"pop": ["banner"]}, complete=False)


def test_guide_prices_come_from_the_price_check_steps():
    assert guide_prices(PHARMACY_STEPS)["P01"]["guide_price"] == "12.50"
