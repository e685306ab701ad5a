"""DingTalk (钉钉) and Feishu/Lark (飞书) bots: thin clients over the WeChat channel's parts."""
