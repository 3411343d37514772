#!/usr/bin/env python3
"""Renders the conformance charts and the render goldens with the Helm 4 engine and reports
where Helm 4 prints something else than Helm 3.17.2 (the recorded expectations).

The Helm 4 engine comes from the PyPI package helm-python-sdk (a C library over Helm's Go SDK,
no helm binary). Set it up once, outside the repository:

    python3 -m venv /tmp/helm4 && /tmp/helm4/bin/pip install helm-python-sdk==0.2.2
    /tmp/helm4/bin/python scripts/helm4-compare.py            # writes testdata/conformance/reports/helm4.md
    DRIFTGATE_BLESS=1 cargo test --test conformance           # copies it into docs/conformance.md

The SDK renders templates only: it returns each template's text, it takes no kube version
(`.Capabilities` is the SDK's default) and it does not sort or split manifests. So for `file`
cases and render goldens this script splits each template's output into documents the way
`helm template` does and compares documents per template file, not the printed order.
"""

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REPORT = REPO / "testdata/conformance/reports/helm4.md"

try:
    import helm_python as helm
except ImportError:
    sys.exit("helm4-compare: the helm-python-sdk package is needed (see the top of this script)")


def emit_charts(out: Path) -> dict:
    """Writes the conformance charts exactly as tests/conformance.rs renders them."""
    env = dict(os.environ, DRIFTGATE_CONFORMANCE_OUT=str(out), RUST_BACKTRACE="0")
    subprocess.run(
        ["cargo", "test", "--quiet", "--test", "conformance", "--", "--ignored", "--exact", "emit_charts"],
        cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL,
    )
    return json.loads((out / "cases.json").read_text())


SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")


def documents(text: str) -> list:
    """A template's output split into documents as Helm's SplitManifests does (trimmed, empty ones dropped)."""
    return [d.strip() for d in SEPARATOR.split(text) if d.strip()]


def render(chart_dir: Path, values, release: str, namespace: str):
    try:
        return helm.Chart.load(str(chart_dir)).render(values, name=release, namespace=namespace), None
    except Exception as e:  # the SDK raises HelmRenderError and friends; report any failure
        return None, str(e)


def case_output(case: dict, rendered: dict):
    text = rendered.get(f"conformance/templates/{case['file']}")
    if text is None:
        return None
    if case["mode"] == "include":
        line = next((l for l in text.splitlines() if l.startswith("out:")), None)
        if line is None:
            return None
        return base64.b64decode(line[4:].strip()).decode("utf-8", "replace")
    return "\n---\n".join(documents(text))


def compare_conformance(meta: dict, charts: Path) -> list:
    """Every case as (family, name, mode, helm 3.17 expectation, helm 4 result, same?)."""
    results = []
    by_chart = {}
    for case in meta["cases"]:
        by_chart.setdefault(case["chart"], []).append(case)
    for chart, cases in sorted(by_chart.items()):
        rendered, error = render(charts / chart, None, meta["release"], meta["namespace"])
        for case in cases:
            want = case["expect"]
            if case["mode"] == "error":
                got = f"error: {error}" if error is not None else "(rendered)"
                same = error is not None and error == want
                want = f"error: {want}"
            elif error is not None:
                got, same = f"error: {error}", False
            else:
                got = case_output(case, rendered)
                if case.get("shape"):
                    same = got is not None and re.fullmatch(f"(?s:{case['shape']})", got) is not None
                else:
                    same = got == want
            results.append((case["family"], case["name"], case["mode"], want, got, same))
    return results


