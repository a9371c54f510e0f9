"""Which CI run made a run: provider, pipeline, branch, pull/merge request (from CI variables)."""

import os
import re
from collections.abc import Mapping


def ci_tags(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """`ci.*` tags: provider, pipeline id and URL, branch, request number; {} outside CI."""
    if env.get("GITHUB_ACTIONS") == "true":
        pull = re.fullmatch(r"refs/pull/(\d+)/merge", env.get("GITHUB_REF", ""))
        run_id = env.get("GITHUB_RUN_ID", "")
        repository = f"{env.get('GITHUB_SERVER_URL', '')}/{env.get('GITHUB_REPOSITORY', '')}"
        tags = {
            "ci.provider": "github",
            "ci.pipeline_id": run_id,
            "ci.pipeline_url": f"{repository}/actions/runs/{run_id}" if run_id else "",
            "ci.branch": env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME", ""),
            "ci.request": pull.group(1) if pull else "",
        }
    elif env.get("GITLAB_CI") == "true":
        tags = {
            "ci.provider": "gitlab",
            "ci.pipeline_id": env.get("CI_PIPELINE_ID", ""),
            "ci.pipeline_url": env.get("CI_PIPELINE_URL", ""),
            "ci.branch": (
                env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME") or env.get("CI_COMMIT_REF_NAME", "")
            ),
            "ci.request": env.get("CI_MERGE_REQUEST_IID", ""),
        }
    else:
        return {}
    return {key: value for key, value in tags.items() if value}
