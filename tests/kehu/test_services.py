from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent, Role
from kehu import services
from kehu.models import KeyPerson, RelationshipCriterion, RelationshipTick, Retailer
from tests.factories import make_person, make_retailer

NANJING = (Decimal("32.058000"), Decimal("118.796000"))
# ~55 m north of NANJING
NEAR = (Decimal("32.058500"), Decimal("118.796000"))
# ~1.1 km north
FAR = (Decimal("32.068000"), Decimal("118.796000"))


def create(personas, **fields):
    defaults = {"code": "N1", "name": "华联超市", "business_type": "supermarket"}
    return services.retailer_create(actor=personas.rep, area=personas.org.area,
                                    **{**defaults, **fields})


def test_a_rep_creating_a_card_becomes_its_rep_with_history(personas):
    retailer = create(personas, licence_no=" 320102 123456 ")
    assert retailer.assigned_rep == personas.rep
    assert retailer.company == personas.org.company
    assert retailer.licence_no == "320102123456"
    assert " hlcs" in retailer.search_keys and " hualianchaoshi" in retailer.search_keys
    assert retailer.assignments.get().to_rep == personas.rep
    assert retailer.history.count() == 1


def test_a_card_must_belong_to_an_area(personas):
    with pytest.raises(ValidationError) as error:
        services.retailer_create(actor=personas.manager, area=personas.org.office, code="X",
                                 name="店", business_type="grocery")
    assert "area" in error.value.message_dict


def test_the_same_licence_twice_is_refused_naming_the_field(personas):
    create(personas, licence_no="320102123456")
    with pytest.raises(ValidationError) as error:
        create(personas, code="N2", name="另一家", licence_no="320102123456",
               confirm_not_duplicate=True, duplicate_reason="不同")
    assert "licence_no" in error.value.message_dict


def test_a_similar_name_within_100_m_needs_confirmation_with_a_reason(personas):
    first = create(personas, latitude=NANJING[0], longitude=NANJING[1])
    with pytest.raises(services.LikelyDuplicate) as duplicate:
        create(personas, code="N2", name="华联超市二店", latitude=NEAR[0], longitude=NEAR[1])
    assert [c.retailer for c in duplicate.value.candidates] == [first]
    assert duplicate.value.candidates[0].reasons == ("name_nearby",)
    with pytest.raises(ValidationError) as error:
        create(personas, code="N2", name="华联超市二店", latitude=NEAR[0], longitude=NEAR[1],
               confirm_not_duplicate=True)
    assert "duplicate_reason" in error.value.message_dict
    second = create(personas, code="N2", name="华联超市二店", latitude=NEAR[0],
                    longitude=NEAR[1], confirm_not_duplicate=True,
                    duplicate_reason="同一商场的另一家分店")
    assert second.duplicate_reason == "同一商场的另一家分店"
    assert Retailer.objects.count() == 2


def test_a_similar_name_far_away_or_a_different_name_nearby_is_no_duplicate(personas):
    create(personas, latitude=NANJING[0], longitude=NANJING[1])
    create(personas, code="N2", name="华联超市", latitude=FAR[0], longitude=FAR[1])
    create(personas, code="N3", name="老王烟酒店", latitude=NEAR[0], longitude=NEAR[1])
    assert Retailer.objects.count() == 3


def test_a_pinyin_spelled_name_nearby_is_a_duplicate(personas):
    create(personas, latitude=NANJING[0], longitude=NANJING[1])
    with pytest.raises(services.LikelyDuplicate):
        create(personas, code="N2", name="华连超市", latitude=NEAR[0], longitude=NEAR[1])


def test_the_same_key_person_phone_is_a_likely_duplicate(personas):
    create(personas, key_persons=[{"role": "owner", "name": "王老板", "phone": "138 0013 8000"}])
    with pytest.raises(services.LikelyDuplicate) as duplicate:
        create(personas, code="N2", name="别的名字",
               key_persons=[{"role": "owner", "name": "王", "phone": "13800138000"}])
    assert duplicate.value.candidates[0].reasons == ("phone",)
    assert KeyPerson.objects.count() == 1


def test_a_bad_phone_is_refused_and_nothing_is_written(personas):
    with pytest.raises(ValidationError) as error:
        create(personas, key_persons=[{"role": "owner", "name": "王", "phone": "12345"}])
    assert "phone" in error.value.message_dict
    assert not Retailer.objects.exists()


def test_reassigning_many_writes_one_history_row_each(personas):
    a = make_retailer(personas.org.area, personas.rep)
    b = make_retailer(personas.org.area, personas.rep)
    c = make_retailer(personas.org.area, personas.rep2)
    moved = services.retailer_reassign(retailers=[a, b, c], to_rep=personas.rep2,
                                       actor=personas.manager, reason="调片")
    assert moved == 2  # c already belonged to rep2
    assert set(Retailer.objects.filter(assigned_rep=personas.rep2)) == {a, b, c}
    history = a.assignments.get()
    assert (history.from_rep, history.to_rep, history.by, history.reason) == (
        personas.rep, personas.rep2, personas.manager, "调片")