def merge_values(base: dict, override: dict) -> dict:
    """Helm's merge of -f files: maps merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_values(out[key], value)
        else:
            out[key] = value
    return out


def case_yaml(path: Path) -> dict:
    """The few fields of testdata/render/*/case.yaml (Helm's own parser reads it)."""
    return helm.values_from_yaml(path.read_text())


def expected_by_source(text: str) -> dict:
    docs = {}
    for block in re.split(r"^---\n", text, flags=re.M):
        m = re.match(r"# Source: ([^\n]+)\n?", block)
        if not m:
            continue
        docs.setdefault(m.group(1), []).append(block[m.end():].strip())
    return {k: sorted(v) for k, v in docs.items()}


def compare_goldens() -> list:
    """Every render golden as (case, verdict)."""
    results = []
    for case_dir in sorted((REPO / "testdata/render").iterdir()):
        if not (case_dir / "case.yaml").is_file() or case_dir.name.startswith("static-"):
            continue
        spec = case_yaml(case_dir / "case.yaml")
        values, error, rendered = {}, None, None
        try:
            for f in spec.get("values") or []:
                values = merge_values(values, helm.values_from_yaml((case_dir / f).read_text()) or {})
        except Exception as e:  # an override file that is not YAML: Helm fails before rendering
            error = str(e)
        if error is None:
            rendered, error = render(case_dir / spec.get("chart", "chart"), values, spec["release"], spec["namespace"])
        if (case_dir / "expected-error.txt").is_file():
            verdict = "fails in both" if error is not None else "helm 4 renders where helm 3.17 fails"
            results.append((case_dir.name, verdict, error is not None))
            continue
        if error is not None:
            results.append((case_dir.name, f"helm 4 fails: {error}", False))
            continue
        want = expected_by_source((case_dir / "expected.yaml").read_text())
        got = {}
        for name, text in rendered.items():
            base = name.rsplit("/", 1)[-1]
            if base == "NOTES.txt" or base.startswith("_"):
                continue
            docs = documents(text)
            if docs:
                got[name] = sorted(docs)
        if want == got:
            results.append((case_dir.name, "same documents", True))
        else:
            files = sorted(set(want) | set(got))
            diff = [f for f in files if want.get(f) != got.get(f)]
            first = diff[0]
            a, b = around_difference("\n---\n".join(want.get(first, [])), "\n---\n".join(got.get(first, [])))
            results.append((case_dir.name, "differs in " + ", ".join(f"`{d}`" for d in diff)
                            + f"; first: Helm 3.17.2 {cell(a)}, Helm 4 {cell(b)}", False))
    return results


def around_difference(want, got):
    """The two texts cut to the neighbourhood of their first difference."""
    if want is None or got is None:
        return want, got
    i = next((k for k, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
    start = max(0, i - 30)
    clip = lambda t: ("…" if start else "") + t[start:i + 70] + ("…" if len(t) > i + 70 else "")
    return clip(want), clip(got)


# What the differences seen so far come from (summarised from this script's output; a note is
# shown only while its case still differs).
NULLS = "Helm 4 drops `null` entries of the chart's values.yaml"
CHART_MAP = "`.Chart` is a map in Helm 4 (lower-case keys resolve, maintainers print as maps)"
ERRORS = "Helm 4 formats execution errors over several lines (`file:line:col` then `executing ...`)"
NOTES = {
    "actions/range-int": "Helm 4 is built with Go 1.22+, whose templates range over integers",
    "builtins/eq-int-float": "Go's newer `eq`/`lt` errors name the two types",
    "builtins/lt-incompatible": "Go's newer `eq`/`lt` errors name the two types",
    "builtins/lt-value-number": "Go's newer `eq`/`lt` errors name the two types",
    "builtins/wrong-arg-count": ERRORS,
    "helm/include-undefined": ERRORS,
    "helm/template-action-undefined": ERRORS,
    "missing/field-on-list": ERRORS,
    "missing/field-on-string": ERRORS,
    "missing/missing-nested-deep": ERRORS,
    "missing/missing-nested-of-missing": ERRORS,
    "helm/to-yaml": NULLS,
    "helm/to-yaml-nindent": NULLS,
    "helm/to-json": NULLS,
    "helm/to-yaml-pretty": NULLS,
    "sprig-dicts/has-key": NULLS,
    "sprig-dicts/pick-omit": NULLS,
    "sprig-dicts/deep-copy": NULLS,
    "sprig-dicts/values-dict-print": NULLS,
    "values-scalars": NULLS,
    "helm/must-to-yaml": "Helm 4 adds `mustToYaml`",
    "objects/chart-lowercase": CHART_MAP,
    "objects/chart-maintainer-lowercase": CHART_MAP,
    "objects/chart-maintainer-print": CHART_MAP,
    "objects/chart-object-print": CHART_MAP,
    "objects/chart-print": CHART_MAP,
    "objects/capabilities-print": "the capabilities types moved to Helm's `common` package",
    "objects/capabilities-kube": "the SDK renders for its default kube version",
    "actions/method-pipe": "the SDK renders for its default kube version",
    "printf/verb-v-nested": NULLS,
    "objects/capabilities-helm": "the SDK reports its own Helm and Go versions",
    "capabilities-old-kube": "the SDK renders for its default kube version",
    "release-chart-capabilities": "the SDK renders for its default kube version",
    "sprig-misc/semver-error": "Masterminds/semver's newer error text is lower-case",
    "error-manifest-invalid-yaml": "the SDK's render does not parse the manifests (`helm template` does)",
    "empty-output": "not the engine: this script cannot tell the lone `---` document helm template prints here from a separator",
}


def kind_of(family: str, name: str, want: str, got) -> str:
    """A rough classification of one difference, for the summary."""
    if name.startswith("capabilities-"):
        return "capabilities (the SDK's defaults)"
    if want.startswith("error: ") and got == "(rendered)":
        return "Helm 4 renders where 3.17 fails"
    if want.startswith("error: ") and str(got).startswith("error: "):
        return "error text changed"
    if str(got).startswith("error: "):
        return "Helm 4 fails where 3.17 renders"
    return "output changed"


def cell(text) -> str:
    if text is None:
        return "(no output)"
    text = str(text).replace("\n", "⏎")
    if len(text) > 160:
        text = text[:160] + "…"
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        charts = Path(tmp)
        meta = emit_charts(charts)
        conformance = compare_conformance(meta, charts)
    goldens = compare_goldens()

    same = sum(1 for r in conformance if r[5])
    lines = [
        f"Helm 4 engine: helm-python-sdk {helm.__version__} (Helm SDK {helm.helm_sdk_version()}), "
        "run by `scripts/helm4-compare.py`.",
        "",
        f"Conformance cases: {same} of {len(conformance)} print the same in Helm 4 as in Helm 3.17.2 "
        "(shape cases: both match the pattern). The SDK cannot set the kube version, so "
        "`.Capabilities` cases show its default cluster version.",
        "",
    ]
    differ = [r for r in conformance if not r[5]]
    if differ:
        kinds = {}
        for family, name, _mode, want, got, _ in differ:
            kinds[kind_of(family, name, want, got)] = kinds.get(kind_of(family, name, want, got), 0) + 1
        lines += [f"- {k}: {n}" for k, n in sorted(kinds.items())] + [""]
        lines += ["| case | kind | why | Helm 3.17.2 | Helm 4 |", "|---|---|---|---|---|"]
        for family, name, _mode, want, got, _ in differ:
            kind = kind_of(family, name, want, got)
            why = NOTES.get(f"{family}/{name}", "")
            if not why and re.match(r"error: \S+:\d+:\d+\n  executing", str(got)):
                why = ERRORS
            want, got = around_difference(want, got)
            lines.append(f"| `{family}/{name}` | {kind} | {why} | {cell(want)} | {cell(got)} |")
        lines.append("")
    g_same = sum(1 for r in goldens if r[2])
    lines += [
        f"Render goldens (`testdata/render/`, documents compared per template file): {g_same} of "
        f"{len(goldens)} give the same documents in Helm 4. The `static-*` goldens are left out: they "
        "test how `helm template` splits, sorts and filters manifests, which the SDK's render does not do.",
        "",
    ]
    g_differ = [r for r in goldens if not r[2]]
    if g_differ:
        lines += ["| golden | why | Helm 4 |", "|---|---|---|"]
        for name, verdict, _ in g_differ:
            shown = cell(verdict) if verdict.startswith("helm 4 fails") else verdict
            lines.append(f"| `{name}` | {NOTES.get(name, '')} | {shown} |")
        lines.append("")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines).rstrip() + "\n")
    print(f"{same}/{len(conformance)} conformance cases and {g_same}/{len(goldens)} goldens match; wrote {REPORT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
