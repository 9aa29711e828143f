"""results.py -- per-test outcomes of CPython regrtest runs (--junit-xml).

    results.py outcomes FILE.xml...          one "OUTCOME TEST-ID" line per test
    results.py diff BARE.xml SANDBOXED.xml   the tests whose "passed" differs

An outcome is passed, failed, error or skipped; a test id is regrtest's
(test.test_os.FileTests.test_access). A missing or unreadable file has no
tests at all: the module crashed, hung or was killed (the caller says so).
Run with the Python under test (only the standard library is used)."""
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    """{test id: outcome} of one junit file ({} when it is missing)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return {}
    result = {}
    for case in root.iter("testcase"):
        name = case.get("name")
        if name is None:
            continue          # regrtest writes an empty <testcase /> at times
        kinds = {child.tag for child in case}
        if "error" in kinds:
            result[name] = "error"
        elif "failure" in kinds:
            result[name] = "failed"
        elif "skipped" in kinds:
            result[name] = "skipped"
        else:
            result[name] = "passed"
    return result


def merged(paths):
    result = {}
    for path in paths:
        result.update(outcomes(path))
    return result


def main(argv):
    if len(argv) >= 2 and argv[0] == "outcomes":
        for name, outcome in sorted(merged(argv[1:]).items()):
            print(outcome, name)
        return 0
    if len(argv) == 3 and argv[0] == "diff":
        bare, boxed = outcomes(argv[1]), outcomes(argv[2])
        for name in sorted(set(bare) | set(boxed)):
            a, b = bare.get(name, "missing"), boxed.get(name, "missing")
            if (a == "passed") != (b == "passed"):
                print(f"{name} bare={a} sandboxed={b}")
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
