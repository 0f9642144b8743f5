import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.visits.factories import PHARMACY_STEPS
from visits import services
from visits.models import VisitPolicy, VisitTemplateVersion
from visits.selectors.common import policy_for, template_version_for

QUESTIONS = [{"key": "q", "kind": "questions", "title": "区域问题",
              "questions": [{"key": "cold_chain", "label": "冷链正常", "type": "yes_no"}]}]


def test_a_regional_manager_defines_a_template_for_their_region(personas):
    template = services.template_create(actor=personas.regional_manager,
                                        node=personas.org.region, business_type="pharmacy",
                                        name="药店", steps=PHARMACY_STEPS)
    assert template.current_version == 1
    assert template.versions.get().steps == PHARMACY_STEPS


def test_a_regional_manager_cannot_define_the_companys_or_another_regions(personas):
    for node in (personas.org.company, personas.org.other_region):
        with pytest.raises(ValidationError) as error:
            services.template_create(actor=personas.regional_manager, node=node,
                                     business_type="pharmacy", name="x", steps=PHARMACY_STEPS)
        assert "node" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.template_create(actor=personas.manager, node=personas.org.region,
                                 business_type="pharmacy", name="x", steps=PHARMACY_STEPS)


def test_editing_steps_makes_a_new_version_and_old_visits_keep_theirs(personas, shops):
    template = services.template_create(actor=personas.admin, node=personas.org.company,
                                        business_type="pharmacy", name="药店",
                                        steps=PHARMACY_STEPS)
    visit, _created = services.visit_check_in(actor=personas.rep, retailer=shops.ungraded,
                                              client_id=uuid.uuid4())
    services.template_revise(template=template, actor=personas.admin, steps=QUESTIONS)
    template.refresh_from_db()
    assert template.current_version == 2
    assert list(VisitTemplateVersion.objects.filter(template=template)
                .values_list("number", flat=True).order_by("number")) == [1, 2]
    visit.refresh_from_db()
    assert visit.template_version.number == 1
    assert template_version_for(shops.ungraded).number == 2


def test_the_deepest_template_above_the_retailer_applies(personas, shops):
    services.template_create(actor=personas.admin, node=personas.org.company,
                             business_type="pharmacy", name="公司", steps=PHARMACY_STEPS)
    services.template_create(actor=personas.regional_manager, node=personas.org.region,
                             business_type="pharmacy", name="大区", steps=QUESTIONS)
    assert template_version_for(shops.ungraded).template.name == "大区"
    assert template_version_for(shops.a) is None  # a convenience store: the default steps


def test_invalid_steps_are_refused_and_nothing_is_written(personas):
    with pytest.raises(ValidationError) as error:
        services.template_create(actor=personas.admin, node=personas.org.company,
                                 business_type="pharmacy", name="x", steps=[{"kind": "?"}])
    assert "steps" in error.value.message_dict


def test_the_policy_has_defaults_and_a_regional_manager_changes_it_with_history(personas):
    policy = policy_for(personas.org.company)
    assert (policy.pk, policy.interval_days_a, policy.checkin_radius_m) == (None, 7, 200)
    assert policy.visits_required("", date(2026, 12, 1), date(2026, 12, 31)) == 1
    changed = services.policy_update(company=personas.org.company,
                                     actor=personas.regional_manager, checkin_radius_m=300)
    services.policy_update(company=personas.org.company, actor=personas.admin,
                           interval_days_b=10)
    assert VisitPolicy.objects.get(pk=changed.pk).history.count() == 2
    with pytest.raises(ValidationError):
        services.policy_update(company=personas.org.company, actor=personas.manager,
                               checkin_radius_m=1)
    with pytest.raises(ValidationError) as error:
        services.policy_update(company=personas.org.company, actor=personas.admin,
                               checkin_radius_m=1)
    assert "checkin_radius_m" in error.value.message_dict
