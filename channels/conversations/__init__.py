"""Conversations and their messages: the model and the store every channel keeps them in."""
