"""Links and what they set off: duplicates, review clocks that lapse, cross-case alerts raised once, handling
codes respected."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from audits.context import SYSTEM_CONTEXT
from cases.networks.models import Context, CrossCaseAlert, Link, LinkStatus
from cases.networks.selectors import neighbourhood
from cases.networks.services import (
    LinkData,
    context_create,
    link_add,
    link_set_status,
    links_lapse_due,
    network_alerts_raise,
    network_alerts_sweep,
)
from safeguarding.deadlines.models import Deadline, DeadlineStatus, OutboxEvent, OutboxMessage
from safeguarding.deadlines.services import deadline_sweep
from safeguarding.people.models import Person
from safeguarding.people.services import person_create
from tests import factories
from tests.conftest import World
from tests.deadlines.conftest import let_time_pass
from tests.networks.conftest import Net, run_alert_worker

pytestmark = pytest.mark.django_db

EXPLOITER = LinkData(
    link_type="suspected_exploiter",
    source="Police intelligence report 4471",
    source_grade="2",
    information_grade="B",
    handling_code="P",
)


def _exploiter_of(world: World, net: Net, child, actor=None):  # type: ignore[no-untyped-def]
    return link_add(
        actor=actor or world.police_officer, context=SYSTEM_CONTEXT, a=net.adult, b=child, data=EXPLOITER
    )


def test_a_link_needs_its_evidence(world: World, net: Net) -> None:
    with pytest.raises(ValidationError) as raised:
        link_add(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            a=world.case.person,
            b=net.adult,
            data=LinkData(link_type="peer", source=" "),
        )
    assert raised.value.message_dict == {
        "source": ["Enter where this comes from: a link is recorded only with its evidence"]
    }
    assert not Link.objects.exists()


def test_the_same_link_twice_is_one_link(world: World, net: Net) -> None:
    first, created = link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=net.second.person,
        data=LinkData(link_type="peer", source="School report"),
    )
    again, created_again = link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=net.second.person,
        b=world.case.person,
        data=LinkData(link_type="peer", source="School report"),
    )
    assert created and not created_again and first.pk == again.pk


def test_a_shared_adult_alerts_both_case_owners_once(world: World, net: Net) -> None:
    _exploiter_of(world, net, net.second.person)
    run_alert_worker()
    assert not CrossCaseAlert.objects.exists()  # one child only: nothing to tie together
    link, _ = _exploiter_of(world, net, world.case.person)
    assert not CrossCaseAlert.objects.exists()  # detection runs after the commit, in the worker
    assert run_alert_worker() == 1
    alerts = CrossCaseAlert.objects.filter(link=link)
    assert {(a.case_id, a.other_case_id) for a in alerts} == {
        (world.case.pk, net.second.pk),
        (net.second.pk, world.case.pk),
    }
    clocks = Deadline.objects.filter(subject_type="network_alert")
    assert {(c.case_id, c.owning_agency_id) for c in clocks} == {
        (world.case.pk, world.social_care.pk),
        (net.second.pk, net.yot.pk),
    }
    # Each owner is told (in the app and by email) once; the label names their own child and whom to contact.
    assert OutboxMessage.objects.filter(event=OutboxEvent.ASSIGNED, deadline__in=clocks).count() == 2
    yot_clock = clocks.get(case=net.second)
    assert (
        "Northbridge Children's Social Care" in yot_clock.subject_label
        and "Zephyrine" not in yot_clock.subject_label
    )
    # Recording it again, or the task running twice, raises nothing new.
    _exploiter_of(world, net, world.case.person)
    assert network_alerts_raise(link_id=link.pk) == []
    assert run_alert_worker() == 0
    assert CrossCaseAlert.objects.count() == 2


def test_a_place_shared_by_two_children_alerts_too(world: World, net: Net) -> None:
    park = context_create(
        actor=world.mash, context=SYSTEM_CONTEXT, data={"kind": "park", "name": "Eastfield Park"}
    )
    link_add(
        actor=net.yan,
        context=SYSTEM_CONTEXT,
        a=net.second.person,
        b=park,
        data=LinkData(link_type="frequents", source="Detached youth work"),
    )
    link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=park,
        data=LinkData(link_type="frequents", source="Mother"),
    )
    run_alert_worker()
    assert CrossCaseAlert.objects.count() == 2


def test_a_c_coded_link_alerts_the_agency_that_holds_it_not_an_excluded_one(world: World, net: Net) -> None:
    restricted = LinkData(
        link_type="suspected_exploiter",
        source="Covert source",
        source_grade="1",
        information_grade="B",
        handling_code="C",
        handling_agency_types=("police",),
        handling_conditions="Police only: do not disclose to other agencies",
    )
    link_add(
        actor=world.police_officer, context=SYSTEM_CONTEXT, a=net.adult, b=net.second.person, data=restricted
    )
    link_add(
        actor=world.police_officer, context=SYSTEM_CONTEXT, a=net.adult, b=world.case.person, data=EXPLOITER
    )
    run_alert_worker()
    assert {a.told_agency_id for a in CrossCaseAlert.objects.all()} == {world.police.pk}
    # And the excluded agency does not see the C-coded link in the network at all.
    graph = neighbourhood(user=net.yan, person=net.second.person)
    assert graph.edges == []
    police_view = neighbourhood(user=world.police_officer, person=net.second.person)
    assert len(police_view.edges) == 2


def test_an_unconfirmed_link_lapses_when_its_review_runs_out_and_a_confirmed_one_stays(
    world: World, net: Net
) -> None:
    unconfirmed, _ = link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=net.second.person,
        data=LinkData(link_type="peer", source="School report"),
    )
    confirmed, _ = link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=net.adult,
        data=LinkData(link_type="associate", source="Seen together by police"),
    )
    link_set_status(actor=world.mash, context=SYSTEM_CONTEXT, link=confirmed, status=LinkStatus.CONFIRMED)
    assert Deadline.objects.get(subject_id=confirmed.pk).status == DeadlineStatus.MET
    let_time_pass(Deadline.objects.get(subject_id=unconfirmed.pk), timedelta(days=91))
    deadline_sweep()
    assert links_lapse_due() == 1
    assert links_lapse_due() == 0
    unconfirmed.refresh_from_db()
    confirmed.refresh_from_db()
    assert (unconfirmed.status, confirmed.status) == (LinkStatus.LAPSED, LinkStatus.CONFIRMED)


def test_the_neighbourhood_shows_a_person_the_viewer_may_not_open_as_a_placeholder(
    world: World, net: Net
) -> None:
    _exploiter_of(world, net, net.second.person)
    _exploiter_of(world, net, world.case.person)
    graph = neighbourhood(user=world.mash, person=world.case.person)
    labels = sorted(n.label for n in graph.nodes.values())
    assert labels == [
        "Dex Adult",
        "Known to another agency: contact Northbridge Youth Offending Service",
        "Zephyrine Quillfeather",
    ]
    assert "Remi" not in str([n.__dict__ for n in graph.nodes.values()])
    both = neighbourhood(user=world.police_officer, person=world.case.person)
    assert len(both.nodes) == 3 and len(both.edges) == 2


def test_the_neighbourhood_takes_the_same_queries_however_big(
    world: World, net: Net, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _exploiter_of(world, net, world.case.person)
    # Hop 1, hop 2, the people the viewer may see; whom to contact about the others only when there are any.
    with django_assert_num_queries(3):
        neighbourhood(user=world.mash, person=world.case.person)
    for n in range(5):
        place = Context.objects.create(
            local_authority=world.case.local_authority,
            kind="address",
            name=f"Flat {n}",
            created_by=world.mash,
            created_by_agency=world.social_care,
        )
        link_add(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            a=net.adult,
            b=place,
            data=LinkData(link_type="frequents", source="Police"),
        )
    _exploiter_of(
        world, net, net.second.person
    )  # a child alice may not open: one more query, for the contact
    with django_assert_num_queries(4):
        neighbourhood(user=world.mash, person=world.case.person)


def test_a_context_is_assessed_and_its_plan_reaches_every_child_linked_to_it(world: World, net: Net) -> None:
    from cases.networks.selectors import children_affected, context_plan, plans_reaching
    from cases.networks.services import context_action_agree, context_action_done, context_assess

    park = context_create(
        actor=world.mash, context=SYSTEM_CONTEXT, data={"kind": "park", "name": "Eastfield Park"}
    )
    for child in (world.case.person, net.second.person):
        link_add(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            a=child,
            b=park,
            data=LinkData(link_type="frequents", source="Detached youth work"),
        )
    with pytest.raises(ValidationError) as raised:
        context_assess(actor=world.mash, context=SYSTEM_CONTEXT, ctx=park, data={"kind": "neighbourhood"})
    assert set(raised.value.message_dict) == {"findings", "change_first"}
    context_assess(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        ctx=park,
        data={
            "kind": "neighbourhood",
            "findings": "Older males recruit at the skate area after school.",
            "change_first": "Lighting and a detached youth work presence at the skate area, 3 to 7 pm.",
        },
    )
    action = context_action_agree(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        ctx=park,
        description="Council to fix the lighting",
        owner_agency=world.housing,
        owner=None,
        due_date=date.today() + timedelta(days=21),
    )
    clock = Deadline.objects.get(subject_type="context_action", subject_id=action.pk)
    assert (clock.policy, clock.owning_agency_id) == ("context_action", world.housing.pk)
    assessments, actions = context_plan(ctx=park)
    assert [a.kind for a in assessments] == ["neighbourhood"] and actions == [action]
    # The plan reaches both children; each viewer sees the children they may see.
    assert plans_reaching(user=world.mash, person=world.case.person) == [action]
    assert plans_reaching(user=net.yan, person=net.second.person) == [action]
    assert [p.given_name for p in children_affected(user=world.mash, ctx=park)] == ["Zephyrine"]
    context_action_done(actor=world.housing_officer, context=SYSTEM_CONTEXT, action=action, note="Fixed")
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.MET


def test_a_new_link_queues_its_cross_case_detection_on_commit(
    world: World,
    net: Net,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        link, _ = _exploiter_of(world, net, world.case.person)
    assert len(callbacks) == 1  # the task, published by name when the link commits
    assert Link.objects.get(pk=link.pk).alerts_checked_at is None
    # A lost task is caught by the sweep once the link has waited long enough, and only then.
    assert network_alerts_sweep() == 0
    Link.objects.filter(pk=link.pk).update(created_at=link.created_at - timedelta(minutes=2))
    assert network_alerts_sweep() == 1
    assert Link.objects.get(pk=link.pk).alerts_checked_at is not None


ADULT_NHS_NUMBER = "9434765870"  # a valid check digit, used by no one else in the tests


def test_a_child_in_the_next_borough_tied_to_the_same_adult_alerts_across_authorities(
    world: World, net: Net
) -> None:
    # Southmere records the same adult (same NHS number) and a Southmere child he is suspected of exploiting.
    # The adult as Northbridge records him, with his NHS number; Southmere records the same number.
    Person.objects.filter(pk=net.adult.pk).update(nhs_number=ADULT_NHS_NUMBER)
    net.adult.refresh_from_db()
    twin = person_create(
        actor=world.stranger,
        context=SYSTEM_CONTEXT,
        data=factories.person_data(given_name="Dexter", family_name="Adult", nhs_number=net.adult.nhs_number),
    )
    southmere_child = factories.open_case(world.stranger, given_name="Sol", family_name="Southmere")
    link_add(actor=world.stranger, context=SYSTEM_CONTEXT, a=twin, b=southmere_child.person, data=EXPLOITER)
    run_alert_worker()
    link, _ = _exploiter_of(world, net, world.case.person)
    run_alert_worker()
    pairs = {(a.case_id, a.other_case_id) for a in CrossCaseAlert.objects.filter(link=link)}
    assert pairs == {(world.case.pk, southmere_child.pk), (southmere_child.pk, world.case.pk)}
    # Only the other authority's MASH is named, in each direction; no name crosses.
    labels = dict(
        Deadline.objects.filter(subject_type="network_alert").values_list("case_id", "subject_label")
    )
    assert "contact the Southmere MASH" in labels[world.case.pk] and "Sol" not in labels[world.case.pk]
    assert "contact the Northbridge MASH" in labels[southmere_child.pk]
    assert "Zephyrine" not in labels[southmere_child.pk]
    assert Deadline.objects.get(case=southmere_child, subject_type="network_alert").local_authority_id == (
        southmere_child.local_authority_id
    )


def test_changing_a_context_records_before_and_after_and_nothing_when_nothing_changed(world: World) -> None:
    from audits.models import AuditEvent
    from cases.networks.services import context_update
    from safeguarding.common.errors import PermissionRefused

    ctx = context_create(
        actor=world.mash, context=SYSTEM_CONTEXT, data={"kind": "shop", "name": "Chicken shop"}
    )
    context_update(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        ctx=ctx,
        data={"kind": "shop", "name": "Dixy's, High Street", "postcode": "nb2 1aa"},
    )
    [change] = AuditEvent.objects.filter(object_type="context", object_id=ctx.pk, action="update")
    assert change.changes == {
        "name": ["Chicken shop", "Dixy's, High Street"],
        "postcode": ["", "NB2 1AA"],
    }
    ctx.refresh_from_db()
    context_update(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        ctx=ctx,
        data={"kind": "shop", "name": "Dixy's, High Street", "postcode": "NB2 1AA"},
    )
    assert AuditEvent.objects.filter(object_type="context", object_id=ctx.pk, action="update").count() == 1
    with pytest.raises(ValidationError):
        context_update(
            actor=world.mash, context=SYSTEM_CONTEXT, ctx=ctx, data={"kind": "castle", "name": "x"}
        )
    with pytest.raises(PermissionRefused):
        context_update(
            actor=world.stranger, context=SYSTEM_CONTEXT, ctx=ctx, data={"kind": "shop", "name": "x"}
        )
    ctx.refresh_from_db()
    assert ctx.name == "Dixy's, High Street"


def test_a_contexts_postcode_and_name_are_checked(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        context_create(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            data={"kind": "shop", "name": "Chicken \u202eshop", "postcode": "12345"},
        )
    assert refused.value.message_dict == {
        "name": ["Remove the hidden characters that change the direction of the text"],
        "postcode": ["Enter a real postcode, like SW1A 1AA"],
    }
    made = context_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data={"kind": "shop", "name": "Chicken shop", "postcode": "nb12ab"},
    )
    assert made.postcode == "NB1 2AB"
