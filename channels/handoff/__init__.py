"""The handoff: the queue, the agents who take conversations, tickets and working hours."""
