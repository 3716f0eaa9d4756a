from django.core.management.base import BaseCommand, CommandError

from auctions.demo import load_auction_demo
from portal.demo_data import DEMO_PASSWORD, demo_allowed, demo_uscc, load_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print one demo account per role."

    def handle(self, *args, **options):
        if not demo_allowed():
            raise CommandError(
                "Demo accounts are never loaded in production (PORTAL_ENV=production)."
            )
        accounts = load_demo()
        # Land, mining and equity lots (auctions/demo.py), through the auction services.
        accounts += load_auction_demo(password=DEMO_PASSWORD, demo_uscc=demo_uscc)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Accounts (password: {DEMO_PASSWORD}):")
        )
        width = max(len(username) for username, _, _ in accounts)
        for username, role, scope in accounts:
            self.stdout.write(f"  {username.ljust(width)}  {role}  {scope}")
        self.stdout.write(
            "Portal: http://127.0.0.1:8000/   API docs: http://127.0.0.1:8000/api/v1/docs/"
        )
