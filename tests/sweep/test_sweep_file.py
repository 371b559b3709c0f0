"""Sweep file parsing: the task list and every rule's error names file, key and rule."""

from pathlib import Path

import pytest

from bayes_walk.sweep.sweepfile import SweepError, load_sweep
from bayes_walk.sweep.tasks import build_tasks, simulated_cohort_id

BASE = """
[cohorts]
simulate = { n = 300, truth = "paper", seeds = [1, 2] }
[[variants]]
name = "main"
[[variants]]
name = "4+ valid days"
min_valid_days = 4
[[variants]]
name = "under 70"
exclude = { age = ">= 70" }
[models]
specs = ["linear", {spec = "rcs", label = "rcs4", set = {"sampler.draws" = 10}}]
[fit]
chains = 1
draws = 50
tune = 50
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.toml"
    p.write_text(text)
    return p


def _tasks(plan):
    ids = {c.label: simulated_cohort_id(c, "v") for c in plan.cohorts}
    return build_tasks(plan, ids, "v")


def test_plan_and_task_list(tmp_path):
    plan = load_sweep(_write(tmp_path, BASE))
    assert [v.name for v in plan.variants] == ["main", "4+ valid days", "under 70"]
    assert plan.variants[2].exclude == (("age", ">=", 70.0),)
    assert [s.label for s in plan.specs] == ["linear", "rcs4"]
    assert plan.specs[1].spec.sampler.draws == 10
    tasks = _tasks(plan)
    assert len(tasks) == 2 * 3 * 2  # cohorts x variants x specs
    assert len({t.key for t in tasks}) == len(tasks)
    # two seeds of one recipe share a structure, so the model is reused
    assert all(t.reuse for t in tasks)
    assert len({t.structure for t in tasks}) == 3 * 2


def test_reuse_models_false_makes_every_task_one_off(tmp_path):
    plan = load_sweep(_write(tmp_path, "reuse_models = false\n" + BASE))
    tasks = _tasks(plan)
    assert not any(t.reuse for t in tasks)
    # the key records the compiled path, so reused and one-off records never mix
    shared = {t.key for t in _tasks(load_sweep(_write(tmp_path, BASE)))}
    assert not shared & {t.key for t in tasks}
    with pytest.raises(SweepError, match=r"reuse_models.*true or false"):
        load_sweep(_write(tmp_path, 'reuse_models = "no"\n' + BASE))


def test_identity_is_stable_and_sensitive(tmp_path):
    p = _write(tmp_path, BASE)
    a = [t.key for t in _tasks(load_sweep(p))]
    assert a == [t.key for t in _tasks(load_sweep(p))]
    p.write_text(BASE.replace("draws = 50", "draws = 60"))
    b = [t.key for t in _tasks(load_sweep(p))]
    assert not set(a) & set(b)
    plan = load_sweep(p)
    other = build_tasks(plan, {c.label: simulated_cohort_id(c, "w") for c in plan.cohorts}, "w")
    assert not {t.key for t in other} & set(b)  # the package version is part of it


def test_several_simulation_recipes(tmp_path):
    text = BASE.replace(
        '[cohorts]\nsimulate = { n = 300, truth = "paper", seeds = [1, 2] }',
        '[[cohorts.simulate]]\nn = 300\ntruth = "linear"\nseeds = [1, 2]\n'
        '[[cohorts.simulate]]\nn = 500\ntruth = "plateau:100"\nseeds = [1]',
    )
    plan = load_sweep(_write(tmp_path, text))
    labels = [c.label for c in plan.cohorts]
    assert labels == ["sim-linear-n300-s1", "sim-linear-n300-s2", "sim-plateau100-n500-s1"]
    tasks = _tasks(plan)
    # the two linear seeds share a model; the plateau recipe has its own
    solo = [t for t in tasks if t.cohort.truth == "plateau:100"]
    assert solo and not any(t.reuse for t in solo)
    assert all(t.reuse for t in tasks if t.cohort.truth == "linear")
    with pytest.raises(SweepError, match=r"\[cohorts.simulate\[1\].n\]"):
        load_sweep(_write(tmp_path, text.replace("n = 500", "n = -1")))


def test_exposure_on_and_daily_series(tmp_path):
    """``exposure_on`` makes its own cohorts (label, identity); observed keeps the old
    identities; a measurement = "days" spec makes simulated cohorts keep their days."""
    old = _tasks(load_sweep(_write(tmp_path, BASE)))
    same = BASE.replace("seeds = [1, 2] }", 'seeds = [1, 2], exposure_on = "observed" }')
    assert [t.key for t in _tasks(load_sweep(_write(tmp_path, same)))] == [t.key for t in old]
    habit = BASE.replace("seeds = [1, 2] }", 'seeds = [1, 2], exposure_on = "habit" }')
    plan = load_sweep(_write(tmp_path, habit))
    assert [c.label for c in plan.cohorts] == ["sim-paper-habit-n300-s1", "sim-paper-habit-n300-s2"]
    assert all(c.exposure_on == "habit" and not c.daily for c in plan.cohorts)
    assert not {t.key for t in _tasks(plan)} & {t.key for t in old}
    days = habit.replace(
        'specs = ["linear",',
        'specs = [{spec = "gp", label = "gp_days", '
        'set = {"exposures.walking_min.measurement" = "days"}},',
    )
    assert all(c.daily for c in load_sweep(_write(tmp_path, days)).cohorts)


def test_keep_fits(tmp_path):
    assert load_sweep(_write(tmp_path, BASE)).keep_fits is True
    plan = load_sweep(_write(tmp_path, "keep_fits = false\n" + BASE))
    assert plan.keep_fits is False and not any(t.keep_fit for t in _tasks(plan))
    with pytest.raises(SweepError, match=r"\[keep_fits\] must be true or false"):
        load_sweep(_write(tmp_path, "keep_fits = 0\n" + BASE))


def test_replicates_get_seeds(tmp_path):
    plan = load_sweep(_write(tmp_path, "replicates = 3\n" + BASE))
    seeds = sorted({t.seed for t in _tasks(plan)})
    assert seeds == [0, 1, 2]


@pytest.mark.parametrize(
    "edit, key, rule",
    [
        (("min_valid_days = 4", "min_valid_days = 9"), "variants[1].min_valid_days", "at most 7"),
        (('age = ">= 70"', 'age = ">= old"'), "variants[2].exclude", "needs a number"),
        (("[fit]", "[fit]\nwarmup = 3"), "fit", "unknown key(s) warmup"),
        (("chains = 1", "chains = 0"), "fit.chains", "integer >= 1"),
        (('truth = "paper"', 'truth = "wiggly"'), "cohorts.simulate.truth", "wiggly"),
        (("seeds = [1, 2]", "seeds = [1, 1]"), "cohorts.simulate.seeds", "repeat"),
        (
            ("seeds = [1, 2]", 'seeds = [1], exposure_on = "habits"'),
            "cohorts.simulate.exposure_on",
            "must be one of observed, habit, habit_volume",
        ),
        (('name = "under 70"', 'name = "main"'), "variants", "repeat"),
        (("[fit]", "[estimands]\naveraged = 1\n[fit]"), "estimands.averaged", "true or false"),
    ],
)
def test_errors_name_file_key_and_rule(tmp_path, edit, key, rule):
    p = _write(tmp_path, BASE.replace(*edit))
    with pytest.raises(SweepError) as e:
        load_sweep(p)
    msg = str(e.value)
    assert str(p) in msg and f"[{key}]" in msg and rule in msg


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(SweepError, match="not found"):
        load_sweep(tmp_path / "nope.toml")
    with pytest.raises(SweepError, match="not valid TOML"):
        load_sweep(_write(tmp_path, "[cohorts\n"))
    with pytest.raises(SweepError, match="cohort file .* not found"):
        load_sweep(
            _write(
                tmp_path,
                BASE.replace(
                    'simulate = { n = 300, truth = "paper", seeds = [1, 2] }', 'files = ["c.nc"]'
                ),
            )
        )


def test_unloadable_spec_is_recorded_not_fatal(tmp_path):
    plan = load_sweep(_write(tmp_path, BASE.replace('specs = ["linear",', 'specs = ["linaer",')))
    bad = plan.specs[0]
    assert bad.spec is None and "linaer" in bad.error and "linear" in bad.error
    tasks = _tasks(plan)
    assert sum(t.spec is None for t in tasks) == 2 * 3
    assert not any(t.reuse for t in tasks if t.spec is None)


def test_worker_simulates_what_the_recipe_says():
    """The worker's cohort follows the source: exposure_on and the daily series."""
    from types import SimpleNamespace

    from bayes_walk.sweep.sweepfile import CohortSource
    from bayes_walk.sweep.worker import LRU, _base_cohort

    state = SimpleNamespace(cohorts=LRU(4))
    plain = CohortSource("a", "simulate", n=200, truth="paper", seed=3)
    habit = CohortSource(
        "b", "simulate", n=200, truth="paper", seed=3, exposure_on="habit", daily=True
    )
    a, b = _base_cohort(state, plain, None), _base_cohort(state, habit, None)
    assert "daily_walking_min" not in a and "daily_walking_min" in b
    assert (
        b.attrs["exposure_on"] == "habit" and a.attrs.get("exposure_on", "observed") == "observed"
    )
    # same people and exposures, another outcome model
    assert (a["walking_min"].values == b["walking_min"].values).all()


def test_averaged_changes_task_keys_only_when_on(tmp_path):
    keys = {}
    for label, extra in (("none", ""), ("off", "averaged = false"), ("on", "averaged = true")):
        plan = load_sweep(_write(tmp_path, BASE.replace("[fit]", f"[estimands]\n{extra}\n[fit]")))
        keys[label] = [t.key for t in _tasks(plan)]
        assert plan.estimands.get("averaged", False) is (label == "on")
    assert keys["none"] == keys["off"]  # older sweeps resume as they were
    assert not set(keys["on"]) & set(keys["none"])
