import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from supervision.ocds import Settings, red_flags


class Command(BaseCommand):
    help = (
        "Red-flag indicators (R003 R018 R024 R025 R028 R030 R035 R036 R038 R048 R058) over "
        "line-delimited OCDS 1.1 compiled releases, in the output shape of OCP's Cardinal."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A JSON Lines file of compiled releases, or - for stdin.")
        parser.add_argument(
            "--thresholds", dest="settings_file", help="Cardinal-style settings (INI) file."
        )

    def handle(self, *args, file, settings_file=None, **options):
        settings = Settings()
        if settings_file:
            try:
                settings = Settings.from_ini(Path(settings_file).read_text(encoding="utf-8"))
            except OSError as exc:
                raise CommandError(f"cannot read the settings file: {exc}") from exc
        if file == "-":
            result = red_flags(_releases(sys.stdin), settings)
        else:
            try:
                with Path(file).open(encoding="utf-8") as stream:
                    result = red_flags(_releases(stream), settings)
            except OSError as exc:
                raise CommandError(f"cannot read {file}: {exc}") from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True))


def _releases(stream):
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            release = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CommandError(f"line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(release, dict):
            raise CommandError(f"line {number}: not a compiled release (a JSON object)")
        yield release
