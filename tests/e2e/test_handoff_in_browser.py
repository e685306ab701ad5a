"""A user asks for a human in the widget; an agent claims, answers, hands back or closes.

Two browser contexts in real Chromium against the real stack (app, Rasa, actions):
the user's page with the embedded widget and the agent's console. Screenshots of
each step are kept as test artefacts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from channels.handoff.tickets import TicketStore
from invoicing_core.persistence import make_engine
from tests.e2e.conftest import Stack
from tests.e2e.pages import DESKTOP, PHONE, WAIT, Console, Widget, log_in_as_demo, user_and_agent

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
LONG_BUYER = "湖北长江经济带高质量发展产业投资集团有限公司"


@pytest.fixture
def pages(browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[Page, Page]]:
    """The user's page (desktop or phone) and the agent's page."""
    with user_and_agent(browser, request.param) as both:
        yield both


def _hand_over(
    stack: Stack, user_page: Page, agent_page: Page, shots: Path
) -> tuple[Widget, Console]:
    user_page.goto(stack.app_url)
    widget = Widget(user_page)
    widget.say("你好")
    expect(user_page.locator(".kp-msg.kp-bot").first).to_be_visible(timeout=WAIT)
    widget.say("转人工")
    expect(user_page.locator(".kp-status")).to_have_text("正在为您转接人工客服…", timeout=WAIT)
    user_page.screenshot(path=shots / "1-user-waiting.png")

    console = Console(agent_page, stack.app_url)
    console.open_from_queue("转人工")
    transcript = agent_page.get_by_role("list", name="会话记录")
    expect(transcript).to_contain_text("你好", timeout=WAIT)
    expect(transcript).to_contain_text("智能助手")  # the bot's part before the handoff
    agent_page.get_by_role("button", name="接入").click()
    expect(widget.message("system", "人工客服 小王 已接入")).to_be_visible(timeout=WAIT)

    widget.say("<b>发票</b>开错了<script>window.hacked=1</script>")
    expect(transcript).to_contain_text("<b>发票</b>开错了", timeout=WAIT)
    assert agent_page.locator("#transcript b").count() == 0
    assert user_page.locator(".kp-messages b").count() == 0
    console.reply("您好，我是小王，我来帮您处理")
    expect(widget.message("agent", "我来帮您处理")).to_contain_text("人工客服 小王", timeout=WAIT)
    assert not user_page.evaluate("window.hacked === 1")
    user_page.screenshot(path=shots / "2-user-with-agent.png")
    agent_page.screenshot(path=shots / "3-console.png")
    return widget, console


@pytest.mark.parametrize("pages", [DESKTOP], indirect=True, ids=["desktop"])
def test_an_agent_takes_over_in_the_console_and_hands_back_to_the_bot(
    stack: Stack, pages: tuple[Page, Page], shots: Path
) -> None:
    user_page, agent_page = pages
    widget, _ = _hand_over(stack, user_page, agent_page, shots)

    agent_page.get_by_role("button", name="交还机器人").click()
    expect(widget.message("system", "继续与智能助手对话")).to_be_visible(timeout=WAIT)
    _released_without_false_errors(agent_page, "机器人接待中")
    bot_messages = user_page.locator(".kp-msg.kp-bot").count()
    widget.say("你好")
    expect(user_page.locator(".kp-msg.kp-bot")).to_have_count(bot_messages + 1, timeout=WAIT)
    user_page.screenshot(path=shots / "4-user-back-with-bot.png")


@pytest.mark.parametrize("pages", [PHONE], indirect=True, ids=["phone"])
def test_on_a_phone_the_agent_closes_and_the_user_rates(
    stack: Stack, pages: tuple[Page, Page], shots: Path
) -> None:
    user_page, agent_page = pages
    widget, _ = _hand_over(stack, user_page, agent_page, shots)
    panel = user_page.get_by_role("dialog", name="开票助手")
    assert panel.bounding_box()["width"] == PHONE["width"]  # type: ignore[index]

    agent_page.get_by_role("button", name="结束会话").click()
    expect(widget.message("system", "请为本次服务打分")).to_be_visible(timeout=WAIT)
    user_page.get_by_role("button", name="评 5 分").click()
    expect(widget.message("system", "感谢您的评价（5 分）")).to_be_visible(timeout=WAIT)
    user_page.screenshot(path=shots / "4-user-rated.png")
    user_page.reload()
    Widget(user_page)
    expect(user_page.get_by_role("button", name="评 5 分").last).to_be_disabled(timeout=WAIT)


@pytest.mark.parametrize("pages", [DESKTOP], indirect=True, ids=["desktop"])
def test_a_reload_shows_the_conversation_again_without_duplicates(
    stack: Stack, pages: tuple[Page, Page]
) -> None:
    user_page, _ = pages
    user_page.goto(stack.app_url)
    widget = Widget(user_page)
    widget.say("重新加载前的问题")
    expect(user_page.locator(".kp-msg.kp-bot").first).to_be_visible(timeout=WAIT)
    before = user_page.locator(".kp-msg").all_inner_texts()

    user_page.reload()
    Widget(user_page)
    expect(user_page.locator(".kp-msg")).to_have_count(len(before), timeout=WAIT)
    assert user_page.locator(".kp-msg").all_inner_texts() == before


def _released_without_false_errors(agent_page: Page, state: str) -> None:
    """After a hand-back or close the console says what happened, and nothing else."""
    expect(agent_page.locator("#conversation-title")).to_contain_text(state, timeout=WAIT)
    expect(agent_page.get_by_label("回复内容")).to_be_hidden()
    agent_page.wait_for_timeout(1500)  # the state frame and list refreshes that follow
    expect(agent_page.locator("#console-error")).to_have_text("")
    expect(agent_page.get_by_role("list", name="会话记录")).to_contain_text("智能助手")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_agent_works_a_long_conversation_and_closes_it_without_false_errors(
    stack: Stack, browser: Browser, api: httpx.Client, shots: Path, viewport: str
) -> None:
    issued = api.post(
        "/invoices",
        json={
            "kind": "digital_general",
            "buyer": {"name": LONG_BUYER, "tax_id": "91420106MA49X8Q2Y7"},
            "lines": [
                {
                    "name": "咨询服务",
                    "quantity": "1",
                    "unit_price": "123456.78",
                    "tax_rate": "6%",
                    "tax_included": True,
                }
            ],
        },
    )
    assert issued.status_code == 201, issued.text
    size = VIEWPORTS[viewport]
    user = browser.new_context(viewport=DESKTOP)
    agent = browser.new_context(viewport=size, is_mobile=size is PHONE)
    try:
        user_page, agent_page = user.new_page(), agent.new_page()
        log_in_as_demo(user_page, stack.app_url)
        widget = Widget(user_page)
        widget.say("转人工")
        expect(user_page.locator(".kp-status")).to_have_text("正在为您转接人工客服…", timeout=WAIT)
        console = Console(agent_page, stack.app_url)
        console.open_from_queue("转人工")
        agent_page.get_by_role("button", name="接入").click()
        expect(widget.message("system", "已接入")).to_be_visible(timeout=WAIT)

        mine = agent_page.locator('#mine button[aria-current="true"]')
        expect(mine).to_have_count(1, timeout=WAIT)
        conversation_id = mine.get_attribute("data-id")
        token = agent_page.evaluate("sessionStorage.getItem('kaipiao.console.token')")
        headers = {"Authorization": f"Bearer {token}"}
        base = f"{stack.app_url}/api/v1/agent/conversations/{conversation_id}"
        with httpx.Client(headers=headers, timeout=30) as agent_api:
            for n in range(1, 101):
                sent = agent_api.post(
                    f"{base}/messages", json={"text": f"第{n}条：请核对发票信息。"}
                )
                assert sent.status_code == 201, sent.text
        expect(widget.message("agent", "第100条")).to_be_visible(timeout=WAIT)

        # Opened afresh, the long conversation shows its newest message and the reply box.
        agent_page.reload()
        agent_page.locator(f'#mine button[data-id="{conversation_id}"]').click()
        transcript = agent_page.get_by_role("list", name="会话记录")
        expect(transcript.get_by_text("第100条")).to_be_in_viewport(timeout=WAIT)
        expect(agent_page.get_by_label("回复内容")).to_be_in_viewport()
        conversation = agent_page.locator("main.conversation").bounding_box()
        assert conversation is not None and conversation["height"] <= size["height"]
        if size is DESKTOP:
            page_height = agent_page.evaluate("document.documentElement.scrollHeight")
            assert page_height <= size["height"], page_height

        # The customer's invoices fit the panel: the buyer on one line, the amount whole.
        invoices = agent_page.get_by_role("list", name="最近发票")
        entry = invoices.get_by_role("listitem").filter(has_text=LONG_BUYER).first
        expect(entry).to_contain_text("¥123456.78", timeout=WAIT)
        panel = agent_page.locator("aside.customer").bounding_box()
        amount = entry.locator(".amount").bounding_box()
        assert panel is not None and amount is not None
        assert amount["x"] + amount["width"] <= panel["x"] + panel["width"]
        assert entry.evaluate("e => e.scrollWidth <= e.clientWidth")
        assert entry.locator(".number").evaluate("e => e.getClientRects().length") == 1
        agent_page.screenshot(path=shots / "1-console-long-conversation.png")

        agent_page.get_by_role("button", name="结束会话").click()
        expect(widget.message("system", "请为本次服务打分")).to_be_visible(timeout=WAIT)
        _released_without_false_errors(agent_page, "已结束")
        expect(transcript).to_contain_text("第100条")
        # The rating card is drawn as the user saw it, not as "［卡片］标题".
        expect(transcript.locator('[data-card="rating"]')).to_have_count(1)
        expect(transcript).not_to_contain_text("［卡片］")
        agent_page.screenshot(path=shots / "2-console-closed.png")
    finally:
        user.close()
        agent.close()


def _conversation_id(page: Page) -> str:
    """The conversation the widget on `page` keeps (its localStorage)."""
    found: str = page.evaluate(
        "Object.keys(localStorage).filter(k => k.endsWith('.conversation'))"
        ".map(k => localStorage.getItem(k))[0]"
    )
    return found


def test_the_console_names_each_customer_and_shows_the_conversation_clicked_last(
    stack: Stack, browser: Browser, shots: Path
) -> None:
    contexts = [browser.new_context(viewport=DESKTOP) for _ in range(3)]
    try:
        said = {}
        for context, words in zip(
            contexts[:2], ("发票抬头写错了，甲", "打印机不出纸，乙"), strict=True
        ):
            page = context.new_page()
            page.goto(stack.app_url)
            widget = Widget(page)
            widget.say("转人工")
            expect(page.locator(".kp-status")).to_have_text("正在为您转接人工客服…", timeout=WAIT)
            widget.say(words)
            expect(widget.message("user", words)).to_be_visible(timeout=WAIT)
            said[_conversation_id(page)] = words
        agent_page = contexts[2].new_page()
        Console(agent_page, stack.app_url)
        # Nothing chosen yet: no conversation's buttons.
        expect(agent_page.locator("#actions")).to_be_hidden()

        # Each waiting customer: who, where from, which conversation, and their own words.
        queue = agent_page.get_by_role("list", name="排队中的会话")
        for conversation_id, words in said.items():
            entry = queue.locator(f'button[data-id="{conversation_id}"]')
            expect(entry).to_contain_text(words, timeout=WAIT)
            expect(entry).to_contain_text(f"访客 · 网页 · #{conversation_id[:6]}")
            expect(entry).not_to_contain_text("正在为您转接")
        agent_page.screenshot(path=shots / "1-queue.png")

        # The first conversation's answer arrives only after the second one is on screen.
        first, second = said
        held: list[Route] = []
        agent_page.route(f"**/api/v1/agent/conversations/{first}", lambda r: held.append(r))
        queue.locator(f'button[data-id="{first}"]').click()
        queue.locator(f'button[data-id="{second}"]').click()
        transcript = agent_page.get_by_role("list", name="会话记录")
        expect(transcript).to_contain_text(said[second], timeout=WAIT)
        assert len(held) == 1
        held[0].continue_()
        agent_page.wait_for_timeout(1500)  # the late answer is in and ignored
        expect(transcript).not_to_contain_text(said[first])
        expect(agent_page.locator("#conversation-title")).to_contain_text(f"#{second[:6]}")
        agent_page.screenshot(path=shots / "2-second-conversation.png")
    finally:
        for context in contexts:
            context.close()


def test_the_console_reaches_every_open_ticket(stack: Stack, browser: Browser, shots: Path) -> None:
    engine = make_engine(f"sqlite:///{stack.log.parent / 'app.db'}")
    store = TicketStore(engine)
    made = [store.open_ticket(None, None, "13800000000", f"翻页留言{n}") for n in range(60)]
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        Console(page, stack.app_url)
        tickets = page.get_by_role("list", name="留言工单")
        expect(tickets.get_by_text("翻页留言0", exact=True)).to_have_count(1, timeout=WAIT)
        newest = tickets.get_by_text("翻页留言59", exact=True)
        expect(newest).to_have_count(0)
        more = tickets.get_by_role("button", name=re.compile("^显示更多"))
        for _ in range(5):  # a page of 50 at a time, after whatever other tests left
            if newest.count():
                break
            more.click()
            page.wait_for_timeout(300)
        expect(newest).to_have_count(1)
        expect(more).to_have_count(0)
        expect(page.locator("#tickets-count")).to_have_text(
            str(page.locator("#tickets li.ticket-item").count())
        )
        page.screenshot(path=shots / "1-all-tickets.png")
    finally:
        context.close()
        for ticket in made:
            store.close_ticket(ticket.id, "agent")
        engine.dispose()
