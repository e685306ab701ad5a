"""Routing by topic: a handed-over conversation goes to an agent skilled in its topic."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.channels.agents import (
    SECOND_AGENT,
    add_second_agent,
    agent_headers,
    console,
)
from tests.integration.channels.conftest import AGENT, AppFactory
from tests.integration.channels.handoff.test_handoff import chat

SUPERVISOR = {"username": "supervisor", "password": "Supervisor@2026!"}


def set_skills(
    client: TestClient, username: str, skills: list[str], who: dict[str, str] = SUPERVISOR
) -> Any:
    """PUT the agent's skills as `who`; the response."""
    return client.put(
        f"/api/v1/agent/agents/{username}/skills",
        json={"skills": skills},
        headers=agent_headers(client, who),
    )


def second_agent_seen(client: TestClient) -> None:
    """小李 exists and has opened the console once: a supervisor may set their skills."""
    add_second_agent(client)
    with console(client, agent_headers(client, SECOND_AGENT)):
        pass


def held_by(client: TestClient, headers: dict[str, str]) -> list[str]:
    """The conversations the agent holds."""
    items = client.get("/api/v1/agent/conversations", headers=headers).json()["items"]
    return [item["conversation_id"] for item in items]


def test_a_conversation_goes_to_the_agent_skilled_in_its_topic(make_client: AppFactory) -> None:
    client = make_client()
    add_second_agent(client)
    first, second = agent_headers(client), agent_headers(client, SECOND_AGENT)
    with console(client, first), console(client, second):
        assert set_skills(client, "agent2", ["invoicing"]).json()["skills"] == ["invoicing"]

        # 小王 would be first by name with as few conversations; 小李 knows invoicing.
        invoicing = chat(client, "开票的时候出错了，转人工")
        assert "人工客服 小李 已接入" in invoicing["messages"][-1]["text"]
        # A knowledge answer on account matters led to this one: nobody is skilled in
        # it, so it goes by the fewest conversations.
        account = chat(client, "忘记密码了")
        account = chat(client, "还是不行，转人工", account["conversation_id"])
        assert "人工客服 小王 已接入" in account["messages"][-1]["text"]

        transcript = client.get(
            f"/api/v1/agent/conversations/{invoicing['conversation_id']}", headers=second
        ).json()
        assert (transcript["topic"], transcript["topic_label"]) == ("invoicing", "开票操作")
        queued = transcript["events"][0]
        assert (queued["kind"], queued["detail"]) == ("user_request", {"topic": "invoicing"})


def test_a_conversation_waits_for_a_skilled_agent_then_goes_to_anyone(
    make_client: AppFactory,
) -> None:
    client = make_client(
        handoff_agent_limit=1, handoff_skill_wait_seconds=2, agent_online_seconds=5
    )
    add_second_agent(client)
    first, second = agent_headers(client), agent_headers(client, SECOND_AGENT)
    with console(client, first), console(client, second):
        set_skills(client, "agent2", ["invoicing"])
        chat(client, "开票转人工")  # 小李 now holds the one conversation they may
        waiting = chat(client, "开票又出错了，转人工")

        # 小王 has room but not the skill, and 小李 is online: it waits for 小李.
        assert waiting["state"] == "waiting"
        assert held_by(client, first) == []
        # Once the wait is up, a console's heartbeat gives it to whoever has room.
        deadline = time.monotonic() + 15
        while not held_by(client, first) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert held_by(client, first) == [waiting["conversation_id"]]


def test_a_waiting_user_without_a_topic_picks_one_from_the_menu(make_client: AppFactory) -> None:
    client = make_client()
    assert "请选择" not in chat(client, "转人工")["messages"][-1]["text"]  # no skills: no menu
    second_agent_seen(client)
    set_skills(client, "agent2", ["receiving"])

    turn = chat(client, "转人工")
    menu = turn["messages"][-1]
    assert menu["role"] == "system" and "请选择您的问题类型" in menu["text"]
    titles = [button["title"] for button in menu["buttons"]]
    assert titles == ["开票操作", "账户与登录", "政策咨询", "收票与报销"]

    payload = menu["buttons"][2]["payload"]
    picked = chat(client, payload, turn["conversation_id"])

    assert picked["state"] == "waiting"
    assert "已记录您的问题类型：政策咨询" in picked["messages"][-1]["text"]
    headers = agent_headers(client)
    queue = client.get("/api/v1/agent/queue", headers=headers).json()["items"]
    [item] = [c for c in queue if c["conversation_id"] == turn["conversation_id"]]
    assert (item["topic"], item["topic_label"]) == ("policy", "政策咨询")
    transcript = client.get(
        f"/api/v1/agent/conversations/{turn['conversation_id']}", headers=headers
    ).json()
    # The user's message shows as the button's title; the choice is an event.
    assert [m["text"] for m in transcript["messages"] if m["role"] == "user"][-1] == "政策咨询"
    assert transcript["events"][-1]["kind"] == "topic"
    # Typing the title works as well (WeChat has no buttons); an unknown code does not.
    assert "已记录" in chat(client, "收票与报销", turn["conversation_id"])["messages"][-1]["text"]
    assert chat(client, "/handoff_topic:nothing", turn["conversation_id"])["messages"] == []


def test_only_a_supervisor_sets_skills_and_a_bad_request_changes_nothing(
    make_client: AppFactory,
) -> None:
    client = make_client()
    second_agent_seen(client)
    assert set_skills(client, "agent2", ["policy", "account"]).status_code == 200

    refused = set_skills(client, "agent2", ["invoicing"], who=AGENT)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    bad = set_skills(client, "agent2", ["policy", "accounting"])
    assert bad.status_code == 422
    assert (bad.json()["error"]["code"], bad.json()["error"]["field"]) == (
        "invalid_input",
        "skills.1",
    )
    unknown = set_skills(client, "nobody", ["policy"])
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "username"

    listed = client.get("/api/v1/agent/skills", headers=agent_headers(client)).json()
    assert [t["label"] for t in listed["topics"]] == [
        "开票操作",
        "账户与登录",
        "政策咨询",
        "收票与报销",
    ]
    assert {a["username"]: a["skills"] for a in listed["items"]}["agent2"] == [
        "account",
        "policy",
    ]
    me = client.get("/api/v1/agent/me", headers=agent_headers(client, SUPERVISOR)).json()
    assert me["supervisor"] is True
