"""In-app notifications reach the logged-in user's widget socket live, and nobody else's."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine

from channels.handoff.tickets import TicketStore
from tests.integration.channels.conftest import AGENT, USER, AppFactory, log_in
from tests.integration.channels.frames import hello, of_type, until


def test_a_new_in_app_notification_reaches_the_users_widget_socket_live_and_no_one_elses(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client(notify_send_every_seconds=0.1)
    demo, agent = log_in(client, USER), log_in(client, AGENT)
    tickets = TicketStore(engine)
    with (
        client.websocket_connect("/ws/chat") as mine,
        client.websocket_connect("/ws/chat") as guest,
        client.websocket_connect("/ws/chat") as another_user,
    ):
        hello(mine, token=demo)
        hello(guest)
        hello(another_user, token=agent)
        text = f"发票怎么红冲？{uuid.uuid4().hex[:6]}"
        ticket = tickets.open_ticket(None, "demo", "13800000000", text)
        assert tickets.close_ticket(ticket.id, "agent")
        notes = client.app.state.notifications  # type: ignore[attr-defined]
        notes.watcher.look_once()

        frame = until(mine, lambda f: f["type"] == "notification" and text in f["body"])
        # The in-app way only (the defaults): one row for this ticket.
        (row,) = [n for n in notes.outbox.all_rows() if text in n.body]
        assert row.way == "app"
        assert frame == {
            "type": "notification",
            "id": row.id,
            "kind": "ticket_reply",
            "title": "您的留言已处理",
            "body": f"您的留言“{text}”已由客服处理完毕。",
            "urgent": False,
        }
        # The others heard nothing (of this or any notification) before their pong.
        for socket in (guest, another_user):
            socket.send_json({"type": "ping"})
            assert socket.receive_json() == {"type": "pong"}


def test_a_socket_with_an_expired_token_continues_as_a_guest_without_notifications(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client(notify_send_every_seconds=0.1)
    demo = log_in(client, USER)
    tickets = TicketStore(engine)
    with (
        client.websocket_connect("/ws/chat") as stale,
        client.websocket_connect("/ws/chat") as mine,
    ):
        stale.send_json({"type": "hello", "token": "not-a-token"})
        refused = until(stale, of_type("error"))
        assert refused["code"] == "not_logged_in"
        assert until(stale, of_type("welcome"))["user"] is None
        hello(mine, token=demo)
        text = f"怎么查发票？{uuid.uuid4().hex[:6]}"
        ticket = tickets.open_ticket(None, "demo", "13800000000", text)
        assert tickets.close_ticket(ticket.id, "agent")
        client.app.state.notifications.watcher.look_once()  # type: ignore[attr-defined]
        until(mine, lambda f: f["type"] == "notification" and text in f["body"])
        stale.send_json({"type": "ping"})
        assert stale.receive_json() == {"type": "pong"}


def test_a_notification_sent_by_another_worker_reaches_the_socket_through_redis(
    make_client: AppFactory, engine: Engine, redis_url: str
) -> None:
    # Only the second worker's sender runs (soon); the socket is on the first.
    socket_worker = make_client(redis_url=redis_url, notify_send_every_seconds=3600)
    sending_worker = make_client(redis_url=redis_url, notify_send_every_seconds=0.1)
    demo = log_in(socket_worker, USER)
    tickets = TicketStore(engine)
    with socket_worker.websocket_connect("/ws/chat") as mine:
        hello(mine, token=demo)
        text = f"跨进程的通知？{uuid.uuid4().hex[:6]}"
        ticket = tickets.open_ticket(None, "demo", "13800000000", text)
        assert tickets.close_ticket(ticket.id, "agent")
        sending_worker.app.state.notifications.watcher.look_once()  # type: ignore[attr-defined]
        frame = until(mine, lambda f: f["type"] == "notification" and text in f["body"])
        assert frame["title"] == "您的留言已处理"
