"""Pull the Hub's model and dataset listings into a Parquet snapshot, resumably (issue 14).

    from clearance.hubpull import pull
    report = pull(Path("hub.parquet"), kind="both", resume=True, progress=print)

See core.py for what is asked and how a pull resumes and updates.
"""

from clearance.hubpull.client import PullError, Retry
from clearance.hubpull.core import PullProgress, PullReport, pull
from clearance.hubpull.records import SCHEMA

__all__ = ["PullError", "PullProgress", "PullReport", "Retry", "SCHEMA", "pull"]
