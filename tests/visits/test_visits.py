import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kehu.models import Retailer
from tests.visits.conftest import CORNER, NORTH_150M, NORTH_250M
from tests.visits.factories import at, make_photo, make_plan, make_template, make_visit
from visits import services
from visits.models import Photo, PriceCheck, RetailerLastVisit, Visit, VisitPolicy

NOW = at(date(2026, 11, 20), 10)


def check_in(personas, retailer, point=None, **kwargs):
    lat, lng = point if point else (None, None)
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("device_time", NOW)
    visit, _created = services.visit_check_in(
        actor=personas.rep, retailer=retailer, client_id=uuid.uuid4(), latitude=lat,
        longitude=lng, **kwargs)
    return visit


def test_a_check_in_150_m_from_the_store_is_within_the_radius(personas, shops):
    visit = check_in(personas, shops.a, NORTH_150M, accuracy_m=12)
    assert 145 <= visit.checkin_distance_m <= 155
    assert (visit.radius_m, visit.far_from_store, visit.gps_missing) == (200, False, False)
    assert visit.status == Visit.Status.IN_PROGRESS and visit.visit_date == date(2026, 11, 20)


def test_a_check_in_250_m_away_is_flagged_far_from_the_store(personas, shops):
    visit = check_in(personas, shops.a, NORTH_250M)
    assert 245 <= visit.checkin_distance_m <= 255 and visit.far_from_store


def test_the_radius_is_the_companys_policy(personas, shops):
    VisitPolicy.objects.create(company=personas.org.company, checkin_radius_m=300)
    visit = check_in(personas, shops.a, NORTH_250M)
    assert visit.radius_m == 300 and not visit.far_from_store


def test_a_check_in_without_gps_is_kept_and_flagged(personas, shops):
    visit = check_in(personas, shops.a, gps_error=Visit.GpsError.DENIED)
    assert visit.gps_missing and visit.gps_error == "denied"
    assert visit.checkin_distance_m is None and not visit.far_from_store


def test_half_a_position_is_refused(personas, shops):
    with pytest.raises(ValidationError) as error:
        services.visit_check_in(actor=personas.rep, retailer=shops.a, client_id=uuid.uuid4(),
                                latitude=CORNER[0], now=NOW)
    assert "latitude" in error.value.message_dict and not Visit.objects.exists()


def test_phone_visits_and_care_calls_keep_no_gps_and_raise_no_flag(personas, shops):
    for kind in (Visit.Kind.PHONE, Visit.Kind.CARE_CALL):
        visit = check_in(personas, shops.b, NORTH_250M, kind=kind)
        assert (visit.checkin_latitude, visit.gps_missing, visit.far_from_store) == (
            None, False, False)
        services.visit_check_out(visit=visit, actor=personas.rep, now=NOW,
                                 device_time=NOW + timedelta(minutes=5))


def test_a_phone_hours_off_keeps_both_times_and_is_corrected_by_its_offset(personas, shops):
    # The phone's clock is 3 hours behind. It checked in offline at (its) 07:00, and sent
    # the queue at (its) 08:00, which the server received at 11:00.
    phone_clock_at_send = at(date(2026, 11, 20), 8)
    received = at(date(2026, 11, 20), 11)
    visit = check_in(personas, shops.a, CORNER, device_time=at(date(2026, 11, 20), 7),
                     device_sent_at=phone_clock_at_send, now=received)
    assert visit.device_started_at == at(date(2026, 11, 20), 7)
    assert visit.received_at == received
    assert visit.clock_offset_s == 3 * 3600 and visit.clock_suspect
    assert visit.started_at == at(date(2026, 11, 20), 10)  # 07:00 + 3 h
    assert visit.skew_s == 4 * 3600


def test_a_visit_synced_days_later_from_a_correct_clock_is_not_suspect(personas, shops):
    two_days_ago = NOW - timedelta(days=2)
    visit = check_in(personas, shops.a, CORNER, device_time=two_days_ago,
                     device_sent_at=NOW, now=NOW)
    assert visit.started_at == two_days_ago and not visit.clock_suspect
    assert visit.visit_date == date(2026, 11, 18)


def test_a_phone_clock_in_the_future_never_puts_a_visit_after_its_arrival(personas, shops):
    visit = check_in(personas, shops.a, CORNER, device_time=NOW + timedelta(hours=5))
    assert visit.started_at == NOW and visit.clock_suspect


def test_the_same_client_id_twice_is_one_visit(personas, shops):
    client_id = uuid.uuid4()
    first, created = services.visit_check_in(actor=personas.rep, retailer=shops.a,
                                             client_id=client_id, now=NOW)
    again, created_again = services.visit_check_in(actor=personas.rep, retailer=shops.a,
                                                   client_id=client_id, now=NOW)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Visit.objects.count() == 1


