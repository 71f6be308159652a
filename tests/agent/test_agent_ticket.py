"""What the kiosk's agent prints: the ticket as the API gave it, the centre's template from the
server (unless the PC's file overrides it), and a ticket it cannot lay out reported, not dropped."""

from __future__ import annotations

import datetime as dt

import pytest

from hardware.agent import Agent
from hardware.agent_config import from_dict
from hardware.printer import decode_receipts

TICKET = {"id": 41, "number": "C007", "service": "DD", "service_name": "Đất đai", "people_ahead": 3,
          "estimated_wait_minutes": 12, "issued_at": "2026-11-23T09:41:00+07:00",
          "tracking_url": "http://10.0.0.2:5000/q/41-abc"}


@pytest.fixture
def make_agent(tmp_path):
    agents: list[Agent] = []

    def factory(**printer) -> Agent:
        agent = Agent(from_dict({"server": {"url": "http://127.0.0.1:9", "token": "t"},
                                 "agent": {"data_dir": str(tmp_path / f"a{len(agents)}")},
                                 "printer": {"url": f"file://{tmp_path / 'p.bin'}", **printer}}))
        agent.client = {"name": "kiosk-sanh", "role": "kiosk", "public_url": "http://10.0.0.2:5000",
                        "ticket": {"header": ["UBND XÃ DEMO"], "footer": ["Cảm ơn!"],
                                   "timezone": "Asia/Bangkok"}}
        agent.centre_name = "Trung tâm Phục vụ hành chính công xã Demo"
        agents.append(agent)
        return agent

    yield factory
    for agent in agents:
        agent.stop()


def test_the_ticket_uses_the_api_answer_and_the_centres_template(make_agent):
    content = make_agent().ticket_print(TICKET)
    assert (content.number, content.service_name, content.people_ahead) == ("C007", "Đất đai", 3)
    assert content.estimated_wait_minutes == 12 and content.tracking_url == TICKET["tracking_url"]
    assert content.centre_name == "Trung tâm Phục vụ hành chính công xã Demo"
    assert content.header_lines == ("UBND XÃ DEMO",) and content.footer_lines == ("Cảm ơn!",)
    assert content.issued_at == dt.datetime(2026, 11, 23, 2, 41, tzinfo=dt.UTC)
    assert content.timezone == "Asia/Bangkok"
    without_link = make_agent().ticket_print({**TICKET, "tracking_url": None})
    assert without_link.tracking_url is None  # no QR rather than a link revealing the ticket id


def test_the_pcs_own_file_overrides_the_template(make_agent):
    content = make_agent(header=["SỞ TƯ PHÁP"], footer=[]).ticket_print(TICKET)
    assert content.header_lines == ("SỞ TƯ PHÁP",) and content.footer_lines == ()


def test_printing_queues_the_result_and_a_bad_ticket_is_reported(make_agent, tmp_path):
    agent = make_agent()
    outcome = agent.print_ticket(TICKET)
    assert outcome == {"ticket_id": 41, "number": "C007", "ok": True, "status": "printed",
                       "message": "Đã in phiếu. Vui lòng nhận phiếu."}
    assert len(decode_receipts((tmp_path / "p.bin").read_bytes())) == 1
    assert agent.print_ticket(TICKET) == {}  # the same ticket is not printed twice
    bad = agent.print_ticket({**TICKET, "id": 42, "people_ahead": -1})
    assert bad["ok"] is False and bad["status"] == "render" and "chụp màn hình" in bad["message"]
    sent = []
    while (item := agent.outbox.head()) is not None:
        sent.append((item.path, item.body["ok"], item.body["status"]))
        agent.outbox.done(item)
    assert sent == [("/tickets/41/print-result", True, "printed"),
                    ("/tickets/42/print-result", False, "render")]
    assert len(decode_receipts((tmp_path / "p.bin").read_bytes())) == 1
