"""The hyperparameter search behind `tune`, whichever tracker logs it: an Optuna study.

Every trial's model and folds take the configured seed, so only hyperparameters differ; the
sampler (TPE) is seeded too, so a sequential study on the same data proposes the same trials.
Workers (`--workers N`, processes sharing the study's storage) split the trials; which worker
sees which result first varies, so a parallel study is not reproducible trial for trial.
The test split is never looked at: trials are cross-validated on the train split.
"""

import dataclasses
import multiprocessing
import secrets
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, cast

import optuna
import pandas as pd
from optuna.storages.journal import JournalFileBackend, JournalStorage
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

from .config import as_mapping, parse
from .metrics import check_name, scorer
from .paths import SCHEMA, TRAIN_DATA
from .project import load_pipeline
from .schema import Schema, load_schema, model_inputs, read_split
from .seed import seed_everything
from .tune_config import ParamSpace, TuneConfig

JOURNALS = Path(".optuna")  # the journal files `--workers` share: git-ignored
SPACE = "tracking.tune.space."


@dataclasses.dataclass(frozen=True)
class Trial:
    """A finished trial of this search: its number, model section and score."""

    number: int
    model: Any
    score: float


@dataclasses.dataclass(frozen=True)
class Study:
    """Where a study lives: `url` (a database, `--storage`), else a journal file, else memory."""

    name: str
    url: str | None = None
    journal: Path | None = None

    def storage(self) -> optuna.storages.BaseStorage | str | None:
        if self.url is not None:
            return self.url
        if self.journal is not None:
            return JournalStorage(JournalFileBackend(str(self.journal)))
        return None

    def load(self, seed: int) -> optuna.Study:
        """The study (created unless it exists), its TPE sampler seeded with `seed`."""
        return optuna.create_study(
            storage=self.storage(),
            sampler=optuna.samplers.TPESampler(seed=seed % 2**32),
            study_name=self.name,
            direction="maximize",  # scikit-learn's scorers: greater is better
            load_if_exists=True,
        )


@dataclasses.dataclass(frozen=True)
class Job:
    """One worker's share of the study (picklable, for a worker process)."""

    config: Any
    root: Path
    study: Study
    trials: int
    worker: int  # 0 to N - 1: the sampler's seed is the configured seed plus this
    session: str  # marks this search's trials in a study that may hold earlier ones


def check_metric(metric: str, schema: Schema) -> None:
    """tracking.tune.metric must name a metric of the project's table for the schema's task."""
    check_name(load_pipeline().metrics, schema.task, metric, "tracking.tune.metric")


def with_params(model: Any, params: dict[str, object]) -> Any:
    """`model` (the `model:` section) with `params` changed, validated as params.yaml is."""
    return parse(load_pipeline().model_config, {**as_mapping(model), **params}, SPACE)


def check_space(tune: TuneConfig, model: Any) -> None:
    """Every hyperparameter of the space must be one the configured model takes, at each bound
    and choice (the model section validates it, as it does params.yaml's `model:`)."""
    for name, spec in tune.space.items():
        for value in spec.examples():
            with_params(model, {name: value})


def suggest(trial: optuna.Trial, space: dict[str, ParamSpace]) -> dict[str, object]:
    """The trial's hyperparameters, one per entry of the space."""
    params: dict[str, object] = {}
    for name, spec in space.items():
        low, high = spec.low, spec.high
        if spec.choices is not None:
            choices = cast(Sequence[None | bool | int | float | str], spec.choices)
            params[name] = trial.suggest_categorical(name, choices)
        elif spec.integer:
            assert isinstance(low, int) and isinstance(high, int)  # noqa: S101 - narrows the type
            params[name] = trial.suggest_int(name, low, high, log=spec.log)
        else:
            assert low is not None and high is not None  # noqa: S101 - checked by ParamSpace
            params[name] = trial.suggest_float(name, float(low), float(high), log=spec.log)
    return params


