"""A manager's actions: the statuses each applies to (``WrongState`` naming both otherwise),
who may act on which brand, the manager's own text checked like a draft, regenerate queued."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.application.reputation.manager_actions import (
    ItemNotFound,
    NotAllowed,
    WrongState,
    approve,
    can_act,
    edit_and_approve,
    pending,
    request_regenerate,
    skip,
)
from adolf.domain.alerts.users import Role, User
from adolf.domain.reputation.errors import InvalidReputation
from adolf.domain.reputation.items import Response, ResponseSource, ResponseStatus
from adolf.domain.reputation.lifecycle import ItemStatus
from tests.support.fakes.reputation_services import FakeReputationServices, drain
from tests.unit.application.reputation.conftest import ADMIN, ScriptedMarketplace, review, stored

MANAGER = User("u-m", "Мария", Role.MANAGER, "ohana_market")


@pytest.fixture
def services() -> FakeReputationServices:
    services = FakeReputationServices()
    services.reputation_marketplace = ScriptedMarketplace()
    return services


def drafted(services: FakeReputationServices, external_id: str = "r1", brand: str = "ohana_market") -> int:
    item_id = stored(services, review(external_id, services.clock.now(), brand=brand), ItemStatus.PENDING_REVIEW)
    services.unit_of_work.reputation_responses.save(
        Response(item_id, "Спасибо за отзыв!", ResponseSource.MODEL, ResponseStatus.DRAFT, services.clock.now())
    )
    return item_id


def status_of(services: FakeReputationServices, item_id: int) -> ItemStatus:
    item = services.unit_of_work.reputation_items.get(item_id)
    assert item is not None
    return item.status


def test_approve_moves_the_draft_to_approved_and_queues_its_send(services: FakeReputationServices) -> None:
    item_id = drafted(services)

    approve(services, item_id, MANAGER)

    assert status_of(services, item_id) is ItemStatus.APPROVED
    answer = services.unit_of_work.reputation_responses.get(item_id)
    assert answer is not None and answer.status is ResponseStatus.APPROVED
    assert services.queue.payloads("reputation.send_response") == [{"item_id": item_id}]


def test_approving_twice_is_a_wrong_state_naming_both_states(services: FakeReputationServices) -> None:
    item_id = drafted(services)
    approve(services, item_id, MANAGER)

    with pytest.raises(WrongState) as refused:
        approve(services, item_id, MANAGER)

    assert (refused.value.current, refused.value.wanted) == (ItemStatus.APPROVED, (ItemStatus.PENDING_REVIEW,))
    assert "'approved'" in str(refused.value) and "'pending_review'" in str(refused.value)
    assert len(services.queue.payloads("reputation.send_response")) == 1


@pytest.mark.parametrize("status", [ItemStatus.PUBLISHED, ItemStatus.SKIPPED, ItemStatus.FAILED, ItemStatus.APPROVED])
def test_no_action_applies_to_an_item_past_review(services: FakeReputationServices, status: ItemStatus) -> None:
    item_id = stored(services, review("r1", services.clock.now()), status)

    for act in (
        lambda: approve(services, item_id, ADMIN),
        lambda: edit_and_approve(services, item_id, "Спасибо!", ADMIN),
        lambda: skip(services, item_id, ADMIN),
        lambda: request_regenerate(services, item_id, "короче", ADMIN),
    ):
        with pytest.raises(WrongState) as refused:
            act()
        assert refused.value.current is status and status.value in str(refused.value)
    assert status_of(services, item_id) is status


def test_edit_and_approve_publishes_the_managers_words_after_the_same_checks(services: FakeReputationServices) -> None:
    item_id = drafted(services)

    with pytest.raises(InvalidReputation, match="link"):
        edit_and_approve(services, item_id, "Смотрите на www.ohana.ru", MANAGER)
    assert status_of(services, item_id) is ItemStatus.PENDING_REVIEW

    edit_and_approve(services, item_id, "Спасибо, Анна! Рады, что понравилось.", MANAGER)
    answer = services.unit_of_work.reputation_responses.get(item_id)
    assert answer is not None and (answer.source, answer.status) == (ResponseSource.MANAGER, ResponseStatus.APPROVED)
    assert [name for name, _ in drain(services)] == ["reputation.send_response"]
    assert status_of(services, item_id) is ItemStatus.PUBLISHED


def test_a_manager_may_answer_an_item_whose_draft_was_refused(services: FakeReputationServices) -> None:
    item_id = stored(services, review("r1", services.clock.now()), ItemStatus.ANALYZED)

    edit_and_approve(services, item_id, "Спасибо за отзыв!", ADMIN)

    assert status_of(services, item_id) is ItemStatus.APPROVED


def test_skip_and_regenerate(services: FakeReputationServices) -> None:
    skipped, again = drafted(services, "r1"), drafted(services, "r2")

    skip(services, skipped, MANAGER)
    request_regenerate(services, again, "  Добавьте про обмен размера ", MANAGER)

    assert status_of(services, skipped) is ItemStatus.SKIPPED
    assert services.queue.payloads("reputation.regenerate_response") == [
        {"item_id": again, "instructions": "Добавьте про обмен размера"}
    ]
    drain(services)
    assert services.reputation_model.drafted == [(again, "Добавьте про обмен размера")]
    assert status_of(services, again) is ItemStatus.PENDING_REVIEW


def test_pending_lists_drafts_of_the_brands_asked_oldest_first(services: FakeReputationServices) -> None:
    mine, theirs = drafted(services, "r1"), drafted(services, "r2", brand="ohana_kids")
    stored(services, review("r3", services.clock.now()), ItemStatus.ANALYZED)

    cards = pending(services, ["ohana_market"])

    assert [card.item.id for card in cards] == [mine]
    assert cards[0].response is not None and cards[0].response.text == "Спасибо за отзыв!"
    assert [card.item.id for card in pending(services)] == [mine, theirs]


def test_an_unknown_item_and_another_brands_manager_are_refused(services: FakeReputationServices) -> None:
    item_id = drafted(services, brand="ohana_kids")

    with pytest.raises(ItemNotFound, match="item_id=999"):
        approve(services, 999, ADMIN)
    with pytest.raises(NotAllowed, match="ohana_kids"):
        approve(services, item_id, MANAGER)
    assert status_of(services, item_id) is ItemStatus.PENDING_REVIEW


@given(
    st.sampled_from(list(Role)),
    st.sampled_from(["ohana_market", "ohana_kids", "all"]),
    st.sampled_from(["ohana_market", "ohana_kids"]),
    st.booleans(),
)
def test_who_may_act_a_manager_of_the_brand_or_all_a_senior_an_admin(
    role: Role, user_brand: str, brand: str, active: bool
) -> None:
    user = User("u", "U", role, user_brand, active=active)

    expected = active and (role in (Role.SENIOR, Role.ADMIN) or (role is Role.MANAGER and user_brand in (brand, "all")))
    assert can_act(user, brand) is expected
