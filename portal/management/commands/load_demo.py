from django.core.management.base import BaseCommand, CommandError

from portal.demo_data import DEMO_PASSWORD, demo_allowed, load_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print one demo account per role."

    def handle(self, *args, **options):
        if not demo_allowed():
            raise CommandError(
                "Demo accounts are never loaded in production (PORTAL_ENV=production)."
            )
        accounts = load_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Accounts (password: {DEMO_PASSWORD}):")
        )
        width = max(len(username) for username, _, _ in accounts)
        for username, role, scope in accounts:
            self.stdout.write(f"  {username.ljust(width)}  {role}  {scope}")
        self.stdout.write(
            "Portal: http://127.0.0.1:8000/   API docs: http://127.0.0.1:8000/api/v1/docs/"
        )
