"""The WeChat official account (公众号) and WeCom (企业微信) channels, wrapping wechatpy."""
