"""Where live audience state lives: one interface, two implementations chosen by settings.

`MemoryBackend` (embedded): counts, dedupe marks and visitor sessions in this process's memory,
lists in the database (ListSnapshot). `RedisBackend` (REDIS_URL set): all of it in Redis.

Crash loss, the rule the README quotes: views are never written to the database one at a time;
they wait in a buffer and are written in batches to ArticleViewHour by `flush()`.
- Memory: the buffer is flushed at most every KIJI_AUDIENCE_FLUSH_SECONDS (5 s) by a background
  thread in each web process, on the beacon path when the last flush is older than that, and at
  exit. A crash (kill -9, power loss) loses at most the last ~5 s of counts of that process.
- Redis: each web process sends its views to Redis in pipelined batches at least every second
  (KIJI_AUDIENCE_REDIS_BATCH views or 1 s, whichever first), so a crash of a web process loses
  at most its last second of views. In Redis, counts stay until a flush has written them (the buffer is renamed to a batch
  before it is read and deleted only after the database commit), so a crashed web process, or
  a flusher crashing mid-way, loses nothing;
  only Redis itself losing data (per its persistence settings, 1 s with appendfsync everysec) can.

Privacy: a visitor is a MAC (keyed BLAKE2b) of IP + user agent under a daily random salt. The salt lives only in memory or
Redis and is replaced every day (JST), so yesterday's hashes cannot be linked to today's; neither
the IP address nor the user agent is stored anywhere.
"""

import atexit
import hashlib
import json
import secrets
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone

from kiji.audience.store import claim_in_db, persist_counts, read_db_list, tidy_connection, write_db_lists

DEDUPE_SECONDS = 30 * 60  # the same visitor re-reading the same article within this counts once
SESSION_SECONDS = 30 * 60  # articles read within this of each other by one visitor are co-read
SESSION_DEPTH = 10  # how many of the visitor's recent articles pair with a new one


def hour_of(now: datetime) -> int:
    """The hour bucket (hours since the epoch) a moment falls in."""
    return int(now.timestamp()) // 3600


_day_memo: tuple = (None, 0.0, 0.0, "")  # (time zone, start, end, day): the beacon asks on every view


def day_of(now: datetime) -> str:
    """The local (JST) day a moment falls in, as 20261130."""
    global _day_memo
    zone, start, end, day = _day_memo
    ts = now.timestamp()
    current = timezone.get_current_timezone()
    if zone is current and start <= ts < end:
        return day
    midnight = timezone.localtime(now, current).replace(hour=0, minute=0, second=0, microsecond=0)
    day = midnight.strftime("%Y%m%d")
    _day_memo = (current, midnight.timestamp(), (midnight + timedelta(days=1)).timestamp(), day)
    return day


def _visitor(salt: bytes, ip: str, user_agent: str) -> str:
    # Keyed BLAKE2b is a MAC in one call (HMAC over BLAKE2b costs ~4 µs more per view).
    return hashlib.blake2b(f"{ip}\n{user_agent}".encode(), key=salt, digest_size=12).hexdigest()


