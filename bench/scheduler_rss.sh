#!/bin/bash
# RSS of the real `kiji scheduler` (regular and --slow process) on an archive copied N times, sampled
# each second from /proc (issue 15: the regular process's steady RSS under 300 MB at 10x).
#
#   bench/scheduler_rss.sh SOURCE.sqlite3 COPIES SECONDS
#
# SOURCE is a database holding the corpus (bench/similar_rebuild.py's, for one); its articles are
# inserted COPIES-1 more times into a copy (the search index is left as it is), then the scheduler
# runs on that copy for SECONDS with the in-process audience backend. Prints the samples' maxima.
set -eu
src=$1 copies=$2 seconds=$3
work=$(mktemp -d)
cp "$src" "$work/site.sqlite3"
sqlite3 "$work/site.sqlite3" "
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM k WHERE n < $copies - 1)
INSERT INTO newsroom_article (headline, deck, slug, body, description, status, published_at, updated_at,
  source_url, source_credit, created_at, modified_at, created_by_id, category_id, lead_image_id, short_headline,
  returned_at, returned_note, sponsor_name, sponsorship)
SELECT headline, deck, slug, body, description, status, published_at, updated_at,
  CASE WHEN source_url = '' THEN '' ELSE source_url || '#copy' || n END, source_credit, created_at, modified_at,
  created_by_id, category_id, lead_image_id, short_headline, returned_at, returned_note, sponsor_name, sponsorship
FROM newsroom_article, k WHERE id <= (SELECT max(id) FROM newsroom_article);
SELECT count(*) || ' articles' FROM newsroom_article;"
cd "$(dirname "$0")/.."
DATABASE_URL="sqlite:///$work/site.sqlite3" KIJI_VAR_DIR="$work" REDIS_URL= KIJI_AUDIENCE_REDIS_URL= \
  KIJI_LOG_LEVEL=ERROR .venv/bin/kiji scheduler --interval 15 > "$work/scheduler.log" 2>&1 &
main=$!
regular=0 slow=0
for _ in $(seq 1 "$seconds"); do
  sleep 1
  rss=$(awk '/VmRSS/{print int($2 / 1024)}' /proc/$main/status)
  regular=$((rss > regular ? rss : regular))
  for child in $(cat /proc/$main/task/*/children 2>/dev/null); do
    rss=$(awk '/VmRSS/{print int($2 / 1024)}' /proc/$child/status 2>/dev/null || echo 0)
    slow=$((rss > slow ? rss : slow))
  done
done
kill -TERM $main
wait $main || true
echo "regular scheduler: max RSS $regular MB; --slow process: max RSS $slow MB; $(grep -c 'failed' "$work/scheduler.log") failed jobs/rounds; load $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$work"
