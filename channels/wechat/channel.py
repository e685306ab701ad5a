"""One configured WeChat account: how its messages are opened and who answers them in time."""

from __future__ import annotations

from dataclasses import dataclass

from channels.wechat.envelope import Envelope
from channels.wechat.turn_timer import TurnTimer


@dataclass(frozen=True)
class WeChatChannel:
    """The official account's or WeCom application's envelope and turn timer."""

    envelope: Envelope
    timer: TurnTimer


# The configured accounts by name ("wechat", "wecom"); an account without settings is absent.
WeChatChannels = dict[str, WeChatChannel]
