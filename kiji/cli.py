"""The `kiji` command: the management commands people use, under short names.

kiji serve                 production server (+ scheduler) at http://127.0.0.1:8000
kiji import-ldcc PATH      import the livedoor news corpus (folder or .tar.gz)
kiji import-wxr FILE.xml   import a WordPress export (--media UPLOADS, --dry-run, --skip-bad, --create-logins)
kiji redirects export --nginx   the old addresses' redirects as an nginx map
kiji demo                  load the demo content if the site is empty
kiji createadmin           create an administrator if none exists, print the login once
kiji reindex               rebuild the search index
kiji backup                snapshot of the database and media in one archive
kiji restore ARCHIVE       put a backup back (asks for --yes)
kiji publish-due           publish scheduled articles whose time has come, once
kiji scheduler             run the scheduler loop alone (kiji serve starts one)
kiji manage ARGS...        any Django management command
"""

import os
import sys

COMMANDS = {
    "serve": "serve",
    "import-ldcc": "import_ldcc",
    "import-wxr": "import_wxr",
    "redirects": "redirects",
    "demo": "demo",
    "createadmin": "createadmin",
    "reindex": "reindex",
    "backup": "backup",
    "restore": "restore",
    "publish-due": "publish_due",
    "scheduler": "run_scheduler",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    os.umask(os.umask(0o077) | 0o077)  # what Kiji writes is its own (uploads get FILE_UPLOAD_PERMISSIONS)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        return
    from django.core.management import execute_from_command_line

    name, rest = argv[0], argv[1:]
    if name == "manage":
        execute_from_command_line(["kiji manage", *rest])
    elif name in COMMANDS:
        execute_from_command_line(["kiji", COMMANDS[name], *rest])
    else:
        print(f"kiji: unknown command {name!r}.\n\n{__doc__.strip()}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
