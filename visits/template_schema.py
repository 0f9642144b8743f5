"""The on-site steps of a visit template, and checking a visit's answers against them.

A template version's `steps` is a list walked in order on the phone:

    [{"key": "price", "kind": "price_check", "title": "价格维护",
      "products": [{"code": "P01", "name": "红塔山(软)", "guide_price": "10.00"}]},
     {"key": "pharmacy", "kind": "questions", "title": "药店检查",
      "questions": [{"key": "gsp_cert", "label": "GSP 证书在有效期内", "type": "yes_no",
                     "required": true},
                    {"key": "shelf", "label": "陈列位置", "type": "choice",
                     "options": ["eye_level", "top", "bottom"]}]}]

A step's `kind` is one of the built-in sections (stored in their own columns or
tables: price checks, stock lines, photos, problems…) or "questions", whose answers
are stored in `Visit.answers` as {question key: value} against the version.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

STEP_KINDS = ("communication", "price_check", "display", "stock", "promotion", "competitor",
              "feedback", "problems", "requests", "questions")
QUESTION_TYPES = ("text", "number", "yes_no", "choice", "multi_choice")
KEY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")

# Used when no template is defined for a business type: every built-in section in the
# order of the manuals' visit procedure, no extra questions.
DEFAULT_STEPS = [{"key": kind, "kind": kind, "title": ""} for kind in STEP_KINDS[:-1]]


def _valid_key(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 40 and set(value) <= KEY_CHARS


def _error(message: str):
    return ValidationError({"steps": [message]})


def validate_steps(steps) -> list:
    """Return the steps if well formed; raise ValidationError on `steps` otherwise."""
    if not isinstance(steps, list) or not steps:
        raise _error(_("A template needs at least one step."))
    step_keys, question_keys = set(), set()
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or step.get("kind") not in STEP_KINDS:
            raise _error(_("Step %(n)s: the kind must be one of %(kinds)s.")
                         % {"n": number, "kinds": ", ".join(STEP_KINDS)})
        if not _valid_key(step.get("key")) or step["key"] in step_keys:
            raise _error(_("Step %(n)s: the key must be unique, lowercase letters, digits "
                           "or _.") % {"n": number})
        step_keys.add(step["key"])
        if step["kind"] == "questions":
            _validate_questions(step.get("questions"), number, question_keys)
        if step["kind"] == "price_check":
            _validate_products(step.get("products", []), number)
    return steps


def _validate_questions(questions, number: int, seen: set) -> None:
    if not isinstance(questions, list) or not questions:
        raise _error(_("Step %(n)s: a questions step needs questions.") % {"n": number})
    for question in questions:
        if not isinstance(question, dict) or not _valid_key(question.get("key")) \
                or question["key"] in seen:
            raise _error(_("Step %(n)s: each question needs a unique key.") % {"n": number})
        seen.add(question["key"])
        if not str(question.get("label", "")).strip():
            raise _error(_("Step %(n)s: question %(key)s needs a label.")
                         % {"n": number, "key": question["key"]})
        if question.get("type") not in QUESTION_TYPES:
            raise _error(_("Step %(n)s: question %(key)s has an unknown type.")
                         % {"n": number, "key": question["key"]})
        if question["type"] in ("choice", "multi_choice"):
            options = question.get("options")
            if not isinstance(options, list) or len(options) < 2 \
                    or len(set(map(str, options))) != len(options):
                raise _error(_("Step %(n)s: question %(key)s needs two or more distinct "
                               "options.") % {"n": number, "key": question["key"]})


def _validate_products(products, number: int) -> None:
    if not isinstance(products, list):
        raise _error(_("Step %(n)s: products must be a list.") % {"n": number})
    codes = set()
    for product in products:
        code = product.get("code") if isinstance(product, dict) else None
        if not code or code in codes or not str(product.get("name", "")).strip():
            raise _error(_("Step %(n)s: each product needs a unique code and a name.")
                         % {"n": number})
        codes.add(code)
        if parse_decimal(product.get("guide_price")) is None:
            raise _error(_("Step %(n)s: product %(code)s needs a guide price.")
                         % {"n": number, "code": code})


def parse_decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() and number >= 0 else None


def questions_of(steps: list) -> dict[str, dict]:
    return {q["key"]: q for step in steps if step.get("kind") == "questions"
            for q in step.get("questions", [])}


def guide_prices(steps: list) -> dict[str, dict]:
    """{product code: product} of the template's price-check steps."""
    return {p["code"]: p for step in steps if step.get("kind") == "price_check"
            for p in step.get("products", [])}


def validate_answers(steps: list, answers, *, complete: bool) -> dict:
    """Return the answers if they fit the steps' questions. `complete`: every required
    question must be answered (at check-out). Errors are keyed `answers.<question>`."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Answers are an object of question keys.")]})
    questions, errors = questions_of(steps), {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            errors[f"answers.{key}"] = [_("This question is not in the visit's template.")]
            continue
        message = _answer_error(question, value)
        if message:
            errors[f"answers.{key}"] = [message]
    if complete:
        for key, question in questions.items():
            if question.get("required") and answers.get(key) in (None, "", []):
                errors.setdefault(f"answers.{key}", [_("This question must be answered.")])
    if errors:
        raise ValidationError(errors)
    return answers


def _answer_error(question: dict, value) -> str | None:
    kind = question["type"]
    if value is None:
        return None
    if kind == "text" and not isinstance(value, str):
        return _("Answer with text.")
    if kind == "number" and (isinstance(value, bool) or not _is_number(value)):
        return _("Answer with a number.")
    if kind == "yes_no" and not isinstance(value, bool):
        return _("Answer yes or no.")
    options = [str(o) for o in question.get("options", [])]
    if kind == "choice" and str(value) not in options:
        return _("Choose one of the options.")
    if kind == "multi_choice" and (not isinstance(value, list)
                                   or not set(map(str, value)) <= set(options)):
        return _("Choose among the options.")
    return None


def _is_number(value) -> bool:
    try:
        return Decimal(str(value)).is_finite()
    except (InvalidOperation, ValueError, TypeError):
        return False