def test_reassigning_to_someone_who_is_not_a_rep_is_refused(personas):
    a = make_retailer(personas.org.area, personas.rep)
    with pytest.raises(ValidationError) as error:
        services.retailer_reassign(retailers=[a], to_rep=personas.clerk, actor=personas.manager)
    assert "assigned_rep" in error.value.message_dict
    assert Retailer.objects.get(pk=a.pk).assigned_rep == personas.rep


def _criteria(level):
    return list(RelationshipCriterion.objects.filter(level=level))


def _confirm_all(retailer, level, personas):
    for criterion in _criteria(level):
        tick = services.tick_criterion(retailer=retailer, criterion=criterion, evidence="见面三次",
                                       actor=personas.rep)
        services.tick_review(tick=tick, actor=personas.manager, confirm=True)


def test_the_level_is_the_highest_level_whose_criteria_are_all_confirmed(personas):
    retailer = make_retailer(personas.org.area, personas.rep)
    assert len(_criteria(1)) == 4 and len(_criteria(4)) == 3
    _confirm_all(retailer, 1, personas)
    assert Retailer.objects.get(pk=retailer.pk).relationship_level == 1
    _confirm_all(retailer, 3, personas)  # level 3 without level 2 does not count
    assert Retailer.objects.get(pk=retailer.pk).relationship_level == 1
    _confirm_all(retailer, 2, personas)
    assert Retailer.objects.get(pk=retailer.pk).relationship_level == 3


def test_a_pending_tick_does_not_count_and_a_rejection_lowers_the_level(personas):
    retailer = make_retailer(personas.org.area, personas.rep)
    _confirm_all(retailer, 1, personas)
    tick = RelationshipTick.objects.filter(retailer=retailer).first()
    services.tick_criterion(retailer=retailer, criterion=tick.criterion, evidence="再次确认",
                            actor=personas.rep)  # re-ticking resets it to pending
    assert Retailer.objects.get(pk=retailer.pk).relationship_level == 0
    tick.refresh_from_db()
    services.tick_review(tick=tick, actor=personas.manager, confirm=False, note="证据不足")
    assert RelationshipTick.objects.get(pk=tick.pk).status == "rejected"
    assert AuditEvent.objects.filter(action="review", to_state="rejected").count() == 1
    assert tick.history.count() >= 3  # every change kept


def test_nobody_confirms_their_own_tick_and_rejections_need_a_reason(personas):
    retailer = make_retailer(personas.org.area, personas.manager)
    tick = services.tick_criterion(retailer=retailer, criterion=_criteria(1)[0],
                                   evidence="x", actor=personas.manager)
    with pytest.raises(ValidationError):
        services.tick_review(tick=tick, actor=personas.manager, confirm=True)
    with pytest.raises(ValidationError) as error:
        services.tick_review(tick=tick, actor=personas.regional_manager, confirm=False)
    assert "note" in error.value.message_dict


def test_erasure_wipes_personal_fields_and_keeps_the_retailer(personas):
    retailer = make_retailer(personas.org.area, personas.rep)
    person = services.key_person_create(retailer=retailer, role="owner", name="王建国",
                                        phone="13800138000", family="女儿在南京读书",
                                        birthday_is_lunar=True, lunar_month=8, lunar_day=15)
    services.key_person_update(key_person=person, notes="喜欢钓鱼")
    erased = services.key_person_erase(key_person=person, actor=personas.admin,
                                       reason="本人电话要求删除")
    assert (erased.phone, erased.family, erased.notes, erased.lunar_month) == ("", "", "", None)
    assert erased.erased_at is not None and "王建国" not in erased.name
    assert all("王建国" not in h.name for h in erased.history.all())
    assert Retailer.objects.filter(pk=retailer.pk).exists()
    assert AuditEvent.objects.get(action="erase").reason == "本人电话要求删除"
    with pytest.raises(ValidationError):
        services.key_person_update(key_person=erased, phone="13900139000")


def test_a_lunar_birthday_needs_month_and_day(personas):
    retailer = make_retailer(personas.org.area, personas.rep)
    with pytest.raises(ValidationError) as error:
        services.key_person_create(retailer=retailer, role="owner", name="王",
                                   birthday_is_lunar=True, lunar_month=8)
    assert "lunar_month" in error.value.message_dict


def test_only_reps_of_the_company_can_be_assigned(personas):
    outsider = make_person(personas.org.other_area, Role.REP, "far_rep")
    retailer = create(personas, code="N9", assigned_rep=outsider)
    assert retailer.assigned_rep == outsider  # same company, another region: allowed
    with pytest.raises(ValidationError) as error:
        create(personas, code="N10", name="别家", assigned_rep=personas.finance)
    assert "assigned_rep" in error.value.message_dict
