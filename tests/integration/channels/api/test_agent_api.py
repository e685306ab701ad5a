"""Only agents use the agent API, and an agent reads only the queue and their own conversations."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.channels.agents import (
    SECOND_AGENT,
    add_second_agent,
    agent_headers,
    console,
)
from tests.integration.channels.conftest import USER, AppFactory, bearer, log_in, wait_for

INVOICE = {
    "kind": "digital_general",
    "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
    "lines": [{"name": "技术服务费", "quantity": "1", "unit_price": "1060", "tax_rate": "6%"}],
}


def test_the_agent_api_needs_an_agents_login(make_client: AppFactory) -> None:
    client = make_client()
    anonymous = client.get("/api/v1/agent/queue")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_logged_in"
    forged = client.get("/api/v1/agent/queue", headers=bearer("forged"))
    assert forged.status_code == 401
    user = client.get("/api/v1/agent/queue", headers=bearer(log_in(client, USER)))
    assert user.status_code == 403 and "客服" in user.json()["error"]["message"]
    assert client.get("/api/v1/agent/queue", headers=agent_headers(client)).status_code == 200


def test_a_user_cannot_open_the_console_socket(make_client: AppFactory) -> None:
    client = make_client()
    with client.websocket_connect("/ws/agent") as ws:
        ws.send_json({"type": "hello", "token": log_in(client, USER)})
        assert ws.receive_json()["code"] == "forbidden"
        assert ws.receive()["type"] == "websocket.close"


def test_an_agent_reads_neither_bot_conversations_nor_another_agents(
    make_client: AppFactory,
) -> None:
    client = make_client()
    add_second_agent(client)
    first, second = agent_headers(client), agent_headers(client, SECOND_AGENT)
    with_bot = client.post("/api/v1/chat", json={"message": "你好"}).json()["conversation_id"]
    assert client.get(f"/api/v1/agent/conversations/{with_bot}", headers=first).status_code == 404
    with console(client, first):
        held = client.post("/api/v1/chat", json={"message": "转人工"}).json()["conversation_id"]
    for path in ("", "/customer"):
        response = client.get(f"/api/v1/agent/conversations/{held}{path}", headers=second)
        assert response.status_code == 404
    send = client.post(
        f"/api/v1/agent/conversations/{held}/messages", json={"text": "冒充"}, headers=second
    )
    assert send.status_code == 404
    assert client.get("/api/v1/agent/conversations/not-a-uuid", headers=first).status_code == 422


def test_the_holding_agent_sees_the_customers_company_and_recent_invoices(
    make_client: AppFactory,
) -> None:
    client: TestClient = make_client()
    user = bearer(log_in(client, USER))
    headers = agent_headers(client)
    with console(client, headers):
        turn = client.post("/api/v1/chat", json={"message": "转人工"}, headers=user).json()
    url = f"/api/v1/agent/conversations/{turn['conversation_id']}/customer"

    before = client.get(url, headers=headers).json()  # a company with no invoice yet
    assert (before["username"], before["display_name"]) == ("demo", "演示开票员")
    assert before["company"] == {"name": "武汉示例科技有限公司", "tax_id": "91420100MA4K5R3T13"}
    assert before["invoices"] == []

    issued = client.post("/api/v1/invoices", json=INVOICE, headers=user)
    assert issued.status_code == 201, issued.text
    panel = client.get(url, headers=headers).json()
    assert panel["company"] == before["company"]
    assert [invoice["number"] for invoice in panel["invoices"]] == [issued.json()["number"]]


def test_canned_replies_and_the_online_agents_are_listed(make_client: AppFactory) -> None:
    client = make_client()
    headers = agent_headers(client)
    assert client.get("/api/v1/agent/canned-replies", headers=headers).json()["items"]
    with console(client, headers):
        me = client.get("/api/v1/agent/me", headers=headers).json()
        assert me["display_name"] == "小王"
        assert [a["username"] for a in me["online"]] == ["agent"]
    # The console's socket closes on the server a moment after the client leaves.
    wait_for(lambda: not client.get("/api/v1/agent/agents", headers=headers).json()["items"])
