"""`bench/collector.py`: the gateway's cycle collections read from its `/metrics` text."""

from __future__ import annotations

import gc

from prometheus_client import REGISTRY, generate_latest

from bench.collector import during, parse_collections

EXPOSITION = """\
# HELP python_gc_collections_total Number of times this generation was collected
# TYPE python_gc_collections_total counter
python_gc_collections_total{generation="0"} 12.0
python_gc_collections_total{generation="1"} 3.0
python_gc_collections_total{generation="2"} 1.0
# HELP python_gc_objects_collected_total Objects collected during gc
python_gc_objects_collected_total{generation="0"} 161830.0
"""


def test_the_collections_by_generation_are_read_from_the_exposition() -> None:
    assert parse_collections(EXPOSITION) == (12, 3, 1)


def test_a_text_without_them_reports_none() -> None:
    assert parse_collections("# nothing here\nhttp_requests_total 5.0\n") is None


def test_prometheus_clients_own_exposition_is_understood() -> None:
    before = parse_collections(generate_latest(REGISTRY).decode())
    gc.collect()
    after = parse_collections(generate_latest(REGISTRY).decode())
    assert before is not None
    assert after is not None
    assert after[2] > before[2]  # gc.collect() collects the oldest generation


def test_the_window_is_the_difference_and_none_when_either_end_is_missing() -> None:
    assert during((12, 3, 1), (15, 3, 2)) == (3, 0, 1)
    assert during(None, (15, 3, 2)) is None
    assert during((12, 3, 1), None) is None