def test_a_client_id_of_another_retailers_visit_is_refused(personas, shops):
    client_id = uuid.uuid4()
    services.visit_check_in(actor=personas.rep, retailer=shops.a, client_id=client_id,
                            now=NOW)
    with pytest.raises(ValidationError) as error:
        services.visit_check_in(actor=personas.rep, retailer=shops.b, client_id=client_id,
                                now=NOW)
    assert "client_id" in error.value.message_dict


def test_one_on_site_visit_at_a_time(personas, shops):
    check_in(personas, shops.a, CORNER)
    with pytest.raises(ValidationError) as error:
        check_in(personas, shops.b, CORNER)
    assert shops.a.name in str(error.value) and Visit.objects.count() == 1


def test_a_closed_retailer_cannot_be_visited(personas, shops):
    Retailer.objects.filter(pk=shops.c.pk).update(status=Retailer.Status.CLOSED)
    shops.c.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        check_in(personas, shops.c, CORNER)
    assert "retailer" in error.value.message_dict


def test_the_objective_comes_from_the_approved_plan(personas, shops):
    plan = make_plan(personas.rep, personas.org.area, date(2026, 11, 1),
                     stops=[(date(2026, 11, 20), shops.a)])
    plan.stops.update(objective="推中秋礼盒")
    assert check_in(personas, shops.a, CORNER).objective == "推中秋礼盒"


def test_check_out_records_time_position_and_duration(personas, shops):
    visit = check_in(personas, shops.a, CORNER)
    later = NOW + timedelta(minutes=25)
    done = services.visit_check_out(visit=visit, actor=personas.rep, device_time=later,
                                    now=later, latitude=NORTH_150M[0],
                                    longitude=NORTH_150M[1])
    assert done.status == Visit.Status.COMPLETED and done.duration_s == 25 * 60
    assert 145 <= done.checkout_distance_m <= 155 and not done.far_from_store


def test_check_out_before_check_in_is_refused_and_nothing_changes(personas, shops):
    visit = check_in(personas, shops.a, CORNER)
    with pytest.raises(ValidationError) as error:
        services.visit_check_out(visit=visit, actor=personas.rep,
                                 device_time=NOW - timedelta(minutes=1), now=NOW,
                                 communication_notes="不该保存")
    assert "device_time" in error.value.message_dict
    visit.refresh_from_db()
    assert visit.status == Visit.Status.IN_PROGRESS and visit.communication_notes == ""


def test_checking_out_twice_replays_the_same_moment_and_refuses_another(personas, shops):
    visit = check_in(personas, shops.a, CORNER)
    out = NOW + timedelta(minutes=10)
    services.visit_check_out(visit=visit, actor=personas.rep, device_time=out, now=out)
    again = services.visit_check_out(visit=visit, actor=personas.rep, device_time=out,
                                     now=out + timedelta(minutes=5))
    assert again.checkout_received_at == out
    with pytest.raises(ValidationError):
        services.visit_check_out(visit=visit, actor=personas.rep,
                                 device_time=out + timedelta(minutes=1), now=out)


def test_another_person_cannot_record_or_check_out_the_visit(personas, shops):
    visit = check_in(personas, shops.a, CORNER)
    with pytest.raises(ValidationError):
        services.visit_record(visit=visit, actor=personas.manager, communication_notes="x")
    with pytest.raises(ValidationError):
        services.visit_check_out(visit=visit, actor=personas.manager, now=NOW)


def test_answers_are_stored_against_the_template_version(personas, shops):
    make_template(personas.org.company, personas.admin)
    visit = check_in(personas, shops.ungraded, CORNER)  # a pharmacy
    assert visit.template_version.number == 1
    services.visit_record(visit=visit, actor=personas.rep, answers={"shelf": "top"})
    with pytest.raises(ValidationError) as error:  # gsp_cert is required
        services.visit_check_out(visit=visit, actor=personas.rep, now=NOW)
    assert "answers.gsp_cert" in error.value.message_dict
    done = services.visit_check_out(visit=visit, actor=personas.rep, now=NOW,
                                    answers={"shelf": "top", "gsp_cert": True})
    assert done.answers == {"shelf": "top", "gsp_cert": True}


@pytest.mark.parametrize("kind", [Visit.Kind.PHONE, Visit.Kind.CARE_CALL])
def test_a_call_is_not_held_to_the_store_audits_required_questions(personas, shops, kind):
    make_template(personas.org.company, personas.admin)
    visit = check_in(personas, shops.ungraded, None, kind=kind)
    done = services.visit_check_out(visit=visit, actor=personas.rep, now=NOW,
                                    answers={"shelf": "top"})
    assert done.status == Visit.Status.COMPLETED and done.answers == {"shelf": "top"}
    again = check_in(personas, shops.ungraded, None, kind=kind)
    with pytest.raises(ValidationError) as error:  # what it answers must fit the template
        services.visit_check_out(visit=again, actor=personas.rep, now=NOW,
                                 answers={"gsp_cert": "yes"})
    assert set(error.value.message_dict) == {"answers.gsp_cert"}


