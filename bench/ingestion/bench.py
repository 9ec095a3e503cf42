#!/usr/bin/env python3
"""Ingestion benchmark: ticks/s end to end over HTTP versus Postgres COPY of the same rows.

    bench/ingestion/bench.py [--ticks 1000000] [--batch 10000] [--connections 4] [--symbols 1000]

What it does (see README.md next to it):
  1. creates a scratch processing database (--db, dropped first) with schema raw owned by income_ingestion,
     and starts a private redis-server on a free port so a million published ticks stay off the shared Redis;
  2. starts the packaged ingestion-service (target/quarkus-app/quarkus-run.jar) against them, feed off;
  3. builds the ticks (distinct (symbol, ts) keys, prices with cents, volumes) as CSV batches in memory;
  4. sends them as POST /api/v1/ticks (text/csv) over --connections keep-alive connections, signed with an
     operator token, and times first byte sent to last response (every batch committed) and to the moment the
     last tick was published on income:ticks (a subscriber counts them);
  5. COPYs the same rows, from one CSV file, into an identical table (same columns, key, partitions, BRIN) in
     the same database, one connection, and times it;
  6. prints both rates and their ratio.
Only the Python standard library is used.
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "bench-secret-that-is-at-least-32-bytes-long!"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def operator_token():
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(time.time())
    payload = b64url(json.dumps({"sub": "00000000-0000-0000-0000-00000000beef", "role": "service_role",
                                 "iat": now, "exp": now + 3600}).encode())
    signature = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def psql(db, sql, user="postgres"):
    subprocess.run(["psql", "-h", os.environ.get("DB_HOST", "127.0.0.1"), "-p", os.environ.get("DB_PORT", "5432"),
                    "-U", user, "-d", db, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def prepare_database(db):
    psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    psql("postgres", f"CREATE DATABASE {db}")
    psql("postgres", f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO income_ingestion")
    psql(db, "CREATE SCHEMA raw AUTHORIZATION income_ingestion")


def start_redis():
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def start_service(db, redis_port, http_port, log_path, java_opts):
    jar = os.path.join(ROOT, "ingestion-service", "target", "quarkus-app", "quarkus-run.jar")
    if not os.path.exists(jar):
        raise SystemExit(f"{jar} missing: build it with ./mvnw -B -pl ingestion-service package -DskipTests")
    env = dict(os.environ, PROCESSING_DB_NAME=db, REDIS_URL=f"redis://127.0.0.1:{redis_port}",
               QUARKUS_HTTP_PORT=str(http_port), AUTH_JWT_SECRET=SECRET, INGESTION_FEED_ENABLED="false",
               INGESTION_FEED_SEED_UNIVERSE="false", QUARKUS_LOG_LEVEL="WARN")
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
    log = open(log_path, "w")
    process = subprocess.Popen([java] + java_opts.split() + ["-jar", jar], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    deadline = time.time() + 90
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"ingestion-service exited, see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/q/health/ready", timeout=1) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"ingestion-service not ready in 90 s, see {log_path}")


def build_batches(ticks, batch, symbols, start):
    """CSV batches for the endpoint plus the same rows for COPY; keys (symbol, ts) are distinct."""
    rng = random.Random(20261120)
    names = [f"B{i:05d}" for i in range(symbols)]
    per_symbol = (ticks + symbols - 1) // symbols
    rows = []
    for step in range(per_symbol):
        ts = (start + timedelta(milliseconds=250 * step)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for name in names:
            if len(rows) == ticks:
                break
            rows.append(f"{name},{ts},{rng.randint(1000, 50000) / 100:.2f},{rng.randint(1, 5000)}")
    header = "symbol,ts,price,volume\n"
    bodies = ["".join([header] + [r + "\n" for r in rows[i:i + batch]]).encode() for i in range(0, len(rows), batch)]
    return rows, bodies


class TickCounter(threading.Thread):
    """Subscribes to income:ticks with a minimal RESP reader and counts published ticks."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$12\r\nincome:ticks\r\n")
        self.file = self.sock.makefile("rb")
        self.read_reply()  # subscribe confirmation
        self.count = 0
        self.last_at = None

    def read_reply(self):
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"*":
            return [self.read_reply() for _ in range(int(rest))]
        if kind == b"$":
            data = self.file.read(int(rest) + 2)[:-2]
            return data
        return rest

    def run(self):
        while True:
            message = self.read_reply()
            if isinstance(message, list) and message[0] == b"message":
                self.count += message[2].count(b'"symbol"')
                self.last_at = time.perf_counter()


