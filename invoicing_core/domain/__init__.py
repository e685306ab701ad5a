"""The invoice domain: plain Python objects and rules, free of frameworks and I/O."""
