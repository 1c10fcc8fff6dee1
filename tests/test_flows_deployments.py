"""Deployments are declared once (flows/deployments.py) and load the way Prefect loads them."""

import importlib.util
import sys
from pathlib import Path

import yaml

from flows.deployments import DEPLOYMENTS, SCHEDULED, TIMEZONE
from flows.serve import runner_deployments

ROOT = Path(__file__).resolve().parent.parent


def test_prefect_yaml_declares_what_cocon_serves() -> None:
    declared = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    import prefect

    assert declared["prefect-version"] == prefect.__version__
    assert declared["pull"] == []  # module entrypoints: no deploy-time path on the workers
    found = {d["name"]: d for d in declared["deployments"]}
    assert list(found) == [d.name for d in DEPLOYMENTS]
    for expected in DEPLOYMENTS:
        entry = found[expected.name]
        assert entry["entrypoint"] == expected.entrypoint
        assert ".py" not in entry["entrypoint"]
        assert entry["description"] == expected.description
        assert entry["work_pool"]["name"] == "cocon"
        if expected.cron is None:
            assert not entry.get("schedules")
        else:
            assert entry["schedules"] == [{"cron": expected.cron, "timezone": TIMEZONE}]
        if expected.one_at_a_time:
            assert entry["concurrency_limit"] == {"limit": 1, "collision_strategy": "CANCEL_NEW"}
        else:
            assert "concurrency_limit" not in entry


def test_served_deployments_are_the_declared_ones(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from prefect.client.schemas.objects import ConcurrencyLimitStrategy
    from prefect.flows import load_flow_from_entrypoint

    monkeypatch.setenv("COCON_LIFECYCLE_SCHEDULE", "15")
    served = runner_deployments({"cocon-reminders": "*/5 * * * *"})
    assert [d.name for d in served] == [d.name for d in DEPLOYMENTS]
    by_name = {d.name: d for d in served}
    for declared in DEPLOYMENTS:
        deployment = by_name[declared.name]
        assert deployment.entrypoint == declared.entrypoint
        # the entrypoint loads the flow as a module, as a worker or a served run does
        assert load_flow_from_entrypoint(declared.entrypoint, use_placeholder_flow=False).name == declared.flow
        if declared.one_at_a_time:
            assert deployment.concurrency_limit == 1
            assert deployment.concurrency_options.collision_strategy == ConcurrencyLimitStrategy.CANCEL_NEW
    assert by_name["cocon-reminders"].schedules[0].schedule.cron == "*/5 * * * *"
    assert by_name["cocon-lifecycle"].schedules[0].schedule.interval.total_seconds() == 15
    assert by_name["cocon-evaluation"].schedules[0].schedule.cron == "0 7 * * *"
    assert by_name["cocon-evaluation"].schedules[0].schedule.timezone == TIMEZONE
    assert not by_name["cocon-reminders-shard"].schedules
    assert len(SCHEDULED) == 3


def test_no_flow_module_shadows_a_package() -> None:
    """Prefect puts a script entrypoint's folder first on sys.path: a flows/x.py named like a
    package (flows/evaluation.py once) then replaces it in every served or deployed run."""
    names = sorted(p.stem for p in (ROOT / "flows").glob("*.py") if p.stem != "__init__")
    assert "reminders" in names
    shadowing = []
    saved = list(sys.path)
    try:
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != (ROOT / "flows")]
        for name in names:
            if name in sys.stdlib_module_names or name in sys.modules or importlib.util.find_spec(name) is not None:
                shadowing.append(name)
    finally:
        sys.path[:] = saved
    assert shadowing == []
    # and the check does catch the old layout
    assert importlib.util.find_spec("evaluation") is not None
