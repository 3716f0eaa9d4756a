from django.core.management.base import BaseCommand, CommandError

from portal.tradelog.models import TradeLogHead
from portal.tradelog.selectors import verify_trade_log


class Command(BaseCommand):
    help = "Verify the trade log's hash chain; exit non-zero and list every problem found."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        problems = verify_trade_log(using=database)
        head = TradeLogHead.objects.using(database).filter(id=1).first()
        if problems:
            for problem in problems:
                self.stderr.write(f"seq {problem.seq}: {problem.kind}: {problem.detail}")
            raise CommandError(f"trade log verification failed: {len(problems)} problem(s)")
        count = head.seq if head else 0
        digest = head.entry_hash if head else "-"
        self.stdout.write(self.style.SUCCESS(f"trade log intact: {count} entries, head {digest}"))
