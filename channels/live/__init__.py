"""Live events: the hub that fans them out (in process or through Redis) and the delivery
of messages that reach a user outside their own request."""
