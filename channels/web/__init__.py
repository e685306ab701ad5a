"""The plumbing of HTTP and sockets: errors clients see, body and rate limits, security
headers, logging and who is calling."""
