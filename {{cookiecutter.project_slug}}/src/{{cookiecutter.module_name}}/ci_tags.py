"""Which CI run made a run: provider, pipeline, branch, pull/merge request (from CI variables)."""

import os
import re
from collections.abc import Mapping


def ci_tags(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Provider, pipeline id and URL, branch, request number (GitHub, GitLab); {} outside CI."""
    if env.get("GITHUB_ACTIONS") == "true":
        pull = re.fullmatch(r"refs/pull/(\d+)/merge", env.get("GITHUB_REF", ""))
        run_id = env.get("GITHUB_RUN_ID", "")
        repository = f"{env.get('GITHUB_SERVER_URL', '')}/{env.get('GITHUB_REPOSITORY', '')}"
        tags = {
            "provider": "github",
            "pipeline_id": run_id,
            "pipeline_url": f"{repository}/actions/runs/{run_id}" if run_id else "",
            "branch": env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME", ""),
            "request": pull.group(1) if pull else "",
        }
    elif env.get("GITLAB_CI") == "true":
        tags = {
            "provider": "gitlab",
            "pipeline_id": env.get("CI_PIPELINE_ID", ""),
            "pipeline_url": env.get("CI_PIPELINE_URL", ""),
            "branch": (
                env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME") or env.get("CI_COMMIT_REF_NAME", "")
            ),
            "request": env.get("CI_MERGE_REQUEST_IID", ""),
        }
    else:
        return {}
    return {key: value for key, value in tags.items() if value}
