"""Batch issuing: explain the tax bureau's template and ask for the file in the widget."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards import upload_card
from actions.replies import WECHAT_CHANNELS, metadata, send_card

TEMPLATE_URL = "/api/v1/invoices/batch/template"
UPLOAD_URL = "/api/v1/invoices/batch"
EXPLANATION = (
    "批量开票使用税务局的批量开票模板（仅限数电发票），所有单元格按文本填写：\n"
    "1. 第一个工作表每行一张发票：发票流水号（不超过20位且不重复）、发票类型、购买方名称、"
    "购买方纳税人识别号（专票必填）、地址、电话、开户行、账号、备注、购买方邮箱；\n"
    "2. 第二个工作表每行一条明细，用发票流水号关联：项目名称、税收分类编码、规格型号、单位、"
    "数量、单价、金额、税率、是否含税。\n"
    "上传后先逐行校验并显示预览：将开具哪些发票、价税合计，以及哪个工作表、哪一行、哪个字段有错误。"
    "您确认后才开具；有错误时，可以选择只开具正确的发票，或修改文件后重新上传。"
)


class ActionBatchIssue(Action):
    """The template, the rules, and an upload card for the widget."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_batch_issue"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """WeChat cannot take the file: send the user to the web app there."""
        dispatcher.utter_message(text=EXPLANATION)
        if metadata(tracker).get("channel") in WECHAT_CHANNELS:
            dispatcher.utter_message(
                text="微信里不能上传文件，请在网页版开票助手的聊天窗口中上传填好的模板。"
            )
            return []
        send_card(
            dispatcher,
            "请先点“下载批量开票模板”，填好后在下方上传 .xlsx 或 .csv 文件（不超过10MB）。",
            upload_card(UPLOAD_URL, TEMPLATE_URL),
        )
        return []
