#!/usr/bin/env python3
"""Deterministic benchmark dataset at the design's scale, loaded with COPY.

    bench/generate.py --size full|small [--processing-db income_processing] [--serving-db income_serving]

full:  25,000 securities, ~20 million daily bars (800 trading days), ~686,000 dividends from two
       sources (overlapping, some amounts disagreeing), ETF holdings, short positions, and 10,000
       users with portfolios of 20 to 100 holdings and their ledgers.
small: 500 securities, 250 trading days, 100 users (a quick run, under a minute).

Only the end state matters here, so rows go straight in with COPY (as the owning roles:
income_ingestion for raw, income_dashboard for app). The tables must exist: start the services once
(or run their migrations) before generating. Existing rows of the generated sources ('bench-*') are
replaced, so a rerun gives the same data. Standard library only.
"""
import argparse
import array
import datetime as dt
import math
import os
import random
import subprocess
import sys
import time
import uuid

END_DATE = dt.date(2026, 11, 20)  # a Friday: the dataset's last trading day, fixed for determinism
SECTORS = {
    "Technology": ["Software", "Semiconductors", "IT Services", "Hardware"],
    "Health Care": ["Pharmaceuticals", "Biotechnology", "Medical Devices"],
    "Financials": ["Banks", "Insurance", "Capital Markets", "Asset Management"],
    "Consumer Discretionary": ["Retail", "Automobiles", "Hotels & Leisure"],
    "Consumer Staples": ["Food Products", "Beverages", "Household Products"],
    "Energy": ["Oil & Gas", "Pipelines", "Energy Equipment"],
    "Industrials": ["Aerospace", "Machinery", "Transportation"],
    "Materials": ["Chemicals", "Metals & Mining"],
    "Utilities": ["Electric Utilities", "Gas Utilities", "Water Utilities"],
    "Real Estate": ["Residential REITs", "Retail REITs", "Industrial REITs", "Office REITs"],
    "Communication Services": ["Telecom", "Media", "Interactive Media"],
}
SIZES = {
    "full": {"securities": 25_000, "days": 800, "users": 10_000},
    "small": {"securities": 500, "days": 250, "users": 100},
}


def psql_copy(db, role, table, columns, rows, host, port):
    """Streams rows (tuples) into table with COPY ... FROM STDIN (text format)."""
    command = ["psql", "-q", "-h", host, "-p", str(port), "-U", role, "-d", db, "-v", "ON_ERROR_STOP=1",
               "-c", f"\\copy {table} ({', '.join(columns)}) FROM STDIN"]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE)
    out = proc.stdin
    buffer = []
    count = 0
    for row in rows:
        buffer.append("\t".join("\\N" if v is None else str(v) for v in row))
        count += 1
        if len(buffer) >= 50_000:
            out.write(("\n".join(buffer) + "\n").encode())
            buffer.clear()
    if buffer:
        out.write(("\n".join(buffer) + "\n").encode())
    out.close()
    if proc.wait() != 0:
        sys.exit(f"COPY into {table} failed")
    return count


def psql_exec(db, role, sql, host, port, capture=False):
    command = ["psql", "-q", "-A", "-t", "-h", host, "-p", str(port), "-U", role, "-d", db,
               "-v", "ON_ERROR_STOP=1", "-c", sql]
    result = subprocess.run(command, check=True, capture_output=capture, text=True)
    return result.stdout if capture else None


def trading_days(count, holidays):
    days = []
    day = END_DATE
    while len(days) < count:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day -= dt.timedelta(days=1)
    days.reverse()
    return days


