"""The WeChat official account (公众号) and WeCom (企业微信) channels, wrapping wechatpy
(their HTTP routes are channels/api/wechat.py and channels/api/wechat_binding.py)."""
