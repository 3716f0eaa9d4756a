"""Database routing: the supervision alias is a read-only window, never migrated."""


class SupervisionReadOnlyRouter:
    """Keep schema changes on the default connection only.

    Reads through the ``supervision`` alias are explicit (``.using("supervision")``); this
    router only makes sure nothing ever tries to migrate through it.
    """

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == "supervision":
            return False
        return None
