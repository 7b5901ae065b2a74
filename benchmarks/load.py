"""Throughput under load: simulated people browsing the realistic mix on gunicorn, on the scale data.

    export SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmf_bench
    (build the data as benchmarks/pages_floor.py says, and run it once: it adds the plan)
    .venv/bin/python benchmarks/load.py [--users 50] [--think 1.0] [--duration 60] [--workers 3]

Starts gunicorn (pmf.wsgi, --workers sync workers, on --port) with this environment, signs in
--users people (sessions made directly in the session store: the scale people have no passwords),
and runs one thread per person for --warmup plus --duration seconds. Each person repeatedly opens
a page of the mix below, chosen at random with these weights, then thinks for a random time
averaging --think seconds (0 for no think time):

    PI list 3, PI page 3, My snapshot 1, plan tree 1, expand an objective 1, My work 2,
    monthly update 1

Who they are: a fifth are the director (all 30,000 PIs), a fifth area managers (about 6,000 PIs
each), the rest patch officers (their own PIs; the first of them is the benchmark updater with
100 PIs due). PI pages and objectives are drawn from what each person may see.

Prints, for the measured period only: requests a second, p50, p95 and max per page, errors
(any answer but 200, or no answer), and the load average before and after, since on a shared
machine other work takes cores from the server. Stops gunicorn at the end.
"""

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from indicators.models import Indicator  # noqa: E402
from plans.models import PlanItem  # noqa: E402
from pmf.models import User  # noqa: E402

MIX = [
    ("pi-list", 3),
    ("pi-page", 3),
    ("my-snapshot", 1),
    ("plan-tree", 1),
    ("plan-expand", 1),
    ("my-work", 2),
    ("monthly-update", 1),
]


class Person:
    def __init__(self, user: User):
        client = Client()
        client.force_login(user)
        self.username = user.username
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        self.pis = list(Indicator.objects.visible_to(user).order_by("?").values_list("pk", flat=True)[:200])
        self.objectives = list(
            PlanItem.objects.visible_to(user).filter(kind="objective").order_by("?").values_list("pk", flat=True)[:50]
        )

    def url(self, page: str, rng: random.Random) -> str:
        if page == "pi-list":
            return reverse("indicator-list") + (f"?page={rng.randint(1, 20)}" if rng.random() < 0.3 else "")
        if page == "pi-page":
            return reverse("indicator-detail", args=[rng.choice(self.pis)])
        if page == "my-snapshot":
            return reverse("snapshot-mine")
        if page == "plan-tree":
            return reverse("plan-tree")
        if page == "plan-expand":
            if not self.objectives:
                return reverse("plan-tree")
            return reverse("plan-tree-children", args=[rng.choice(self.objectives)])
        if page == "my-work":
            return reverse("home")
        return reverse("indicator-monthly-update")


def people(count: int) -> list[Person]:
    director = User.objects.get(username="scale.manager")
    managers = list(User.objects.filter(username__startswith="scale.manager", org_unit__kind="area").order_by("pk"))
    officers = [User.objects.get(username="scale.updater")] + list(
        User.objects.filter(username__startswith="scale.updater", org_unit__kind="patch")
        .exclude(username="scale.updater")
        .order_by("pk")
    )
    chosen = []
    for number in range(count):
        if number % 5 == 0:
            chosen.append(director)
        elif number % 5 == 1:
            chosen.append(managers[(number // 5) % len(managers)])
        else:
            chosen.append(officers[(number - number // 5 * 2) % len(officers)])
    cache: dict[int, Person] = {}
    return [cache.setdefault(user.pk, Person(user)) for user in chosen]


def start_server(port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "pmf.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer /health/ within 60 s")


def run(args, persons: list[Person]):
    results: list[tuple[float, str, float, bool]] = []  # (finished at, page, seconds, ok)
    lock = threading.Lock()
    pages, weights = zip(*MIX, strict=True)
    started = time.monotonic()
    stop_at = started + args.warmup + args.duration

    def browse(number: int, person: Person):
        rng = random.Random(number)
        time.sleep(rng.uniform(0, args.think or 0.1))  # people do not all arrive at once
        while time.monotonic() < stop_at:
            page = rng.choices(pages, weights)[0]
            url = person.url(page, rng)
            begin = time.monotonic()
            ok = False
            try:
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
                connection.request("GET", url, headers={"Cookie": person.cookie, "Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                connection.close()
            except OSError:
                pass
            end = time.monotonic()
            with lock:
                results.append((end, page, end - begin, ok))
            if args.think:
                time.sleep(rng.uniform(0.5 * args.think, 1.5 * args.think))

    threads = [threading.Thread(target=browse, args=(n, p), daemon=True) for n, p in enumerate(persons)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    measured_from = started + args.warmup
    return [row for row in results if row[0] >= measured_from]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time in seconds (0: none)")
    parser.add_argument("--duration", type=int, default=60, help="seconds measured")
    parser.add_argument("--warmup", type=int, default=10, help="seconds before measuring")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--no-server", action="store_true", help="use a server already listening on --port")
    args = parser.parse_args()
    if not PlanItem.objects.filter(code="SCALE").exists():
        sys.exit("No benchmark plan: run benchmarks/pages_floor.py once first.")
    persons = people(args.users)
    server = None if args.no_server else start_server(args.port, args.workers)
    before = os.getloadavg()
    try:
        measured = run(args, persons)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    after = os.getloadavg()
    print(
        f"{args.users} people, think {args.think:g} s, {args.workers} gunicorn workers, {args.duration} s measured "
        f"after {args.warmup} s warm-up; {os.cpu_count()} cores"
    )
    total = len(measured)
    errors = sum(1 for row in measured if not row[3])
    print(f"{total} requests, {total / args.duration:.1f} requests/s, {errors} errors")
    print(f"{'page':<16} {'requests':>8} {'p50':>9} {'p95':>9} {'max':>9} {'errors':>7}")
    for page, _ in MIX:
        times = [row[2] * 1000 for row in measured if row[1] == page]
        if not times:
            continue
        failed = sum(1 for row in measured if row[1] == page and not row[3])
        print(
            f"{page:<16} {len(times):8d} {statistics.median(times):6.0f} ms {percentile(times, 0.95):6.0f} ms "
            f"{max(times):6.0f} ms {failed:7d}"
        )
    every = [row[2] * 1000 for row in measured]
    if every:
        print(f"{'all':<16} {total:8d} {statistics.median(every):6.0f} ms {percentile(every, 0.95):6.0f} ms")
    print(f"load average before {' '.join(f'{x:.2f}' for x in before)}, after {' '.join(f'{x:.2f}' for x in after)}")


if __name__ == "__main__":
    main()
