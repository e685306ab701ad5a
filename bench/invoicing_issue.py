"""Single invoice issue through the HTTP API: latency percentiles on SQLite and PostgreSQL.

Run: .venv/bin/python -m bench.invoicing_issue [--requests N] [--postgres URL]
Target (issue 3): p95 under 20 ms on SQLite on this 2-core machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.report import percentiles, publish
from bench.stack import running_app

INVOICE = {
    "kind": "digital_special",
    "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
    "lines": [
        {
            "name": "技术服务费",
            "quantity": "1",
            "unit_price": "10600",
            "tax_rate": "6%",
            "tax_included": True,
        }
    ],
}


def measure(database_url: str, var_dir: Path, requests: int) -> dict[str, float]:
    """Issue `requests` invoices one after another and return the latency percentiles."""
    with running_app(database_url, var_dir) as client:
        for _ in range(20):  # warm-up: connections, caches, JIT-free but still first-call costs
            client.post("/api/v1/invoices", json=INVOICE).raise_for_status()
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            client.post("/api/v1/invoices", json=INVOICE).raise_for_status()
            samples.append((time.perf_counter() - started) * 1000)
    return {"requests": requests, **percentiles(samples)}


def postgres_schema_url(base: str) -> str:
    """A fresh schema in `base` for this run, so figures start from an empty database."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(base).begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{base}?options=-csearch_path%3D{schema}"


def main() -> None:
    """Measure on SQLite, and on PostgreSQL when a URL is given."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--postgres", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as scratch:
        var_dir = Path(scratch)
        figures["sqlite"] = measure(f"sqlite:///{var_dir / 'bench.db'}", var_dir, args.requests)
        if args.postgres:
            figures["postgresql"] = measure(
                postgres_schema_url(args.postgres), var_dir, args.requests
            )
    publish("invoicing_issue", {"target": "p95 < 20 ms (SQLite)", **figures})


if __name__ == "__main__":
    main()