class MemoryBackend:
    """Embedded: live state in this process; lists in the database."""

    name = "memory"

    def __init__(self, *, flush_seconds: float = 5, flush_thread: bool = True):
        self.flush_seconds = flush_seconds
        self.flush_thread = flush_thread
        self._lock = threading.Lock()
        self._thread = None
        self.drop_process_state()

    def drop_process_state(self) -> None:
        """Forget everything not yet flushed, as a crash would."""
        self._salts: dict[str, bytes] = {}
        self._seen: dict[tuple[str, int], float] = {}
        self._sessions: dict[str, list[tuple[int, float]]] = {}
        self._counts: Counter = Counter()
        self._co: Counter = Counter()
        self._last_flush = time.time()

    def visitor_id(self, ip: str, user_agent: str, now: datetime) -> str:
        day = day_of(now)
        salt = self._salts.get(day)
        if salt is None:
            self._salts = {day: secrets.token_bytes(32)}  # yesterday's salt is gone for good
            salt = self._salts[day]
        return _visitor(salt, ip, user_agent)

    def record_view(self, article_id: int, visitor: str, now: datetime) -> bool:
        """Count one view unless this visitor saw the article in the last 30 minutes."""
        ts = now.timestamp()
        with self._lock:
            seen = self._seen.get((visitor, article_id))
            if seen is not None and ts - seen < DEDUPE_SECONDS:
                return False
            self._seen[(visitor, article_id)] = ts
            self._counts[(article_id, hour_of(now))] += 1
            session = [(a, t) for a, t in self._sessions.get(visitor, []) if ts - t < SESSION_SECONDS]
            for other, _ in session[-SESSION_DEPTH:]:
                if other != article_id:
                    self._co[(other, article_id)] += 1
            self._sessions[visitor] = [*session, (article_id, ts)][-SESSION_DEPTH:]
            due = ts - self._last_flush >= self.flush_seconds
            if len(self._seen) > settings.KIJI_AUDIENCE_MEMORY_MAX_ENTRIES:
                self._prune(ts)  # the hard cap holds between flushes too
        self._start_thread()
        if due:
            self.flush(now)
        return True

    def flush(self, now: datetime | None = None) -> int:
        """Write the buffered counts to the database in one batch; return the views written."""
        with self._lock:
            counts, co = self._counts, self._co
            self._counts, self._co = Counter(), Counter()
            self._last_flush = time.time()
            self._prune((now or timezone.now()).timestamp())
        if not counts and not co:
            return 0
        tidy_connection()
        try:
            persist_counts(counts, co)
        except Exception:
            with self._lock:  # keep them for the next flush rather than lose them
                self._counts.update(counts)
                self._co.update(co)
            raise
        return sum(counts.values())

    def pending(self) -> int:
        return sum(self._counts.values())

    def _prune(self, ts: float) -> None:
        """Forget expired dedupe marks and sessions; past the hard cap, keep only the newest half."""
        cap = settings.KIJI_AUDIENCE_MEMORY_MAX_ENTRIES
        if len(self._seen) > min(50_000, cap):
            self._seen = {k: t for k, t in self._seen.items() if ts - t < DEDUPE_SECONDS}
            self._sessions = {v: s for v, s in self._sessions.items() if ts - s[-1][1] < SESSION_SECONDS}
        if len(self._seen) > cap:
            newest = sorted(self._seen.items(), key=lambda item: item[1])[len(self._seen) - cap // 2 :]
            self._seen = dict(newest)
        if len(self._sessions) > cap:
            newest = sorted(self._sessions.items(), key=lambda item: item[1][-1][1])[len(self._sessions) - cap // 2 :]
            self._sessions = dict(newest)

    def _start_thread(self) -> None:
        if self._thread is not None or not self.flush_thread:
            return
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._flush_loop, name="audience-flush", daemon=True)
            self._thread.start()
        atexit.register(self._flush_quietly)

    def _flush_loop(self) -> None:
        while True:
            time.sleep(self.flush_seconds)
            self._flush_quietly()
            try:
                tidy_connection()
            except Exception:  # a database hiccup must not end the thread: later flushes would never run
                pass

    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except Exception:  # the next round retries; the counts stay buffered
            import logging

            logging.getLogger("kiji.audience").exception("flushing view counts failed")

    # Lists live in the database so that every process (and the scheduler) shares them.
    def read_list(self, key: str) -> dict | None:
        return read_db_list(key)

    def write_lists(self, lists: dict[str, dict]) -> None:
        write_db_lists(lists)

    def claim(self, name: str, seconds: int, now: datetime | None = None) -> bool:
        return claim_in_db(name, seconds, now or timezone.now())


# One round trip per view. Times come from the app's clock (ARGV[5]); Redis expiry only tidies up.
_RECORD = """
local now = tonumber(ARGV[5])
local prev = redis.call('GET', KEYS[1])
if prev and now - tonumber(prev) < tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[1], ARGV[5], 'EX', ARGV[3])
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
local recent = redis.call('LRANGE', KEYS[3], 0, ARGV[4] - 1)
for _, entry in ipairs(recent) do
  local other, seen = string.match(entry, '^(%d+)@([%d.]+)$')
  if other and other ~= ARGV[2] and now - tonumber(seen) < tonumber(ARGV[3]) then
    redis.call('HINCRBY', KEYS[4], other .. ':' .. ARGV[2], 1)
  end
end
redis.call('LPUSH', KEYS[3], ARGV[2] .. '@' .. ARGV[5])
redis.call('LTRIM', KEYS[3], 0, ARGV[4] - 1)
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1
"""


_CLAIM = """
local last = redis.call('GET', KEYS[1])
if last and tonumber(ARGV[1]) - tonumber(last) < tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""


_TAKE = """
local moved = 0
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('RENAME', KEYS[1], ARGV[1] .. ':counts'); moved = 1 end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], ARGV[1] .. ':co'); moved = 1 end
if moved == 1 then redis.call('SADD', KEYS[3], ARGV[1]) end
return moved
"""


WRITE_CLAIM = 60  # seconds a flusher holds a batch it is writing to the database


class RedisBackend:
    """Live state in Redis: shared by every web process, survives their crashes."""

    name = "redis"

    def __init__(
        self,
        *,
        url: str,
        prefix: str = "kiji:aud:",
        flush_seconds: float = 5,
        batch: int = 1,
        ship_seconds: float = 1.0,
        ship_thread: bool = True,
    ):
        import redis

        # Views are sent to Redis `batch` at a time in one pipelined round trip (and at least every
        # `ship_seconds` by a thread): one round trip per view would make the beacon slower than a
        # cached page. A crash loses at most the views of that last second.
        self.batch, self.ship_seconds, self.ship_thread = batch, ship_seconds, ship_thread
        self._lock = threading.Lock()
        self._thread = None
        self.redis = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2)
        self.prefix = prefix
        self.flush_seconds = flush_seconds
        self._record = self.redis.register_script(_RECORD)
        self._claim = self.redis.register_script(_CLAIM)
        self._take = self.redis.register_script(_TAKE)
        self.redis.script_load(_RECORD)
        self.drop_process_state()

    def drop_process_state(self) -> None:
        self._salt: tuple[str, bytes] | None = None
        self._last_flush = time.time()
        self._queue: list[tuple[list, list]] = []

    def k(self, name: str) -> str:
        return self.prefix + name

    def visitor_id(self, ip: str, user_agent: str, now: datetime) -> str:
        day = day_of(now)
        if self._salt is None or self._salt[0] != day:
            key = self.k(f"salt:{day}")
            self.redis.set(key, secrets.token_hex(32), nx=True, ex=2 * 86400)
            self._salt = (day, bytes.fromhex(self.redis.get(key).decode()))
        return _visitor(self._salt[1], ip, user_agent)

    def record_view(self, article_id: int, visitor: str, now: datetime) -> bool | None:
        """True/False (counted or a repeat) when sent at once; None when queued for the next batch."""
        view = (
            [self.k(f"seen:{visitor}:{article_id}"), self.k("counts"), self.k(f"sess:{visitor}"), self.k("co")],
            [f"{article_id}:{hour_of(now)}", article_id, DEDUPE_SECONDS, SESSION_DEPTH, int(now.timestamp())],
        )
        with self._lock:
            self._queue.append(view)
            full = len(self._queue) >= self.batch
        counted = self.ship() if full else None
        if self.batch > 1 and self.ship_thread and self._thread is None:
            self._start_thread()
        if time.time() - self._last_flush >= self.flush_seconds:
            self._last_flush = time.time()
            if self.claim("flush", max(1, int(self.flush_seconds)), now):
                self.flush(now)
        return counted

    def ship(self) -> bool | None:
        """Send the queued views to Redis in one round trip; the last one's result."""
        from redis.exceptions import NoScriptError  # here: only Redis deployments load redis (~9 MB a worker)

        with self._lock:
            views, self._queue = self._queue, []
        if not views:
            return None
        try:
            return bool(self._send(views)[-1])
        except NoScriptError:  # Redis restarted and forgot the script (none of the batch ran): load, resend
            self.redis.script_load(_RECORD)
            return bool(self._send(views)[-1])

    def _send(self, views: list[tuple[list, list]]) -> list:
        # EVALSHA straight away: a redis-py Script in a pipeline asks SCRIPT EXISTS first (a second round trip).
        pipe = self.redis.pipeline(transaction=False)
        for keys, args in views:
            pipe.evalsha(self._record.sha, len(keys), *keys, *args)
        return pipe.execute()

    def _start_thread(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._ship_loop, name="audience-ship", daemon=True)
            self._thread.start()
        atexit.register(self.ship)

    def _ship_loop(self) -> None:
        while True:
            time.sleep(self.ship_seconds)
            try:
                self.ship()
            except Exception:  # Redis away for a moment: those views are lost, the next ones go
                import logging

                logging.getLogger("kiji.audience").exception("sending views to Redis failed")

    def flush(self, now: datetime | None = None) -> int:
        """Move Redis's counts to the database; return the views written."""
        self.ship()
        self.take_batch()
        return self.write_batches()

    def take_batch(self) -> None:
        """Atomically set the current counts aside as a named batch (new views go to fresh keys)."""
        self._take(
            keys=[self.k("counts"), self.k("co"), self.k("batches")], args=[self.k(f"batch:{secrets.token_hex(6)}")]
        )

    def write_batches(self) -> int:
        """Write every batch set aside, including ones a crashed flusher left behind, then delete it."""
        written = 0
        for name in sorted(b.decode() for b in self.redis.smembers(self.k("batches"))):
            # Every scheduler's flush job (and now and then a beacon) may reach the same batch at once:
            # one of them writes it. One that dies holding it leaves it to another after WRITE_CLAIM.
            if not self.redis.set(f"{name}:writing", 1, nx=True, ex=WRITE_CLAIM):
                continue
            counts = Counter({_pair(f): int(n) for f, n in self.redis.hgetall(f"{name}:counts").items()})
            co = Counter({_pair(f): int(n) for f, n in self.redis.hgetall(f"{name}:co").items()})
            persist_counts(counts, co)  # one transaction
            # Only once the database has them. A crash right here would count this batch twice:
            # a window of one Redis round trip, against losing it for good.
            self.redis.delete(f"{name}:counts", f"{name}:co")
            self.redis.srem(self.k("batches"), name)
            written += sum(counts.values())
        return written

    def pending(self) -> int:
        return sum(int(n) for n in self.redis.hvals(self.k("counts")))

    def read_list(self, key: str) -> dict | None:
        """The stored list, or None when there is none or Redis is away (a page shows it empty, never fails)."""
        from redis.exceptions import RedisError

        try:
            raw = self.redis.get(self.k(f"list:{key}"))
        except RedisError:
            return None
        return json.loads(raw) if raw else None

    def write_lists(self, lists: dict[str, dict]) -> None:
        pipe = self.redis.pipeline()
        for key, data in lists.items():
            pipe.set(self.k(f"list:{key}"), json.dumps(data))
        pipe.execute()

    def claim(self, name: str, seconds: int, now: datetime | None = None) -> bool:
        """True for exactly one caller per `seconds`, by the app's clock, across processes."""
        now_ts = int((now or timezone.now()).timestamp())
        return bool(self._claim(keys=[self.k(f"claim:{name}")], args=[now_ts, seconds]))

    def clear(self) -> None:
        """Delete every key under this backend's prefix (tests)."""
        for key in self.redis.scan_iter(self.prefix + "*"):
            self.redis.delete(key)


def _pair(field: bytes) -> tuple[int, int]:
    a, b = field.decode().split(":")
    return int(a), int(b)


_backend = None


def get_backend():
    """The configured backend: Redis when KIJI_AUDIENCE_REDIS_URL (default REDIS_URL) is set."""
    global _backend
    if _backend is None:
        url = settings.KIJI_AUDIENCE_REDIS_URL
        seconds = settings.KIJI_AUDIENCE_FLUSH_SECONDS
        if url:
            _backend = RedisBackend(
                url=url,
                prefix=settings.KIJI_AUDIENCE_REDIS_PREFIX,
                flush_seconds=seconds,
                batch=settings.KIJI_AUDIENCE_REDIS_BATCH,
                ship_thread=settings.KIJI_AUDIENCE_FLUSH_THREAD,
            )
        else:
            _backend = MemoryBackend(flush_seconds=seconds, flush_thread=settings.KIJI_AUDIENCE_FLUSH_THREAD)
    return _backend


@receiver(setting_changed)
def _reset(setting, **kwargs):
    global _backend
    if setting.startswith("KIJI_AUDIENCE"):
        _backend = None


def utc_hour(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * 3600, tz=UTC)
