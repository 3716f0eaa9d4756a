"""Trading's write services: one function per business action (issue 3 fills this in)."""
