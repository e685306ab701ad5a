"""System notices (系统公告) and maintenance windows: scheduled, shown, and the messages
kept while the bot is down for maintenance."""
