"""Every write of the credit registry: one module per action family, each appending to the
trade log in its own transaction (`records`, `repairs`, `imports`)."""
