"""Custom actions of 开票助手: thin calls to the app's HTTP API (rasa-sdk only)."""
