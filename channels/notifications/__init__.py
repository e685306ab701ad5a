"""Notifications: what each user wants to hear about and how, and their delivery."""
