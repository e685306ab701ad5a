"""One configured WeChat account: how its messages are opened and who answers them."""

from __future__ import annotations

from dataclasses import dataclass

from channels.wechat.envelope import Envelope
from channels.wechat.responder import WeChatResponder


@dataclass(frozen=True)
class WeChatChannel:
    """The official account's or WeCom application's envelope and responder."""

    envelope: Envelope
    responder: WeChatResponder


# The configured accounts by name ("wechat", "wecom"); an account without settings is absent.
WeChatChannels = dict[str, WeChatChannel]