def send_all(port, token, bodies, connections):
    results = []
    lock = threading.Lock()
    next_index = [0]

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= len(bodies):
                break
            conn.request("POST", "/api/v1/ticks", body=bodies[index], headers=headers)
            response = conn.getresponse()
            payload = response.read()
            if response.status != 200:
                raise SystemExit(f"batch {index}: HTTP {response.status} {payload[:300]!r}")
            answer = json.loads(payload)
            with lock:
                results.append((answer["accepted"], answer["duplicates"], len(answer["rejected"])))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return started, time.perf_counter(), results


def copy_rate(db, rows):
    """COPY of the same rows into an identical table: same columns, key, monthly partitions and BRIN index."""
    psql(db, """
        CREATE TABLE raw.price_ticks_copy (LIKE raw.price_ticks INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
                                           PRIMARY KEY (symbol, ts)) PARTITION BY RANGE (ts);
        CREATE TABLE raw.price_ticks_copy_default PARTITION OF raw.price_ticks_copy DEFAULT;
        CREATE INDEX ON raw.price_ticks_copy USING brin (ts);
        DO $$
        DECLARE p record;
        BEGIN
          FOR p IN SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
                   FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                   WHERE i.inhparent = 'raw.price_ticks'::regclass AND c.relname <> 'price_ticks_default' LOOP
            EXECUTE format('CREATE TABLE raw.%I PARTITION OF raw.price_ticks_copy %s',
                           replace(p.relname, 'price_ticks', 'price_ticks_copy'), p.bound);
          END LOOP;
        END $$;
        ALTER TABLE raw.price_ticks_copy OWNER TO income_ingestion;""")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        for r in rows:
            f.write(r + ",bench\n")
        path = f.name
    started = time.perf_counter()
    psql(db, f"\\copy raw.price_ticks_copy (symbol, ts, price, volume, source) FROM '{path}' WITH (FORMAT csv)",
         user="income_ingestion")
    elapsed = time.perf_counter() - started
    os.unlink(path)
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ticks", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--symbols", type=int, default=1000)
    parser.add_argument("--db", default="income_ingestion_bench")
    parser.add_argument("--keep", action="store_true", help="leave the service and redis running")
    parser.add_argument("--java-opts", default="", help="extra JVM options, e.g. a JFR recording")
    args = parser.parse_args()

    prepare_database(args.db)
    redis, redis_port = start_redis()
    http_port = free_port()
    log_path = os.path.join(tempfile.gettempdir(), "ingestion-bench-service.log")
    service = None
    try:
        service = start_service(args.db, redis_port, http_port, log_path, args.java_opts)
        # Ticks of the last hours: inside this month's partition (or last month's), never in the future.
        start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=2 + args.ticks // args.symbols // 14400)
        rows, bodies = build_batches(args.ticks, args.batch, args.symbols, start)
        counter = TickCounter(redis_port)
        counter.start()
        token = operator_token()

        began, stored_at, results = send_all(http_port, token, bodies, args.connections)
        deadline = time.time() + 120
        while counter.count < args.ticks and time.time() < deadline:
            time.sleep(0.05)
        published_at = counter.last_at or stored_at

        accepted = sum(r[0] for r in results)
        duplicates = sum(r[1] for r in results)
        rejected = sum(r[2] for r in results)
        stored_rate = accepted / (stored_at - began)
        end_to_end = max(stored_at, published_at) - began
        e2e_rate = accepted / end_to_end

        copy_seconds = copy_rate(args.db, rows)
        copy_rows_per_s = len(rows) / copy_seconds

        print(f"ticks sent           {len(rows):>12,} in {len(bodies)} batches of {args.batch:,} over {args.connections} connections")
        print(f"accepted/dup/rejected {accepted:>11,} / {duplicates:,} / {rejected:,}")
        print(f"published on Redis   {counter.count:>12,}")
        print(f"HTTP, all committed  {stored_rate:>12,.0f} ticks/s  ({stored_at - began:.2f} s)")
        print(f"end to end (+publish){e2e_rate:>12,.0f} ticks/s  ({end_to_end:.2f} s)")
        print(f"COPY same rows       {copy_rows_per_s:>12,.0f} rows/s   ({copy_seconds:.2f} s)")
        print(f"ratio end-to-end/COPY {e2e_rate / copy_rows_per_s:>11.2f}")
    finally:
        if service is not None and not args.keep:
            service.send_signal(signal.SIGTERM)
            service.wait(timeout=60)
        if not args.keep:
            redis.terminate()
            redis.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
