"""Channels: the app's chat surfaces and their composition root (app.py).

Subpackages import one way, top to bottom: api → wechat → chat → handoff → live →
conversations → web (tests/unit/test_architecture.py keeps it so); settings and
service_secrets are leaves that any of them may read.
"""
