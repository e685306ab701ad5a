"""Settings of the app process, read from the environment once at start-up."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AppSettings(BaseSettings):
    """The app's own settings (the database is the core's); defaults: the embedded set-up."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    app_host: str = "127.0.0.1"
    app_port: int = 8000
    rasa_port: int = 5005
    rasa_url: str = ""
    action_port: int = 5055
    action_server_url: str = ""
    # A reply may wait on actions that call back into this app.
    rasa_timeout_seconds: float = 30.0
    health_timeout_seconds: float = 2.0

    # The secrets of the hops (channels/service_secrets.py); empty means the file the
    # set-up writes under VAR_DIR. ACTIONS_TOKEN: the action server acting in a
    # conversation's name here; RASA_TOKEN: this app speaking to Rasa.
    actions_token: str = ""
    rasa_token: str = ""

    # Live events between app workers: Redis pub/sub when set, in-process otherwise.
    redis_url: str = ""

    # Requests per client address (limits' notation, e.g. "30/minute"); 429 beyond.
    rate_limit_login: str = "30/minute"
    rate_limit_chat: str = "120/minute"
    # WeChat's and WeCom's servers call from a few addresses for every user.
    rate_limit_wechat: str = "1200/minute"
    rate_limit_search: str = "60/minute"
    # Messages left for the agents over the widget, and new guest conversations
    # (a widget keeps its conversation, so one visitor opens one).
    rate_limit_ticket: str = "10/hour"
    rate_limit_guest: str = "30/hour"
    # Proxies (addresses or networks, comma-separated) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed; empty: nobody's, clients count as who connects.
    forwarded_allow_ips: str = ""

    # Request bodies past this are refused with 413 before they are read whole (JSON and
    # other bodies; an upload's limit is the core's MAX_UPLOAD_BYTES).
    max_body_bytes: int = Field(default=2**20, ge=1024)

    # Handoff to human agents (README, "Handoff settings").
    handoff_agent_limit: int = Field(default=5, ge=1)
    handoff_auto_assign: bool = True
    handoff_unanswered_turns: int = Field(default=3, ge=1)
    # A conversation about a topic waits this long for an agent skilled in it (while one
    # is online) before any agent may take it.
    handoff_skill_wait_seconds: int = Field(default=60, ge=0)
    handoff_hours: str = "00:00-24:00"
    handoff_days: str = "1234567"  # ISO weekdays: 1 is Monday
    handoff_timezone: str = "Asia/Shanghai"
    # An agent whose console sent no heartbeat for this long counts as offline.
    agent_online_seconds: int = Field(default=60, ge=5)
    # Video calls and screen sharing (README, "Video calls and screen sharing"): the
    # RTCPeerConnection iceServers of both browsers, as JSON, e.g. a TURN server's
    # [{"urls": "turn:turn.example.com:3478", "username": "…", "credential": "…"}].
    # None by default: calls within one network need none, and the product runs without
    # the internet, so no public STUN server is assumed.
    rtc_ice_servers: list[dict[str, Any]] = Field(default_factory=list)

    log_level: str = "INFO"
    log_json: bool = True

    # WeChat official account (公众号): empty token means the channel is off.
    wechat_token: str = ""
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    # 43 characters in safe mode (安全模式); empty for plain mode.
    wechat_aes_key: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"
    # WeCom (企业微信) self-built app; messages are always encrypted.
    wecom_corp_id: str = ""
    wecom_token: str = ""
    wecom_aes_key: str = ""
    wecom_agent_id: int = 0
    wecom_secret: str = ""
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    # WeChat waits 5 s for a passive reply; a later answer goes out as a
    # customer-service message.
    wechat_reply_budget_seconds: float = 4.0
    wechat_api_timeout_seconds: float = 5.0
    wechat_api_attempts: int = 3
    wechat_api_backoff_seconds: float = 0.5

    # DingTalk (钉钉) enterprise internal app robot, HTTP callback mode: empty app secret
    # means the channel is off. Sends reuse the WECHAT_API_* timeout, tries and backoff.
    dingtalk_app_key: str = ""
    dingtalk_app_secret: str = ""
    dingtalk_robot_code: str = ""
    dingtalk_api_base: str = "https://api.dingtalk.com"
    # Feishu/Lark (飞书) app, event subscription: empty verification token means off.
    feishu_app_id: str = ""
    feishu_app_secret: str = ""
    feishu_verification_token: str = ""
    # Empty: events arrive in plain JSON; set: encrypted and signed (X-Lark-Signature).
    feishu_encrypt_key: str = ""
    feishu_api_base: str = "https://open.feishu.cn"
    # Email support mailbox, read over IMAP and answered over SMTP: empty IMAP host means off.
    email_address: str = ""
    email_imap_host: str = ""
    email_imap_port: int = 993
    email_imap_ssl: bool = True
    email_imap_user: str = ""
    email_imap_password: str = ""
    email_imap_folder: str = "INBOX"
    email_poll_seconds: float = 30.0
    email_smtp_host: str = ""
    email_smtp_port: int = 465
    email_smtp_security: Literal["ssl", "starttls", "none"] = "ssl"
    email_smtp_user: str = ""
    email_smtp_password: str = ""

    # Notifications (README, "Notifications"). Email: empty host means off; security is
    # "starttls", "ssl" or "none".
    notify_smtp_host: str = ""
    notify_smtp_port: int = 587
    notify_smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    notify_smtp_user: str = ""
    notify_smtp_password: str = ""
    notify_from: str = "开票助手 <noreply@localhost>"
    # SMS: "aliyun" (Alibaba Cloud SendSms) or empty for off.
    sms_provider: Literal["", "aliyun"] = ""
    sms_access_key_id: str = ""
    sms_access_key_secret: str = ""
    sms_sign_name: str = ""
    sms_template_code: str = ""
    sms_api_base: str = "https://dysmsapi.aliyuncs.com"
    # Tries per notification and way, the first retry's wait (doubling), and how often
    # the sender and the event watcher run.
    notify_attempts: int = Field(default=5, ge=1)
    notify_backoff_seconds: float = Field(default=30.0, gt=0)
    notify_send_every_seconds: float = Field(default=5.0, gt=0)
    notify_watch_every_seconds: float = Field(default=60.0, gt=0)
    # How often each worker looks for messages kept during a maintenance window that
    # has ended, to answer them (channels/chat/kept_turns.py).
    notice_check_every_seconds: float = Field(default=5.0, gt=0)
    # Scheduled backups (README, "Operations"; channels/backup/schedule.py): every this
    # many hours (0: off) one worker writes an archive into BACKUP_DIR (empty:
    # VAR_DIR/backups), then removes the oldest beyond the newest BACKUP_KEEP and, unless
    # 0, those older than BACKUP_KEEP_DAYS; the newest always stays.
    backup_every_hours: float = Field(default=0.0, ge=0)
    backup_dir: str = ""
    backup_keep: int = Field(default=14, ge=1)
    backup_keep_days: float = Field(default=0.0, ge=0)

    @property
    def effective_rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return (self.rasa_url or f"http://127.0.0.1:{self.rasa_port}").rstrip("/")

    @property
    def effective_action_server_url(self) -> str:
        """Base URL of the action server."""
        return (self.action_server_url or f"http://127.0.0.1:{self.action_port}").rstrip("/")
