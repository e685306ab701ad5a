"""Channels: chat surfaces, the Rasa client, conversations and the app's composition root."""