def make_symbols(n, rng):
    symbols = ["SPY"]
    seen = set(symbols)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    while len(symbols) < n:
        length = rng.choice((3, 4, 4, 5))
        symbol = "".join(rng.choice(letters) for _ in range(length))
        if symbol not in seen:
            seen.add(symbol)
            symbols.append(symbol)
    return symbols


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--processing-db", default=os.environ.get("PROCESSING_DB_NAME", "income_processing"))
    parser.add_argument("--serving-db", default=os.environ.get("SERVING_DB_NAME", "income_serving"))
    parser.add_argument("--host", default=os.environ.get("DB_HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("DB_PORT", "5432"))
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument("--skip-users", action="store_true", help="market data only")
    args = parser.parse_args()
    size = SIZES[args.size]
    rng = random.Random(args.seed)
    started = time.time()
    pdb, sdb, host, port = args.processing_db, args.serving_db, args.host, args.port

    holidays = {dt.date.fromisoformat(line) for line in psql_exec(
        pdb, "income_ingestion", "SELECT date FROM raw.market_holidays WHERE kind = 'closed'",
        host, port, capture=True).split()}
    days = trading_days(size["days"], holidays)
    symbols = make_symbols(size["securities"], rng)

    print(f"clearing earlier bench rows in {pdb}", flush=True)
    for table, where in [("raw.price_bars", "source = 'bench'"), ("raw.dividends", "source LIKE 'bench-%'"),
                         ("raw.etf_holdings", "source = 'bench'"), ("raw.short_positions", "source = 'bench'"),
                         ("raw.securities", "source = 'bench'")]:
        psql_exec(pdb, "income_ingestion", f"DELETE FROM {table} WHERE {where}", host, port)

    # Securities: mostly stocks, some ETFs, REITs (Real Estate) and funds.
    securities = []
    for i, symbol in enumerate(symbols):
        r = rng.random()
        asset_type = "etf" if symbol == "SPY" or r < 0.10 else "reit" if r < 0.17 else "fund" if r < 0.20 else "stock"
        sector = "Real Estate" if asset_type == "reit" else rng.choice(list(SECTORS))
        industry = rng.choice(SECTORS[sector])
        name = ("SPDR S&P 500 ETF Trust" if symbol == "SPY" else f"{symbol.title()} {rng.choice(['Inc', 'Corp', 'Holdings', 'Group', 'Trust'])}")
        market_cap = round(10 ** rng.uniform(7.5, 12.3))
        securities.append((symbol, name, rng.choice(["NYSE", "NASDAQ", "NYSE Arca"]), asset_type,
                           sector if asset_type != "etf" else None, industry if asset_type != "etf" else None,
                           "USD", market_cap, 2 if i < 500 else 3 if i < 3000 else 4, "bench"))
    t = time.time()
    n = psql_copy(pdb, "income_ingestion", "raw.securities",
                  ["symbol", "name", "exchange", "asset_type", "sector", "industry", "currency", "market_cap", "tier", "source"],
                  securities, host, port)
    print(f"securities: {n} rows in {time.time() - t:.1f}s", flush=True)

    # Daily bars: a seeded random walk per symbol; closes kept (float32) for the ledgers below.
    closes = {}

    def bar_rows():
        for i, symbol in enumerate(symbols):
            walk = random.Random(args.seed * 31 + i)
            price = walk.uniform(8, 400)
            drift = walk.uniform(-0.0002, 0.0006)
            vol = walk.uniform(0.008, 0.03)
            series = array.array("f")
            for day in days:
                open_ = price
                price = max(0.5, price * math.exp(drift + vol * walk.gauss(0, 1)))
                high = max(open_, price) * (1 + abs(walk.gauss(0, vol / 3)))
                low = min(open_, price) * (1 - abs(walk.gauss(0, vol / 3)))
                series.append(price)
                yield (symbol, day, "bench", f"{open_:.4f}", f"{high:.4f}", f"{low:.4f}", f"{price:.4f}",
                       f"{price:.4f}", int(walk.uniform(1e4, 5e6)))
            closes[symbol] = series

    t = time.time()
    n = psql_copy(pdb, "income_ingestion", "raw.price_bars",
                  ["symbol", "date", "source", "open", "high", "low", "close", "adj_close", "volume"],
                  bar_rows(), host, port)
    print(f"price_bars: {n} rows in {time.time() - t:.1f}s", flush=True)

    # Dividends: ~67% of securities pay (quarterly, monthly, a few weekly, semi-annual, annual);
    # source bench-a has all, bench-b ~98% with 3% amounts disagreeing and pay dates sometimes missing.
    frequency_choices = [(4, 0.70), (12, 0.25), (52, 0.008), (2, 0.022), (1, 0.02)]

    def dividend_rows():
        for i, symbol in enumerate(symbols):
            pick = random.Random(args.seed * 17 + i)
            if symbol != "SPY" and pick.random() > 0.67:
                continue
            r, acc, freq = pick.random(), 0.0, 4
            for f, p in frequency_choices:
                acc += p
                if r <= acc:
                    freq = f
                    break
            step = 364 // freq
            amount = round(pick.uniform(0.02, 1.2) * 4 / freq, 4)
            ex = days[0] + dt.timedelta(days=pick.randrange(step))
            while ex <= END_DATE + dt.timedelta(days=30):
                pay = ex + dt.timedelta(days=pick.choice((7, 14, 21, 28)))
                kind = "special" if pick.random() < 0.01 else "regular"
                yield (symbol, ex, "bench-a", pay, ex + dt.timedelta(days=1), ex - dt.timedelta(days=20),
                       amount, "USD", kind)
                if pick.random() < 0.98:
                    other = amount if pick.random() > 0.03 else round(amount * 1.01, 4)
                    yield (symbol, ex, "bench-b", pay if pick.random() > 0.1 else None, None, None, other, "USD", kind)
                if pick.random() < 0.05:
                    amount = round(amount * 1.05, 4)  # a raise
                ex += dt.timedelta(days=step)

    t = time.time()
    n = psql_copy(pdb, "income_ingestion", "raw.dividends",
                  ["symbol", "ex_date", "source", "pay_date", "record_date", "declared_date", "amount", "currency", "type"],
                  dividend_rows(), host, port)
    print(f"dividends: {n} rows in {time.time() - t:.1f}s", flush=True)

    etfs = [s[0] for s in securities if s[3] == "etf"]
    stocks = [s[0] for s in securities if s[3] in ("stock", "reit")]

    def etf_rows():
        for i, etf in enumerate(etfs):
            pick = random.Random(args.seed * 13 + i)
            members = pick.sample(stocks, min(50, len(stocks)))
            raw_weights = [pick.random() for _ in members]
            total = sum(raw_weights)
            for member, w in zip(members, raw_weights):
                yield (etf, END_DATE, member, "bench", f"{w / total:.6f}", pick.randrange(1000, 10_000_000), None)

    t = time.time()
    n = psql_copy(pdb, "income_ingestion", "raw.etf_holdings",
                  ["etf_symbol", "as_of", "holding_symbol", "source", "weight", "shares", "market_value"],
                  etf_rows(), host, port)
    print(f"etf_holdings: {n} rows in {time.time() - t:.1f}s", flush=True)

    month_ends = sorted({d for d in days if d.month != (d + dt.timedelta(days=3)).month or d == days[-1]})

    def short_rows():
        for i, symbol in enumerate(stocks):
            pick = random.Random(args.seed * 7 + i)
            level = pick.uniform(0.005, 0.15)
            for d in month_ends:
                level = min(0.6, max(0.0005, level * math.exp(pick.gauss(0, 0.15))))
                yield (symbol, d, "bench", f"{level:.5f}")

    t = time.time()
    n = psql_copy(pdb, "income_ingestion", "raw.short_positions", ["symbol", "date", "source", "short_position"],
                  short_rows(), host, port)
    print(f"short_positions: {n} rows in {time.time() - t:.1f}s", flush=True)

    if not args.skip_users:
        generate_users(args, size, days, stocks, etfs, closes, sdb, host, port)
    print(f"done in {time.time() - started:.0f}s", flush=True)


def generate_users(args, size, days, stocks, etfs, closes, sdb, host, port):
    """Users with one or two portfolios of 20 to 100 holdings: buys over time, some sells, fees."""
    namespace = uuid.UUID("6f0c1b9e-3c55-4d36-9d77-5b0e8f3a0b11")
    psql_exec(sdb, "income_dashboard",
              "DELETE FROM app.transactions WHERE created_by IN (SELECT user_id FROM app.portfolios WHERE name LIKE 'bench %');"
              "DELETE FROM app.profiles WHERE user_id IN (SELECT user_id FROM app.portfolios WHERE name LIKE 'bench %');"
              "DELETE FROM app.portfolios WHERE name LIKE 'bench %'", host, port)
    universe = stocks + etfs
    portfolios, transactions, profiles = [], [], []
    for u in range(size["users"]):
        pick = random.Random(args.seed * 3 + u)
        user_id = uuid.uuid5(namespace, f"user-{u}")
        profiles.append((user_id, "SPY", "0.15", '{"reit": 0.24}',
                         '[{"category": "housing", "monthlyAmount": 1800}, {"category": "food", "monthlyAmount": 600}]',
                         "0.04", '{"sector:Technology": 0.3}', "0.05"))
        for p in range(1 if pick.random() < 0.8 else 2):
            portfolio_id = uuid.uuid5(namespace, f"portfolio-{u}-{p}")
            portfolios.append((portfolio_id, user_id, f"bench {u}-{p}", "USD"))
            for symbol in pick.sample(universe, pick.randint(20, 100) if p == 0 else pick.randint(5, 30)):
                series = closes[symbol]
                held = 0
                for _ in range(pick.randint(1, 3)):
                    index = pick.randrange(len(days) - 21)  # every buy precedes any sell
                    shares = pick.randint(1, 200)
                    transactions.append((uuid.uuid5(namespace, f"tx-{u}-{p}-{symbol}-{len(transactions)}"), portfolio_id,
                                         user_id, "BUY", symbol, days[index], shares, f"{series[index]:.4f}",
                                         "0" if pick.random() < 0.7 else "1.00", user_id))
                    held += shares
                if pick.random() < 0.15:
                    index = len(days) - 1 - pick.randrange(min(20, len(days)))
                    transactions.append((uuid.uuid5(namespace, f"tx-{u}-{p}-{symbol}-{len(transactions)}"), portfolio_id,
                                         user_id, "SELL", symbol, days[index], max(1, held // 4), f"{series[index]:.4f}",
                                         "0", user_id))
    t = time.time()
    psql_copy(sdb, "income_dashboard", "app.portfolios", ["id", "user_id", "name", "currency"], portfolios, host, port)
    psql_copy(sdb, "income_dashboard", "app.profiles",
              ["user_id", "benchmark", "tax_rate", "asset_type_tax_rates", "expenses", "withdrawal_rate",
               "target_allocation", "rebalance_threshold"], profiles, host, port)
    n = psql_copy(sdb, "income_dashboard", "app.transactions",
                  ["id", "portfolio_id", "user_id", "type", "symbol", "trade_date", "shares", "price", "fee", "created_by"],
                  transactions, host, port)
    print(f"users: {size['users']}, portfolios: {len(portfolios)}, transactions: {n} in {time.time() - t:.1f}s", flush=True)


if __name__ == "__main__":
    main()
