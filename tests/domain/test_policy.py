"""The call-next policy on its own: appointments, priority at priority counters, interleave."""

import datetime as dt

from queue_server.domain.model import Counter, CounterStatus, Service, Ticket
from queue_server.domain.policy import default_policy
from queue_server.domain.settings import CentreSettings

T0 = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.UTC)
HT = Service(centre_id=1, code="HT", name="Hộ tịch", prefix="A", id=1)
CT = Service(centre_id=1, code="CT", name="Chứng thực", prefix="B", id=2)
SETTINGS = CentreSettings()


def counter(*services, priority=False, streak=0, id=10):
    return Counter(centre_id=1, number=id, name="Q", priority=priority, status=CounterStatus.OPEN,
                   services=list(services), priority_streak=streak, id=id)


def ticket(id, minute, service=HT, priority=None, appointment_at=None, target=None):
    return Ticket(centre_id=1, service_id=service.id, day=T0.date(), seq=id, number=f"A{id:03d}",
                  issued_at=T0 + dt.timedelta(minutes=minute), priority=priority,
                  appointment_at=appointment_at, target_counter_id=target, id=id)


def test_longest_wait_first_across_the_counters_services():
    waiting = [ticket(1, 5, CT), ticket(2, 1, HT), ticket(3, 3, CT)]
    assert default_policy(counter(HT, CT), waiting, T0, SETTINGS).id == 2


def test_only_the_counters_services_are_called():
    waiting = [ticket(1, 1, CT)]
    assert default_policy(counter(HT), waiting, T0, SETTINGS) is None


def test_priority_goes_before_normal_tickets():
    waiting = [ticket(1, 1), ticket(2, 9, priority="elderly")]
    assert default_policy(counter(HT), waiting, T0, SETTINGS).id == 2


def test_interleave_lets_a_normal_ticket_through_after_two_priority_calls():
    waiting = [ticket(1, 1), ticket(2, 9, priority="elderly")]
    assert default_policy(counter(HT, streak=2), waiting, T0, SETTINGS).id == 1
    assert default_policy(counter(HT, streak=1), waiting, T0, SETTINGS).id == 2


def test_priority_counter_serves_priority_first_regardless_of_streak():
    waiting = [ticket(1, 1), ticket(2, 9, priority="pregnant")]
    assert default_policy(counter(HT, priority=True, streak=5), waiting, T0, SETTINGS).id == 2


def test_unknown_priority_code_counts_as_normal():
    settings = CentreSettings(priority_groups={"elderly": "Người cao tuổi"})
    waiting = [ticket(1, 1), ticket(2, 9, priority="child")]
    assert default_policy(counter(HT), waiting, T0, settings).id == 1


def test_checked_in_appointment_within_window_comes_first():
    booked = ticket(3, 20, appointment_at=T0 + dt.timedelta(minutes=10))
    waiting = [ticket(1, 1, priority="elderly"), booked]
    assert default_policy(counter(HT), waiting, T0, SETTINGS).id == 3


def test_appointment_outside_its_window_waits_like_everyone():
    early = ticket(3, 20, appointment_at=T0 + dt.timedelta(hours=2))
    waiting = [ticket(1, 1), early]
    assert default_policy(counter(HT), waiting, T0, SETTINGS).id == 1


def test_ticket_transferred_to_a_counter_is_called_only_there():
    sent = ticket(1, 0, CT, target=11)
    assert default_policy(counter(HT, id=10), [sent], T0, SETTINGS) is None
    assert default_policy(counter(HT, id=11), [sent], T0, SETTINGS).id == 1
