"""The relationship-level checklist (客情关系等级 1–4), as DOMAIN.md states it.

Levels are cumulative: level L is reached when every criterion of levels 1..L is
confirmed by a manager.
"""

from django.utils.translation import gettext_lazy as _

CRITERIA = [
    (1, "l1_materials", _("Materials and company introduction given")),
    (1, "l1_contacts", _("Contact details known")),
    (1, "l1_visits", _("Visited 3+ times without rejection")),
    (1, "l1_remembers", _("Retailer remembers us")),
    (2, "l2_products", _("Retailer understands our products")),
    (2, "l2_one_to_one", _("Met one-to-one")),
    (2, "l2_shares_info", _("Shares important information")),
    (2, "l2_easy_to_meet", _("Easy to meet")),
    (2, "l2_superior_visit", _("A superior of ours has visited")),
    (3, "l3_deeper_business", _("Builds a deeper business relationship with us")),
    (3, "l3_core_info", _("Shares core information (competitors, bids)")),
    (3, "l3_prefers_us", _("Prefers us on equal terms")),
    (3, "l3_recommends", _("Recommends us")),
    (3, "l3_joins_events", _("Joins our events")),
    (4, "l4_exclusive", _("Works only with us")),
    (4, "l4_opens_doors", _("Opens doors for us")),
    (4, "l4_loyal", _("Keeps us even when our terms are harsher than competitors'")),
]
LABELS = {code: label for _level, code, label in CRITERIA}
