#!/usr/bin/env python3
"""Start-up time and memory of each packaged service (JVM mode), medians of several runs.

    bench/startup.py [--runs 3] [--processing-db income_processing_startup] [--serving-db income_serving_startup]

For each service: start target/quarkus-app/quarkus-run.jar, time until /q/health/ready answers 200,
then read the process's resident memory (VmRSS) and the heap used (jvm_memory_used_bytes, heap) from
/q/metrics, and stop it. Prints one Markdown table. Build first: ./mvnw -B package -DskipTests.
It creates its own databases (deploy/sql/init-databases.sql, idempotent) so no other run can remove
them underneath it.
"""
import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICES = [("ingestion-service", "income_ingestion"), ("mart-service", "income_mart"),
            ("dashboard-service", "income_dashboard"), ("realtime-service", None)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=1.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


def java_binary():
    home = os.environ.get("JAVA_HOME")
    return os.path.join(home, "bin", "java") if home else "java"


def measure(module, db_user, args):
    port = free_port()
    env = dict(os.environ, QUARKUS_HTTP_PORT=str(port), PROCESSING_DB_NAME=args.processing_db,
               SERVING_DB_NAME=args.serving_db, AUTH_JWT_SECRET="bench-secret-that-is-long-enough-for-hs256",
               INGESTION_FEED_ENABLED="false", MART_REFRESH_EVERY="off")
    if db_user:
        env["DB_USER"] = db_user
    jar = os.path.join(ROOT, module, "target", "quarkus-app", "quarkus-run.jar")
    started = time.monotonic()
    proc = subprocess.Popen([java_binary(), "-jar", jar], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                sys.exit(f"{module} exited with {proc.returncode} before it was ready")
            if time.monotonic() - started > 120:
                sys.exit(f"{module} not ready after 120 s")
            try:
                if get(f"http://127.0.0.1:{port}/q/health/ready")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.02)
        ready_seconds = time.monotonic() - started
        time.sleep(2)  # let start-up garbage settle before reading memory
        with open(f"/proc/{proc.pid}/status") as status:
            rss_kib = int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))
        metrics = get(f"http://127.0.0.1:{port}/q/metrics", timeout=5)[1]
        heap = sum(float(m.group(1)) for m in re.finditer(r'jvm_memory_used_bytes\{[^}]*area="heap"[^}]*\} (\S+)', metrics))
        return ready_seconds, rss_kib / 1024, heap / (1024 * 1024)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processing-db", default="income_processing_startup")
    parser.add_argument("--serving-db", default="income_serving_startup")
    args = parser.parse_args()
    subprocess.run(["psql", "-q", "-h", os.environ.get("DB_HOST", "127.0.0.1"), "-p", os.environ.get("DB_PORT", "5432"),
                    "-U", os.environ.get("DB_ADMIN_USER", "postgres"), "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                    "-v", f"processing_db={args.processing_db}", "-v", f"serving_db={args.serving_db}",
                    "-f", os.path.join(ROOT, "deploy", "sql", "init-databases.sql")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("| service | ready after start (s, median) | RSS after start (MiB) | heap used (MiB) |")
    print("|---|---|---|---|")
    for module, db_user in SERVICES:
        runs = [measure(module, db_user, args) for _ in range(args.runs)]
        ready, rss, heap = (statistics.median(r[i] for r in runs) for i in range(3))
        print(f"| {module} | {ready:.2f} | {rss:.0f} | {heap:.0f} |", flush=True)


if __name__ == "__main__":
    main()
