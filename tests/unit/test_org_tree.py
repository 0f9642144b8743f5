import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import AuditEvent, JobRun, OrgNode


def test_subtree_query_is_the_node_and_everything_under_it(org):
    under_region = set(OrgNode.objects.filter(path__startswith=org.region.path))
    assert under_region == {org.region, org.office, org.area, org.area2,
                            org.sibling_office, org.sibling_area}
    assert org.other_area not in under_region


def test_moving_an_office_moves_its_areas_and_their_rows(personas):
    org = personas.org
    run = services.job_run_start(name="x", scope=org.area, started_by=personas.rep)
    assert JobRun.objects.for_user(personas.regional_manager).filter(pk=run.pk).exists()

    services.node_move(node=org.office, new_parent=org.other_region, actor=personas.admin)

    office = OrgNode.objects.get(pk=org.office.pk)
    area = OrgNode.objects.get(pk=org.area.pk)
    assert office.path.startswith(org.other_region.path)
    assert area.path.startswith(office.path)
    assert OrgNode.objects.get_parent(area) == office
    # The region the office left no longer reaches its rows; the manager still does.
    assert not JobRun.objects.for_user(personas.regional_manager).filter(pk=run.pk).exists()
    assert JobRun.objects.for_user(personas.manager).filter(pk=run.pk).exists()


def test_moving_a_node_is_audited_with_from_and_to(personas):
    org = personas.org
    services.node_move(node=org.office, new_parent=org.other_region, actor=personas.admin)
    event = AuditEvent.objects.get(object_type="accounts.orgnode", object_id=str(org.office.pk))
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "move", org.region.code, org.other_region.code, personas.admin)


def test_a_node_cannot_be_moved_under_its_own_subtree(org):
    with pytest.raises(ValidationError) as error:
        services.node_move(node=org.region, new_parent=org.area)
    assert "parent" in error.value.message_dict


def test_an_area_cannot_sit_directly_under_a_region(org):
    with pytest.raises(ValidationError) as error:
        services.node_create(parent=org.region, code="BAD1", name="错层", kind=OrgNode.Kind.AREA)
    assert "parent" in error.value.message_dict
    assert not OrgNode.objects.filter(code="BAD1").exists()


def test_node_codes_are_unique(org):
    with pytest.raises(ValidationError) as error:
        services.node_create(parent=org.office, code=org.area.code, name="重复",
                             kind=OrgNode.Kind.AREA)
    assert "code" in error.value.message_dict


def test_a_second_company_is_a_separate_root(org):
    other = services.node_create(parent=None, code="CO2", name="另一公司",
                                 kind=OrgNode.Kind.COMPANY)
    assert other.depth == 1 and not other.path.startswith(org.company.path)
    assert other.company() == other and org.area.company() == org.company
