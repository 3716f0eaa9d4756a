"""Supervision's writes, one module per action family. They write supervision's own tables
only, through the default connection; the suspension of a trade goes through the core
(`portal.holds.services`), which the operation side honours."""
