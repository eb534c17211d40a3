"""The Spark session of the `spark`-marked tests (test_audit_spark.py, test_history_spark.py)."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="module")
def spark():
    """A local SparkSession tuned for small data: one core, one shuffle partition, no adaptive
    re-planning, no code generation, and the JVM's quick compiler only (its start is most of
    the cost). Skips, saying why, without Java."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java 17 or later: no java on PATH and no JAVA_HOME")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("clearance-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1").config("spark.sql.adaptive.enabled", "false")
               .config("spark.sql.codegen.wholeStage", "false").config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
               .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