def test_an_answer_to_an_unknown_question_or_of_the_wrong_type_is_refused(personas, shops):
    make_template(personas.org.company, personas.admin)
    visit = check_in(personas, shops.ungraded, CORNER)
    with pytest.raises(ValidationError) as error:
        services.visit_record(visit=visit, actor=personas.rep,
                              answers={"gsp_cert": "yes", "colour": "red"})
    assert set(error.value.message_dict) == {"answers.gsp_cert", "answers.colour"}


def test_price_checks_take_the_guide_price_from_the_template_and_flag_disorder(personas,
                                                                              shops):
    make_template(personas.org.company, personas.admin)
    visit = check_in(personas, shops.ungraded, CORNER)
    services.visit_record(visit=visit, actor=personas.rep, price_checks=[
        {"product_code": "P01", "guide_price": Decimal("1.00"),
         "observed_price": Decimal("13.00")},
        {"product_name": "竞品感冒灵", "guide_price": Decimal("20.00"),
         "observed_price": Decimal("20.00")}])
    first, second = PriceCheck.objects.filter(visit=visit).order_by("position")
    assert (first.product_name, first.guide_price, first.compliant) == (
        "板蓝根颗粒", Decimal("12.50"), False)
    assert second.compliant


def test_a_price_within_the_policy_tolerance_is_compliant(personas, shops):
    VisitPolicy.objects.create(company=personas.org.company, price_tolerance_pct=5)
    visit = check_in(personas, shops.a, CORNER)
    services.visit_record(visit=visit, actor=personas.rep, price_checks=[
        {"product_name": "矿泉水", "guide_price": Decimal("2.00"),
         "observed_price": Decimal("2.10")}])
    assert PriceCheck.objects.get(visit=visit).compliant


def test_stock_lines_replace_the_previous_ones(personas, shops):
    visit = check_in(personas, shops.a, CORNER)
    for on_hand in (Decimal("3"), Decimal("5")):
        services.visit_record(visit=visit, actor=personas.rep, stock_lines=[
            {"product_name": "红塔山", "on_hand": on_hand, "suggested_order": Decimal("10")}])
    assert list(visit.stock_lines.values_list("on_hand", flat=True)) == [Decimal("5")]


def test_a_checked_out_visit_can_no_longer_be_changed(personas, shops):
    visit = check_in(personas, shops.a, CORNER)
    services.visit_check_out(visit=visit, actor=personas.rep, now=NOW)
    with pytest.raises(ValidationError):
        services.visit_record(visit=visit, actor=personas.rep, communication_notes="晚了")


def test_the_last_visit_day_only_moves_forward(personas, shops):
    check_in(personas, shops.a, CORNER, device_time=NOW, now=NOW)
    services.visit_check_out(visit=Visit.objects.get(), actor=personas.rep, now=NOW)
    check_in(personas, shops.a, CORNER, device_time=NOW - timedelta(days=3),
             device_sent_at=NOW, now=NOW)  # an older visit synced late
    check_in(personas, shops.a, kind=Visit.Kind.PHONE,
             device_time=NOW + timedelta(days=1), now=NOW + timedelta(days=1))
    last = RetailerLastVisit.objects.get(retailer=shops.a)
    assert last.last_on_site_date == date(2026, 11, 20)
    assert last.last_contact_date == date(2026, 11, 21)


def test_the_database_refuses_a_check_out_before_the_check_in(personas, shops):
    visit = check_in(personas, shops.a, CORNER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(
            status=Visit.Status.COMPLETED, ended_at=visit.started_at - timedelta(seconds=1))
    assert timezone.is_aware(visit.started_at)


def test_a_rep_sees_their_visits_and_every_visit_to_their_retailers_only(personas, shops):
    own = make_visit(personas.rep, shops.a, date(2026, 11, 18))
    managers = make_visit(personas.manager, shops.a, date(2026, 11, 19))
    predecessor = make_visit(personas.rep2, shops.b, date(2026, 10, 2))
    elsewhere = make_visit(personas.rep2, shops.other_reps, date(2026, 11, 19))
    make_photo(managers)
    make_photo(elsewhere)
    seen = set(Visit.objects.for_user(personas.rep).values_list("pk", flat=True))
    assert seen == {own.pk, managers.pk, predecessor.pk}
    assert Photo.objects.for_user(personas.rep).get().visit == managers
    assert elsewhere.pk in set(Visit.objects.for_user(personas.rep2).values_list("pk",
                                                                                flat=True))
