"""The scrape job a generated scrape config gives Triton, so that the rules and autoscalers select it.

The profile's ``job`` is a regex (``job=~"<job>"`` in every rule); a scrape config needs one literal job
name. A plain name (no regex operator) is both; a regex is accepted where a name it matches is known.

    literal_job("triton-prod")                       # 'triton-prod'
    scrape_job_name("triton|triton-canary")          # 'triton': the default name, and the regex matches it
    scrape_job_name("prod-.*")                       # InvalidValue: give a literal name
"""

from __future__ import annotations

import re

from .. import validate

__all__ = ["DEFAULT_SCRAPE_JOB", "REGEX_OPERATORS", "is_literal_job", "literal_job", "scrape_job_name"]

#: The job name the compose stack's prometheus.yml gives Triton when the profile's job allows it.
DEFAULT_SCRAPE_JOB = "triton"
#: Characters that make a job a regex rather than a name; ``.`` is left out: as a regex it matches itself.
REGEX_OPERATORS = frozenset("\\^$*+?()[]{}|")


def is_literal_job(job: str) -> bool:
    """Whether ``job`` is a plain label value: ``job=~"<job>"`` then selects exactly the job named ``job``."""
    return bool(job) and not REGEX_OPERATORS.intersection(job)


def literal_job(job: str, what: str) -> str:
    """``job`` itself when it is a plain name; else a one-line error asking ``what`` for a literal name."""
    validate.no_control_characters(job, "job")
    if not is_literal_job(job):
        raise validate.InvalidValue(f"job={job!r} is a regex; {what} needs the literal job name the rules "
                                    f"select (e.g. job = \"triton-prod\" in the profile, or --job NAME)")
    return job


def scrape_job_name(job: str, default: str = DEFAULT_SCRAPE_JOB, key: str = "job") -> str:
    """The scrape job name for a profile job: the job itself when plain, else ``default`` if the regex matches it.

    ``key`` names the profile key in the message (``job``, or ``probe_job`` for the health probes' job).
    """
    if is_literal_job(job):
        return job
    try:
        matches = re.fullmatch(job, default) is not None
    except re.error:
        matches = False
    if not matches:
        raise validate.InvalidValue(
            f"{key}={job!r} is a regex that does not match the stack's scrape job {default!r}: set {key} "
            f"to a literal name (e.g. {key} = \"{default}-prod\") so prometheus.yml scrapes under it")
    return default
