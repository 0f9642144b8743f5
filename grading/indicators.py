"""The three indicators of relationship health (评估客情的三个指标) — the formula.

This module is the one place the formula lives: the nightly SQL is generated from
`FORMULA` below, and the breakdown users see (`breakdown()`) is read from the same table.
Every indicator is 0–100, the sum of its parts; "known" means at least one key person
(not erased) of the retailer has the field filled. Windows end on the day scored
(`as_of`, the last complete day): 28 days for visits and display, 90 days otherwise.

Personal closeness (个人关系密切度) — the card and the care it enables:
    decision maker known (a key person with the role owner) ........ 15
    a contact phone known ........................................... 10
    a birthday known (solar or lunar) ............................... 15
    family known .................................................... 20
    interests known ................................................. 15
    whereabouts and habits noted (a key person's notes) .............  5
    care calls in 90 days: 10 each, at most ......................... 20

Business tightness (生意关系紧密度):
    on-site visits in 28 days: 10 each, at most ..................... 40
    problems of the retailer solved in 90 days: 10 each, at most .... 20
    we are recommended first (首荐): a confirmed tick of "recommends
      us" or "prefers us on equal terms" (relationship level 3) ..... 20
    display checked: a display or shelf photo in 28 days ............ 20

Information feedback (信息工作反馈度) — visits in 90 days that brought each kind of
information (one visit may bring several); 15 points from one visit, 25 from three:
    the retailer's own business information (their ideas and requests) 25
    our products' stock in and out (进销存: stock lines recorded) ..... 25
    end-consumer feedback ............................................ 25
    competitor information and policies .............................. 25

The same four kinds are the rep scorecard's "information items fed back"
(`visits.selectors.feedback`).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Part:
    field: str  # the column of grading.RetailerScorecard
    label: object
    count: str  # alias of the count in the nightly SQL
    rule: tuple  # ("any", points) | ("each", points, cap) | ("tiers", ((n, points), …))

    @property
    def max_points(self) -> int:
        kind, *args = self.rule
        if kind == "any":
            return args[0]
        if kind == "each":
            return args[1]
        return max(points for _n, points in args[0])

    def sql(self) -> str:
        """The points as a CASE over the count (plain SQL: PostgreSQL and SQLite)."""
        kind, *args = self.rule
        n = f"COALESCE({self.count}, 0)"
        if kind == "any":
            return f"CASE WHEN {n} > 0 THEN {args[0]} ELSE 0 END"
        if kind == "each":
            per, cap = args
            return f"CASE WHEN {n} * {per} > {cap} THEN {cap} ELSE {n} * {per} END"
        whens = " ".join(f"WHEN {n} >= {at} THEN {points}"
                         for at, points in sorted(args[0], reverse=True))
        return f"CASE {whens} ELSE 0 END"

    def rule_text(self) -> str:
        kind, *args = self.rule
        if kind == "any":
            return str(_("%(points)s points when present") % {"points": args[0]})
        if kind == "each":
            return str(_("%(per)s points each, at most %(cap)s") % {"per": args[0],
                                                                    "cap": args[1]})
        (low, low_points), (high, high_points) = sorted(args[0])
        return str(_("%(low_points)s points from %(low)s, %(high_points)s from %(high)s")
                   % {"low": low, "low_points": low_points, "high": high,
                      "high_points": high_points})


TIERS = ("tiers", ((1, 15), (3, 25)))

FORMULA = {
    "closeness": (_("Personal closeness"), [
        Part("pc_decision_maker", _("decision maker known"), "kp.owners", ("any", 15)),
        Part("pc_contact", _("contact phone known"), "kp.phones", ("any", 10)),
        Part("pc_birthday", _("a birthday known"), "kp.birthdays", ("any", 15)),
        Part("pc_family", _("family known"), "kp.families", ("any", 20)),
        Part("pc_interests", _("interests known"), "kp.interests", ("any", 15)),
        Part("pc_notes", _("whereabouts and habits noted"), "kp.notes", ("any", 5)),
        Part("pc_care_calls", _("care calls (90 days)"), "v.care_calls", ("each", 10, 20)),
    ]),
    "tightness": (_("Business tightness"), [
        Part("bt_visits", _("on-site visits (28 days)"), "v.on_site", ("each", 10, 40)),
        Part("bt_problems", _("problems solved (90 days)"), "pr.solved", ("each", 10, 20)),
        Part("bt_recommends", _("we are recommended first"), "tk.recommends", ("any", 20)),
        Part("bt_display", _("display checked (28 days)"), "ph.display", ("any", 20)),
    ]),
    "feedback": (_("Information feedback"), [
        Part("if_own_info", _("retailer's own business information"), "v.own_info", TIERS),
        Part("if_stock", _("stock in and out"), "st.stock", TIERS),
        Part("if_consumer", _("consumer feedback"), "v.consumer", TIERS),
        Part("if_competitor", _("competitor information"), "v.competitor", TIERS),
    ]),
}
RECOMMENDED_CRITERIA = ("l3_recommends", "l3_prefers_us")
VISIT_DAYS, LONG_DAYS = 28, 90

assert all(sum(p.max_points for p in parts) == 100 for _label, parts in FORMULA.values())


def parts() -> list[Part]:
    return [part for _label, indicator_parts in FORMULA.values() for part in indicator_parts]


def breakdown(scorecard) -> list[dict]:
    """The three indicators of a scorecard row with the points of each part and its rule."""
    return [{"indicator": key, "label": str(label), "score": getattr(scorecard, key),
             "parts": [{"field": p.field, "label": str(p.label), "points": getattr(
                 scorecard, p.field), "max": p.max_points, "rule": p.rule_text()}
                       for p in indicator_parts]}
            for key, (label, indicator_parts) in FORMULA.items()]
