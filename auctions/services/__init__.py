"""Every write of the auctions app: one module per family, atomic, logged to the trade log."""