def cross_validate(config: Any, tune: TuneConfig, schema: Schema, train: pd.DataFrame) -> float:
    """Mean score of `tune.metric` over folds of the train split: stratified for classification
    (every fold keeps the class shares), plain shuffled folds for regression. Greater is
    better, as for scikit-learn's scorers: a loss comes back negated."""
    splitter = StratifiedKFold if schema.task == "classification" else KFold
    folds = splitter(n_splits=tune.folds, shuffle=True, random_state=config.seed)
    inputs = model_inputs(train, schema)
    scores = cross_val_score(
        load_pipeline().build_model(config, schema, inputs),
        inputs,
        train[schema.target],
        cv=folds,
        scoring=scorer(load_pipeline().metrics[tune.metric]),
    )
    return float(scores.mean())


def model_params(model: Any) -> dict[str, object]:
    """A trial's hyperparameters as `model.<name>` params, as the pipeline's runs log them."""
    return {f"model.{key}": value for key, value in as_mapping(model).items()}


def objective(job: Job) -> Callable[[optuna.Trial], float]:
    """Score one trial: its model cross-validated on the train split; print a line."""
    config, tune = job.config, job.config.tracking.tune
    schema = load_schema(job.root / SCHEMA)
    train = read_split(job.root / TRAIN_DATA, schema)

    def score(trial: optuna.Trial) -> float:
        trial.set_user_attr("session", job.session)
        params = suggest(trial, tune.space)
        model = with_params(config.model, params)
        value = cross_validate(dataclasses.replace(config, model=model), tune, schema, train)
        shown = {f"model.{name}": params[name] for name in params}
        print(f"trial {trial.number}: {shown} cv_{tune.metric} {value:.4f}", flush=True)
        return value

    return score


def work(job: Job) -> None:
    """Run `job.trials` trials of the study (in this process, or a worker process)."""
    quiet()
    seed_everything(job.config.seed)
    study = job.study.load(job.config.seed + job.worker)
    study.optimize(objective(job), n_trials=job.trials)


def quiet() -> None:
    """The trial lines are ours: Optuna's own log and its experimental-API warnings go."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def shares(trials: int, workers: int) -> list[int]:
    """`trials` split between at most `workers` workers, as evenly as can be."""
    count = min(trials, workers)
    return [trials // count + (index < trials % count) for index in range(count)]


def place(name: str, root: Path, workers: int, url: str | None, session: str) -> Study:
    """A database (`url`); a fresh journal file in .optuna/ for several workers; else memory."""
    if url is not None:
        return Study(name, url=url)
    if workers == 1:
        return Study(name)
    (root / JOURNALS).mkdir(exist_ok=True)
    return Study(name, journal=root / JOURNALS / f"tune-{session}.log")


def search(
    config: Any, root: Path, name: str, workers: int = 1, url: str | None = None
) -> list[Trial]:
    """Run the study of `tracking.tune` on the train split (already written); return this
    search's finished trials in order. This process is worker 0; the others are started."""
    quiet()
    session = secrets.token_hex(4)
    study = place(name, root, workers, url, session)
    jobs = [
        Job(config, root, study, trials, index, session)
        for index, trials in enumerate(shares(config.tracking.tune.trials, workers))
    ]
    loaded = study.load(config.seed)  # creates it, before any worker loads it
    if len(jobs) == 1:
        loaded.optimize(objective(jobs[0]), n_trials=jobs[0].trials)
        return finished(loaded, config.model, session)
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no forked state
    with ProcessPoolExecutor(len(jobs) - 1, mp_context=spawn) as pool:
        others = [pool.submit(work, job) for job in jobs[1:]]
        loaded.optimize(objective(jobs[0]), n_trials=jobs[0].trials)  # this process: worker 0
        for done in others:
            done.result()  # a worker's error is raised here
    return finished(loaded, config.model, session)


def finished(study: optuna.Study, model: Any, session: str) -> list[Trial]:
    """The complete trials of `session`, in order of their numbers."""
    states = (optuna.trial.TrialState.COMPLETE,)
    return [
        Trial(trial.number, with_params(model, trial.params), cast(float, trial.value))
        for trial in sorted(study.get_trials(states=states), key=lambda trial: trial.number)
        if trial.user_attrs.get("session") == session
    ]


def best(trials: list[Trial]) -> Trial:
    """The trial of the highest score (the first of equal scores)."""
    return max(trials, key=lambda trial: (trial.score, -trial.number))
