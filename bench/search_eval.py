"""How well search answers queries as readers type them, on the livedoor corpus, per kind.

    .venv/bin/python bench/search_eval.py [--postgres [--reuse]] [--no-append]

--reuse (with --postgres): KIJI_BENCH_PG_DB already holds the loaded corpus (a copy of an earlier
run's database, e.g. `CREATE DATABASE new TEMPLATE old`): no fresh load.

The archive is the livedoor corpus (loaded as bench/search_bench.py does). The queries below were
written for this benchmark (none is corpus text), of the kinds in issue 16: kana readings,
loanwords / Latin letters, abbreviations, typos, questions, phrases, years; plus known items,
generated at run time from sampled headlines (a reader who remembers the headline; never stored).

Relevance rules, written down with each query and judged on the raw article text (headline + body,
NFKC, case-folded), never through Kiji's tokenizer:
- `need` is a list of groups; an article is relevant when, for every group, one of its strings
  occurs in the text (["iPhone", "アイフォン"] accepts either spelling);
- a year query also needs the article published in that year (and month, when given);
- a known item is relevant only itself.
Measures, per kind: success@10 (share of queries with a relevant article in the top 10), MRR@10
(1 / rank of the first relevant article, 0 beyond 10); typos count the results the reader sees
below 「もしかして」 when the query itself finds nothing. Latency p50/p95 of each system.

Systems, measured in the same run:
- kiji: search_articles (what /search/ shows, the year in the query filtering as the page does);
- strict: today's rule before issue 16 (every word required; no readings, synonyms or year);
- bigram: character-bigram TF-IDF cosine over headline (x2) + body, in memory.
"""

import argparse
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_bench  # noqa: E402  (the corpus loader and the database set-up)

KNOWN_ITEMS = 40
search_bench.PG_BENCH_DB = os.environ.get(
    "KIJI_BENCH_PG_DB", "kiji_search_eval"
)  # its own: search_bench.py may run beside it
# ../shared/corpora from the checkout, or from the folder above a worktree (/work/wt/NAME)
search_bench.CORPUS = next(
    (c for c in (p / "shared/corpora" / search_bench.CORPUS.name for p in search_bench.ROOT.parents) if c.exists()),
    search_bench.CORPUS,
)

