from mlreprokit.ci_tags import ci_tags


def test_ci_tags_empty_outside_ci():
    assert ci_tags({"HOME": "/root"}) == {}


def test_ci_tags_github_pull_request():
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_RUN_ID": "42",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "team/model",
        "GITHUB_REF": "refs/pull/7/merge",
        "GITHUB_REF_NAME": "7/merge",
        "GITHUB_HEAD_REF": "better-features",
    }
    assert ci_tags(env) == {
        "ci.provider": "github",
        "ci.pipeline_id": "42",
        "ci.pipeline_url": "https://github.com/team/model/actions/runs/42",
        "ci.branch": "better-features",
        "ci.request": "7",
    }


def test_ci_tags_github_push_has_branch_and_no_request():
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main"}
    assert ci_tags(env) == {"ci.provider": "github", "ci.branch": "main"}


def test_ci_tags_gitlab_merge_request():
    env = {
        "GITLAB_CI": "true",
        "CI_PIPELINE_ID": "1001",
        "CI_PIPELINE_URL": "https://gitlab.example.com/team/model/-/pipelines/1001",
        "CI_COMMIT_REF_NAME": "better-features",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "better-features",
        "CI_MERGE_REQUEST_IID": "12",
    }
    assert ci_tags(env) == {
        "ci.provider": "gitlab",
        "ci.pipeline_id": "1001",
        "ci.pipeline_url": "https://gitlab.example.com/team/model/-/pipelines/1001",
        "ci.branch": "better-features",
        "ci.request": "12",
    }
