"""encord-meta on Airflow: one nightly import spread over N workers, then one merged summary.

    import_shard (mapped N times over the shard indexes, in the pool "encord_meta")  -->  merge

Each mapped task runs `encord-meta import FILE --dataset HASH --shard I/N`: worker I takes only the rows
whose storage item hashes to shard I (README, "Many workers"), so the N tasks write disjoint sets of items,
each with its own report, summary and undo journal (`.shard-I-of-N` is added to those paths). The merge
task runs `encord-meta summary merge` over the N summaries; it fails when a worker failed, with the
worst exit code of the workers (1 over 130 over 3 over 0).

Setup (Airflow 2.4+ or 3; encord-meta installed on the workers, `npm install --global encord-meta`):

    airflow pools set encord_meta 4 "encord-meta: one Encord credential, one rate limit"
    airflow variables set encord_meta_dataset 4f1c2a8e-9b3d-4c6f-8e1a-7d5b3c9f02e2
    # on every worker: the key file (chmod 600, owned by the worker's user) and these variables
    ENCORD_SSH_KEY_FILE=/home/airflow/.ssh/encord-etl
    ENCORD_META_RUNS=/shared/encord-meta/runs     # storage every worker and the merge task can read

The pool bounds how many shards run at once across all DAG runs: one credential has one rate limit, and
each worker adapts to Encord's 429s on its own. More shards than pool slots is fine (they queue). The
import is resumable, so a retried shard finishes what a killed one started; exit 2 (usage) and 3 (rows
failed: see that shard's report) are not retried, since retrying cannot change them.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pendulum

try:  # Airflow 3
    from airflow.sdk import Variable, dag, get_current_context, task
except ImportError:  # Airflow 2.4+
    from airflow.decorators import dag, task
    from airflow.models import Variable
    from airflow.operators.python import get_current_context
from airflow.exceptions import AirflowFailException

SHARDS = 4  # N: the number of workers; the merge expects exactly this many summaries
POOL = "encord_meta"
ENCORD_META = os.environ.get("ENCORD_META", "encord-meta")  # e.g. "node /opt/encord-meta/dist/cli/main.js"
DATA_FILE = "/shared/exports/metadata-latest.parquet"  # every worker reads the whole file, keeps its rows
RUNS = Path(os.environ.get("ENCORD_META_RUNS", "/shared/encord-meta/runs"))

# encord-meta's exit codes (README, "Exit codes"): what each one means for Airflow.
NO_RETRY = {2: "usage or configuration error, nothing written", 3: "finished, some rows failed (see the report)"}


def run_dir() -> Path:
    """One directory per DAG run, shared by its shards and its merge task."""
    run_id = get_current_context()["run_id"]
    return RUNS / re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)


def encord_meta(*args: str) -> int:
    """Run encord-meta with the worker's environment (credentials come from ENCORD_SSH_KEY_FILE)."""
    command = [*ENCORD_META.split(), *args]
    print("running:", " ".join(command), flush=True)
    # Captured and printed, so the output lands in the task log (Airflow redirects sys.stdout, not fd 1).
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    print(done.stdout, done.stderr, sep="\n", flush=True)
    return done.returncode


@dag(
    schedule="30 2 * * *",
    start_date=pendulum.datetime(2026, 12, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # two nights at once would compete for the same items and the same rate limit
    tags=["encord-meta"],
)
def encord_meta_sharded_import():
    @task(pool=POOL, retries=2, retry_delay=pendulum.duration(minutes=5))
    def import_shard(shard: int) -> str:
        out = run_dir()
        code = encord_meta(
            "import", DATA_FILE,
            "--dataset", Variable.get("encord_meta_dataset"),
            "--shard", f"{shard}/{SHARDS}",
            "--report", str(out / "report.csv"),  # → report.shard-I-of-N.csv
            "--summary", str(out / "summary.json"),  # → summary.shard-I-of-N.json
            "--journal", str(out / "journal.jsonl"),  # → journal.shard-I-of-N.jsonl
            "--no-progress",
        )
        if code in NO_RETRY:
            raise AirflowFailException(f"shard {shard}/{SHARDS}: exit {code}: {NO_RETRY[code]}")
        if code != 0:
            # 1 (fatal, e.g. Encord unreachable) or 130 (interrupted): a retry resumes.
            raise RuntimeError(f"shard {shard}/{SHARDS}: exit {code}; retrying resumes the import")
        return str(out / f"summary.shard-{shard}-of-{SHARDS}.json")

    @task(trigger_rule="all_done")  # also after failed shards: their summaries say what failed
    def merge() -> None:
        out = run_dir()
        summaries = sorted(str(p) for p in out.glob(f"summary.shard-*-of-{SHARDS}.json"))
        code = encord_meta("summary", "merge", "--out", str(out / "summary.merged.json"), *summaries)
        if code != 0:
            raise AirflowFailException(
                f"summary merge: exit {code} (2: a shard's summary is missing, its worker stopped early; "
                f"3: rows failed; 1 or 130: a worker did not finish). Merged summary: {out / 'summary.merged.json'}"
            )

    import_shard.expand(shard=list(range(SHARDS))) >> merge()


encord_meta_sharded_import()