# (kind, query, need, period)
QUERIES = [
    ("kana", "だるびっしゅ", [["ダルビッシュ"]], None),
    ("kana", "とうきょうえき", [["東京駅"]], None),
    ("kana", "きょうと 観光", [["京都"], ["観光"]], None),
    ("kana", "おおさか", [["大阪"]], None),
    ("kana", "ほっかいどう", [["北海道"]], None),
    ("kana", "おきなわ 旅行", [["沖縄"], ["旅行"]], None),
    ("kana", "よこはま", [["横浜"]], None),
    ("kana", "かんこく", [["韓国"]], None),
    ("kana", "にほんだいひょう", [["日本代表"]], None),
    ("kana", "せつでん", [["節電"]], None),
    ("kana", "こんかつ", [["婚活"]], None),
    ("kana", "ごうこん", [["合コン"]], None),
    ("kana", "げんぱつ", [["原発"]], None),
    ("kana", "でんししょせき", [["電子書籍"]], None),
    ("kana", "きょじん", [["巨人"]], None),
    ("kana", "しんじゅく", [["新宿"]], None),
    ("kana", "しぶや", [["渋谷"]], None),
    ("kana", "あきはばら", [["秋葉原"]], None),
    ("kana", "にんてんどう", [["任天堂"]], None),
    ("kana", "ふくおか", [["福岡"]], None),
    ("loanword", "アイフォン", [["iphone", "アイフォン"]], None),
    ("loanword", "アイフォーン", [["iphone", "アイフォーン"]], None),
    ("loanword", "アンドロイド 端末", [["android", "アンドロイド"], ["端末"]], None),
    ("loanword", "ツイッター", [["twitter", "ツイッター"]], None),
    ("loanword", "twitter", [["twitter", "ツイッター"]], None),
    ("loanword", "フェイスブック", [["facebook", "フェイスブック"]], None),
    ("loanword", "アイパッド", [["ipad", "アイパッド"]], None),
    ("loanword", "ウィンドウズ", [["windows", "ウィンドウズ", "ウインドウズ"]], None),
    ("loanword", "グーグル", [["google", "グーグル"]], None),
    ("loanword", "ユーチューブ", [["youtube", "ユーチューブ"]], None),
    ("loanword", "マイクロソフト", [["microsoft", "マイクロソフト"]], None),
    ("loanword", "エーケービー", [["akb"]], None),
    ("abbreviation", "デジカメ", [["デジカメ", "デジタルカメラ"]], None),
    ("abbreviation", "デジタルカメラ 新製品", [["デジカメ", "デジタルカメラ"], ["新製品", "新モデル", "発売"]], None),
    ("abbreviation", "W杯", [["w杯", "ワールドカップ"]], None),
    ("abbreviation", "ワールドカップ 予選", [["w杯", "ワールドカップ"], ["予選"]], None),
    ("abbreviation", "地デジ", [["地デジ", "地上デジタル"]], None),
    ("abbreviation", "地上デジタル放送 移行", [["地デジ", "地上デジタル"], ["移行"]], None),
    ("abbreviation", "スマホ 電池", [["スマホ", "スマートフォン"], ["電池", "バッテリー"]], None),
    ("abbreviation", "パソコン", [["パソコン", "pc"]], None),
    ("abbreviation", "ケータイ", [["携帯", "ケータイ"]], None),
    ("abbreviation", "プレステ", [["プレステ", "プレイステーション", "ps3", "playstation"]], None),
    ("abbreviation", "就活", [["就活", "就職活動"]], None),
    ("abbreviation", "ブルーレイ", [["ブルーレイ", "blu-ray"]], None),
    ("typo", "ダルビッッシュ", [["ダルビッシュ"]], None),
    ("typo", "ダルビシュ", [["ダルビッシュ"]], None),
    ("typo", "コンピュタ", [["コンピュータ", "コンピューター"]], None),
    ("typo", "アンドロイト", [["android", "アンドロイド"]], None),
    ("typo", "ブルーレー", [["ブルーレイ"]], None),
    ("typo", "ドルトムンド", [["ドルトムント"]], None),
    ("typo", "タブレッド", [["タブレット"]], None),
    ("typo", "ソフトバング", [["ソフトバンク"]], None),
    ("typo", "ディズニ", [["ディズニー"]], None),
    ("typo", "ツイッタ", [["twitter", "ツイッター"]], None),
    ("typo", "ザッケロー二", [["ザッケローニ"]], None),
    ("typo", "スカイツリ", [["スカイツリー"]], None),
    (
        "question",
        "ダルビッシュはメジャーに移籍するの",
        [["ダルビッシュ"], ["メジャー", "大リーグ", "mlb", "レンジャーズ"]],
        None,
    ),
    ("question", "新しいデジカメはいつ発売されるの", [["デジカメ", "デジタルカメラ"], ["発売"]], None),
    ("question", "節電する方法について知りたい", [["節電"]], None),
    ("question", "婚活で成功するにはどうすればいい", [["婚活"]], None),
    ("question", "電子書籍はどこで買えるの", [["電子書籍"]], None),
    ("question", "なでしこジャパンはなぜ強いのか", [["なでしこ"]], None),
    ("question", "合コンでモテる方法を探している", [["合コン"]], None),
    (
        "question",
        "スマートフォンの電池を長持ちさせるには",
        [["スマートフォン", "スマホ"], ["電池", "バッテリー"]],
        None,
    ),
    ("question", "地デジに対応したテレビはどれがいいの", [["地デジ", "地上デジタル"], ["テレビ"]], None),
    ("question", "ブルーレイレコーダーのおすすめは", [["ブルーレイ"], ["レコーダー"]], None),
    ("question", "香川はドルトムントで活躍しているの", [["香川"], ["ドルトムント"]], None),
    ("question", "震災の後の節電について", [["震災"], ["節電"]], None),
    ("question", "ザッケローニ監督は誰を選んだの", [["ザッケローニ"]], None),
    ("question", "アラサー女子の恋愛事情について知りたい", [["アラサー"], ["恋愛"]], None),
    ("question", "iPadで何ができるのか教えて", [["ipad"]], None),
    ("phrase", "電子 書籍", [["電子書籍"]], None),
    ("phrase", "日本 代表", [["日本代表"]], None),
    ("phrase", "携帯 電話", [["携帯電話"]], None),
    ("phrase", "一眼 レフ", [["一眼レフ"]], None),
    ("phrase", "東日本 大震災", [["東日本大震災"]], None),
    ("phrase", "ブルーレイ レコーダー", [["ブルーレイレコーダー"]], None),
    ("phrase", "スカイ ツリー", [["スカイツリー"]], None),
    ("phrase", "女子 会", [["女子会"]], None),
    ("phrase", "プロ 野球", [["プロ野球"]], None),
    ("phrase", "映画 祭", [["映画祭"]], None),
    ("year", "W杯 2010年", [["w杯", "ワールドカップ"]], (2010, None)),
    ("year", "節電 2011年", [["節電"]], (2011, None)),
    ("year", "iPhone 2011年10月", [["iphone"]], (2011, 10)),
    ("year", "なでしこ 2011年", [["なでしこ"]], (2011, None)),
    ("year", "ダルビッシュ 2012年", [["ダルビッシュ"]], (2012, None)),
    ("year", "地デジ 2011年7月", [["地デジ", "地上デジタル"]], (2011, 7)),
    # Written for the second pass (issue 16: 150 written queries at least), same rules.
    ("kana", "なごや", [["名古屋"]], None),
    ("kana", "こうべ", [["神戸"]], None),
    ("kana", "ながとも", [["長友"]], None),
    ("kana", "いちろー", [["イチロー"]], None),
    ("kana", "じしん 被害", [["地震"], ["被害"]], None),
    ("kana", "けっこんしき", [["結婚式"]], None),
    ("kana", "れんあい", [["恋愛"]], None),
    ("kana", "しゅうかつ", [["就活"]], None),
    ("kana", "だいえっと", [["ダイエット"]], None),
    ("kana", "すまほ", [["スマホ", "スマートフォン"]], None),
    ("kana", "えいが 興行収入", [["映画"], ["興行収入"]], None),
    ("kana", "ふじさん", [["富士山"]], None),
    ("kana", "ちゅうごく", [["中国"]], None),
    ("kana", "あめりか", [["アメリカ"]], None),
    ("kana", "たいふう", [["台風"]], None),
    ("kana", "ぷろやきゅう", [["プロ野球"]], None),
    ("kana", "さっかー 日本代表", [["サッカー"], ["日本代表"]], None),
    ("loanword", "ギャラクシー", [["galaxy", "ギャラクシー"]], None),
    ("loanword", "エクスペリア", [["xperia", "エクスペリア"]], None),
    ("loanword", "ソニー", [["sony", "ソニー"]], None),
    ("loanword", "パナソニック", [["panasonic", "パナソニック"]], None),
    ("loanword", "アマゾン", [["amazon", "アマゾン"]], None),
    ("loanword", "キヤノン", [["canon", "キヤノン", "キャノン"]], None),
    ("loanword", "ウォークマン", [["walkman", "ウォークマン"]], None),
    ("loanword", "ミクシィ", [["mixi", "ミクシィ"]], None),
    ("loanword", "スカイプ", [["skype", "スカイプ"]], None),
    ("loanword", "apple", [["apple", "アップル"]], None),
    ("loanword", "ipad", [["ipad", "アイパッド"]], None),
    ("loanword", "ユーエスビー", [["usb"]], None),
    ("loanword", "ピーシー", [["pc", "パソコン"]], None),
    ("loanword", "エルイーディー 電球", [["led"], ["電球"]], None),
    ("abbreviation", "コンビニ", [["コンビニ"]], None),
    ("abbreviation", "スマートフォン", [["スマホ", "スマートフォン"]], None),
    ("abbreviation", "携帯電話 料金", [["携帯", "ケータイ"], ["料金"]], None),
    ("abbreviation", "就職活動", [["就活", "就職活動"]], None),
    ("abbreviation", "セリーグ", [["セ・リーグ", "セリーグ"]], None),
    ("abbreviation", "パリーグ", [["パ・リーグ", "パリーグ"]], None),
    ("abbreviation", "大リーグ", [["メジャーリーグ", "大リーグ", "mlb", "メジャー"]], None),
    ("abbreviation", "tv 番組", [["テレビ", "tv"], ["番組"]], None),
    ("abbreviation", "国連", [["国連", "国際連合"]], None),
    ("abbreviation", "原子力発電所", [["原発", "原子力発電"]], None),
    ("abbreviation", "アニメーション", [["アニメ"]], None),
    ("typo", "スマートフォーン", [["スマートフォン"]], None),
    ("typo", "ギャラクシ", [["galaxy", "ギャラクシー"]], None),
    ("typo", "エクスペリヤ", [["xperia", "エクスペリア"]], None),
    ("typo", "フェイスブッグ", [["facebook", "フェイスブック"]], None),
    ("typo", "グーグール", [["google", "グーグル"]], None),
    ("typo", "マイクロソフド", [["microsoft", "マイクロソフト"]], None),
    ("typo", "ダイエッド", [["ダイエット"]], None),
    ("typo", "インタネット", [["インターネット"]], None),
    ("typo", "プレイステーシュン", [["プレイステーション"]], None),
    ("typo", "バッテリ", [["バッテリー"]], None),
    ("typo", "ウォークマソ", [["walkman", "ウォークマン"]], None),
    ("question", "iPhoneの電池が減るのはなぜ", [["iphone"], ["電池", "バッテリー"]], None),
    ("question", "結婚式に呼ばれたら何を着ればいいの", [["結婚式"]], None),
    ("question", "長友はどこのチームにいるの", [["長友"]], None),
    ("question", "映画の興行収入ランキングを知りたい", [["興行収入"]], None),
    ("question", "アンドロイドのおすすめアプリは何", [["android", "アンドロイド"], ["アプリ"]], None),
    ("question", "ダイエットに効く食べ物を教えて", [["ダイエット"]], None),
    ("question", "節約するにはどうしたらいいの", [["節約"]], None),
    ("question", "独身女性はなぜ結婚しないのか", [["独身"], ["結婚"]], None),
    ("question", "本田はどこに移籍するの", [["本田"], ["移籍"]], None),
    ("question", "女子会で人気のお店はどこ", [["女子会"]], None),
    ("question", "テレビ番組の録画はどうすればいい", [["録画"]], None),
    ("question", "残業を減らす方法を探している", [["残業"]], None),
    ("question", "電気代を節約したいのですが", [["電気代"]], None),
    ("question", "ツイッターで炎上したのは誰", [["twitter", "ツイッター"], ["炎上"]], None),
    ("question", "ジブリの新作はいつ公開されるの", [["ジブリ"]], None),
    ("phrase", "家電 量販店", [["家電量販店"]], None),
    ("phrase", "興行 収入", [["興行収入"]], None),
    ("phrase", "婚活 パーティー", [["婚活パーティー"]], None),
    ("phrase", "海外 旅行", [["海外旅行"]], None),
    ("phrase", "液晶 テレビ", [["液晶テレビ"]], None),
    ("phrase", "韓流 ドラマ", [["韓流ドラマ"]], None),
    ("phrase", "恋愛 相談", [["恋愛相談"]], None),
    ("phrase", "夏 休み", [["夏休み"]], None),
    ("phrase", "高校 野球", [["高校野球"]], None),
    ("phrase", "無料 アプリ", [["無料アプリ"]], None),
    ("year", "iPad 2010年", [["ipad"]], (2010, None)),
    ("year", "アンドロイド 2011年", [["android", "アンドロイド"]], (2011, None)),
    ("year", "AKB 2012年", [["akb"]], (2012, None)),
    ("year", "節電 2011年7月", [["節電"]], (2011, 7)),
    ("year", "映画 2012年1月", [["映画"]], (2012, 1)),
    ("year", "スマートフォン 2011年", [["スマートフォン", "スマホ"]], (2011, None)),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--no-append", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="with --postgres: KIJI_BENCH_PG_DB is loaded already")
    parser.add_argument("--keep", metavar="SQLITE_FILE", help="keep the loaded corpus there and reuse it next time")
    parser.add_argument("--verbose", action="store_true", help="print the queries kiji misses")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kiji-bench-eval-"))
    database = Path(args.keep) if args.keep else tmp / "e.sqlite3"
    reuse = database.exists()
    if args.postgres:
        base = search_bench.PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + search_bench.PG_BENCH_DB
        os.environ["DATABASE_URL"] = base if args.reuse else search_bench._fresh_postgres()
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["KIJI_VAR_DIR"] = str(tmp)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
    sys.path.insert(0, str(search_bench.ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        lines = run(load=not args.reuse if args.postgres else not reuse, verbose=args.verbose)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not args.no_append:
        with open(search_bench.ROOT / "bench" / "RESULTS.md", "a") as out:
            flags = " --postgres" if args.postgres else ""
            out.write(f"\n### search_eval{flags} ({time.strftime('%Y-%m-%d')})\n\n```\n" + "\n".join(lines) + "\n```\n")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def run(*, load: bool = True, verbose: bool = False) -> list[str]:
    from django.db import connection

    from kiji.lib.html import html_to_text
    from kiji.newsroom.models import Article
    from kiji.search.services import rebuild_vocabulary

    if load:
        search_bench.load_corpus()
        rebuild_vocabulary()
        search_bench._analyze()  # planner statistics, as a live site has them
    articles = {
        a.pk: (fold(a.headline + "\n" + html_to_text(a.body)), a.published_at, a.headline)
        for a in Article.objects.published()
    }
    rng = random.Random(16)
    known = []
    for pk in rng.sample(sorted(articles), KNOWN_ITEMS):
        title = re.sub(r"^【[^】]*】", "", articles[pk][2]).strip() or articles[pk][2]  # without a 【…】 label
        known.append(("known", title, pk, None))
    queries = [*known, *QUERIES]
    systems = {"kiji": kiji_search, "strict": strict_search, "bigram": Bigram(articles).search}
    lines = [
        f"database: {connection.vendor}; {len(articles)} articles; {len(queries)} queries; load {os.getloadavg()[0]:.1f}"
    ]
    scores, latency = {}, {name: [] for name in systems}
    for kind, text, need, period in queries:
        for name, system in systems.items():
            start = time.perf_counter()
            try:
                ids = system(text)
            except Exception as error:  # a failing system scores nothing on this query, and says why
                print(f"{name} failed on {text!r}: {error}", flush=True)
                ids = []
            latency[name].append(time.perf_counter() - start)
            rank = next((i for i, pk in enumerate(ids[:10], 1) if relevant(articles[pk], pk, need, period)), None)
            scores.setdefault((kind, name), []).append(rank)
            if verbose and name == "kiji" and rank is None:
                print(f"kiji misses {kind}: {text}", flush=True)
            elif verbose and name == "kiji" and kind == "known" and rank != 1:
                print(f"kiji ranks known item {need} at {rank}: {text}", flush=True)
    kinds = list(dict.fromkeys(kind for kind, *_ in queries))
    lines.append(f"{'kind':<13}{'n':>4}" + "".join(f"{n + ' s@10':>13}{n + ' MRR':>12}" for n in systems))
    for kind in kinds:
        row = f"{kind:<13}{len(scores[(kind, 'kiji')]):>4}"
        for name in systems:
            ranks = scores[(kind, name)]
            row += f"{sum(r is not None for r in ranks) / len(ranks):>13.2f}{statistics.mean(1 / r if r else 0 for r in ranks):>12.3f}"
        lines.append(row)
    for name, values in latency.items():
        values = sorted(values)
        p50, p95 = values[len(values) // 2], values[min(len(values) - 1, int(len(values) * 0.95))]
        lines.append(f"latency {name:<7} p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms")
    for line in lines:
        print(line, flush=True)
    return lines


def relevant(article, pk, need, period) -> bool:
    text, published, _ = article
    if isinstance(need, int):
        return pk == need
    if period:
        local = published.astimezone(search_bench_jst())
        if local.year != period[0] or (period[1] and local.month != period[1]):
            return False
    return all(any(fold(s) in text for s in group) for group in need)


def search_bench_jst():
    from kiji.lib.dates import JST

    return JST


def kiji_search(text: str) -> list[int]:
    from kiji.search.backends import Filters
    from kiji.search.query import parse_query
    from kiji.search.results import search_articles
    from kiji.search.views import period_bounds

    query = parse_query(text)
    filters = Filters(*(None, *period_bounds(*query.period))) if query.period else Filters()
    found = search_articles(query, filters)
    if found.total == 0 and found.corrected:
        found = found.corrected
    return [hit.article.pk for hit in found.hits]


def strict_search(text: str) -> list[int]:
    from unittest import mock

    from kiji.search.backends import Filters, backend
    from kiji.search.expand import Group, plan
    from kiji.search.query import parse_query
    from kiji.search.results import timezone

    wanted = plan(parse_query(text), synonyms=False)
    wanted.groups = [Group(form=g.form) for g in wanted.groups]  # no readings
    if not wanted.searchable:
        return []
    with mock.patch("kiji.search.backends.STRICT_ENOUGH", 0):  # every word required
        return backend().search(wanted, Filters(), now=timezone.now(), limit=10, offset=0)[0]


class Bigram:
    """Character-bigram TF-IDF, cosine, headline counted twice."""

    def __init__(self, articles):
        import numpy as np
        from scipy import sparse

        self.vocabulary, rows, cols, data = {}, [], [], []
        self.pks = list(articles)
        for row, pk in enumerate(self.pks):
            text, _, headline = articles[pk]
            counts = {}
            for gram in self.grams(fold(headline) * 2 + " " + text):
                col = self.vocabulary.setdefault(gram, len(self.vocabulary))
                counts[col] = counts.get(col, 0) + 1
            rows += [row] * len(counts)
            cols += counts
            data += [1 + np.log(c) for c in counts.values()]
        matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(self.pks), len(self.vocabulary)))
        df = np.bincount(matrix.indices, minlength=matrix.shape[1])
        self.idf = np.log(len(self.pks) / np.maximum(df, 1))
        matrix = matrix @ sparse.diags(self.idf)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        self.matrix = (sparse.diags(1 / np.maximum(norms, 1e-9)) @ matrix).tocsr().T.tocsr()

    @staticmethod
    def grams(text: str) -> list[str]:
        text = "".join(ch if ch.isalnum() else " " for ch in text)
        return [a + b for a, b in zip(text, text[1:], strict=False) if a != " " and b != " "]

    def search(self, text: str) -> list[int]:
        import numpy as np

        cols = [self.vocabulary[g] for g in self.grams(fold(text)) if g in self.vocabulary]
        if not cols:
            return []
        scores = np.asarray(self.matrix[cols].sum(axis=0)).ravel()
        best = np.argsort(-scores)[:10]
        return [self.pks[i] for i in best if scores[i] > 0]


if __name__ == "__main__":
    main()
