"""HTTP and websocket routers of the app."""
