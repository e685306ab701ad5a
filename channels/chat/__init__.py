"""One chat turn: the user's message stored, then the bot asked (Rasa) or the agent told."""
