"""CPU time of one full page of the article sitemap (10,000 URLs), in-process, page cache off.

    KIJI_VAR_DIR=DIR DATABASE_URL=sqlite:///DIR/x2.sqlite3 KIJI_PAGECACHE=false .venv/bin/python bench/sitemap_page.py [-p]

Needs a database with more than 10,000 articles (e.g. `bench/scale_jobs.py --copies 2 --build`).
Prints the page's size and URL count, then the mean CPU of three renders; -p adds a cProfile.
"""

import cProfile
import os
import pstats
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
django.setup()
from django.test import Client

c = Client()
for _ in range(2):
    r = c.get("/sitemap-articles.xml?p=1")
print(r.status_code, len(r.content), r.content.count(b"<url>"))
t = time.process_time()
for _ in range(3):
    c.get("/sitemap-articles.xml?p=1")
print("cpu ms per page", (time.process_time() - t) / 3 * 1000)
if "-p" in sys.argv:
    cProfile.run('c.get("/sitemap-articles.xml?p=1")', "/tmp/lead/sm.prof")
    pstats.Stats("/tmp/lead/sm.prof").sort_stats("cumulative").print_stats(35)
