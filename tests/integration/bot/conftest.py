"""The bot's integration tests: the Rasa project itself, and the actions against the app.

The actions' tracker-level tests (tracker/) need rasa-sdk, which lives only in Rasa's
environment (.venv-rasa, Python 3.10). Run from the app's environment (`make test`),
pytest leaves that folder alone and test_actions_in_rasa_env.py runs it in Rasa's.
"""

from __future__ import annotations

import importlib.util

collect_ignore = [] if importlib.util.find_spec("rasa_sdk") else ["tracker"]
