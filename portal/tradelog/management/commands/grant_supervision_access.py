from django.core.management.base import BaseCommand, CommandError

from portal.tradelog.supervision_role import ensure_supervision_role


class Command(BaseCommand):
    help = "Create the read-only supervision role and grant it SELECT (run as a DB superuser)."

    def handle(self, *args, **options):
        if not ensure_supervision_role():
            raise CommandError("not PostgreSQL, or this database user may not create roles")
        self.stdout.write(self.style.SUCCESS("supervision role granted read-only access"))
