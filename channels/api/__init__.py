"""Every HTTP route and socket of the app's channels: the widget's chat, the agent
console, health, and the WeChat and WeCom webhooks; they read the app's state
(dependencies.py)."""
