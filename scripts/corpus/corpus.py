#!/usr/bin/env python3
"""Corpus of public charts: import them from local git mirrors, render them with helm, compare with driftgate.

    corpus.py import [ID...]    export each chart of charts.tsv at its pinned commit, vendor its
                                dependencies, write one values file per environment and the output of
                                helm v3.17.2 and v4.1.4
    corpus.py compare [ID...]   render every environment with driftgate (--helm 3 and --helm 4) and compare
                                with each helm's output; without IDs, also write the reports
                                testdata/conformance/reports/corpus.md and corpus-helm4.md

Nothing here touches the network: charts come from bare git mirrors under $DRIFTGATE_MIRRORS
(default /work/.mirror, one <owner>+<name>/repo per repository), helm is the binary that
scripts/helm-oracle.sh prints ($HELM overrides it; `helm-oracle.sh 4` and $HELM4 for helm
v4.1.4), and everything is written under $DRIFTGATE_CORPUS_CACHE (default target/corpus,
git-ignored with target/): per chart ID, chart/ (the chart with its dependencies vendored),
values/ENV.yaml, driftgate.yaml, vendor.tsv, helm/ENV.{out,err,rc} (ENV.out2 when a second helm
run printed something else; helm4/ the same for helm v4.1.4) and, after compare,
driftgate/ENV.{out,err,rc,diff} and status.tsv (driftgate4/, status4.tsv for --helm 4).
Needs python 3.11 with PyYAML.
"""
import concurrent.futures as cf
import difflib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MIRRORS = Path(os.environ.get("DRIFTGATE_MIRRORS", "/work/.mirror"))
CACHE = Path(os.environ.get("DRIFTGATE_CORPUS_CACHE", ROOT / "target" / "corpus"))
JOBS = int(os.environ.get("JOBS", os.cpu_count() or 2))
RELEASE_NAMESPACE = "default"
KUBE_VERSION = "1.33"

# Chart repositories named in Chart.yaml dependencies, and the GitHub repositories whose
# in-tree charts they publish (searched after the chart's own repository).
PUBLISHERS = {
    "bitnamicharts": ["bitnami/charts"],
    "charts.bitnami.com": ["bitnami/charts"],
    "prometheus-community.github.io": ["prometheus-community/helm-charts"],
    "grafana.github.io": ["grafana-community/helm-charts", "grafana/helm-charts"],
    "grafana-community.github.io": ["grafana-community/helm-charts"],
    "argoproj.github.io": ["argoproj/argo-helm"],
    "open-telemetry.github.io": ["open-telemetry/opentelemetry-helm-charts"],
    "helm.datadoghq.com": ["DataDog/helm-charts"],
    "kedacore.github.io": ["kedacore/charts"],
    "helm.elastic.co": ["elastic/helm-charts"],
    "charts.jetstack.io": ["cert-manager/cert-manager"],
    "charts.min.io": ["minio/minio"],
    "helm.min.io": ["minio/minio"],
    "dandydeveloper.github.io": ["DandyDeveloper/charts"],
    "kyverno.github.io/reports-server": ["kyverno/reports-server"],
    "openreports.github.io": ["openreports/reports-api"],
    "ghcr.io/external-secrets": ["external-secrets/bitwarden-sdk-server"],
}

def read_tsv():
    rows = []
    for line in (HERE / "charts.tsv").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        repo, commit, path, cid, envs = line.split("\t")
        rows.append({"repo": repo, "commit": commit, "path": path, "id": cid, "envs": envs.split()})
    return rows


def mirror(repo):
    base = MIRRORS / repo.replace("/", "+")
    return base / "repo" if (base / "repo").is_dir() else base


def git(repo, *args, binary=False):
    out = subprocess.run(["git", "--git-dir", str(mirror(repo)), *args], capture_output=True, check=True)
    return out.stdout if binary else out.stdout.decode()


def export(repo, commit, path, dest):
    """Write the tree `path` of `commit` to the directory `dest` (like git archive | tar -x)."""
    path = os.path.normpath(path)
    args = ["archive", "--format=tar", commit] + ([] if path == "." else [path])
    data = git(repo, *args, binary=True)
    tmp = dest.parent / (dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(tmp, filter="tar")
    shutil.rmtree(dest, ignore_errors=True)
    (tmp / path if path != "." else tmp).rename(dest)
    shutil.rmtree(tmp, ignore_errors=True)


def chart_dirs(repo, commit, name):
    """Directories of `commit` holding a Chart.yaml whose name is `name`, shortest path first."""
    hits = subprocess.run(["git", "--git-dir", str(mirror(repo)), "grep", "-l", "-E", f"^name: *['\"]?{re.escape(name)}['\"]? *$",
                           commit, "--", "Chart.yaml", "*/Chart.yaml"], capture_output=True, text=True).stdout
    dirs = [os.path.dirname(h.split(":", 1)[1]) or "." for h in hits.splitlines()]
    dirs = [d for d in dirs if not re.search(r"(^|/)(ci|test|tests|testdata|fixtures)(/|$)", d)]
    return sorted(dirs, key=lambda d: (d.count("/"), d))


def dependencies(chart_dir):
    meta = yaml.safe_load((chart_dir / "Chart.yaml").read_text()) or {}
    deps = meta.get("dependencies") or []
    req = chart_dir / "requirements.yaml"
    if not deps and req.exists():
        deps = (yaml.safe_load(req.read_text()) or {}).get("dependencies") or []
    return deps


def parse_version(v):
    m = re.match(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?", str(v).strip())
    return (int(m[1]), int(m[2] or 0), int(m[3] or 0), m[4] or "") if m else None


def satisfies(version, constraint):
    """Masterminds/semver constraints as Chart.yaml uses them: 1.2.3, 1.x, 2.3.*, ~1.2, ^1.2, >=1 <2, a || b."""
    v = parse_version(version)
    if v is None or not constraint:
        return v is not None
    for alternative in str(constraint).split("||"):
        ok = True
        for term in re.findall(r"(?:[<>=!~^]+\s*)?[^\s,<>=!~^]+", alternative):
            op, want = re.match(r"([<>=!~^]*)\s*(.*)", term).groups()
            parts = re.split(r"[.-]", want.lstrip("v"))[:3]
            wild = next((i for i, x in enumerate(parts) if x in ("x", "X", "*")), len(parts))
            w = parse_version(".".join(parts[:wild]) or "0") if wild < len(parts) else parse_version(want)
            core, wcore = v[:3], w[:3]
            if wild < 3 and op in ("", "="):          # 1.x, 2.3.*
                ok &= core[:wild] == wcore[:wild]
            elif op == "~":
                n = 2 if len(parts) > 1 else 1
                ok &= core[:n] == wcore[:n] and core >= wcore
            elif op == "^":
                n = next((i + 1 for i, x in enumerate(wcore) if x != 0), 3)
                ok &= core[:n] == wcore[:n] and core >= wcore
            else:
                ok &= {"": core == wcore and v[3] == w[3], "=": core == wcore and v[3] == w[3], "!=": core != wcore,
                       ">": core > wcore, ">=": core >= wcore, "<": core < wcore, "<=": core <= wcore}.get(op, False)
            if v[3] and not w[3] and op not in ("", "="):   # prereleases only match prerelease constraints
                ok = False
        if ok:
            return True
    return False


def matching_commit(repo, commit, path, constraint):
    """The newest commit (at or before `commit`) where path/Chart.yaml has a version satisfying `constraint`."""
    for c in git(repo, "log", "--full-history", "--format=%H", commit, "--", f"{path}/Chart.yaml").split():
        try:
            v = (yaml.safe_load(git(repo, "show", f"{c}:{path}/Chart.yaml")) or {}).get("version")
        except (subprocess.CalledProcessError, yaml.YAMLError):
            continue
        if satisfies(v, constraint):
            return c
    return None


def rel(p):
    return os.path.relpath(p, CACHE / "charts")


def vendor(chart_dir, repo, commit, repo_path, pins, report, depth=0):
    """Place every dependency of the chart under its charts/, as `helm dependency build` does."""
    for dep in dependencies(chart_dir):
        name, url = dep.get("name"), dep.get("repository") or ""
        target = chart_dir / "charts" / name
        present = target.is_dir() or any((chart_dir / "charts").glob(f"{name}-*.tgz"))
        if present:
            continue
        source = None
        if url.startswith("file://"):
            source = (repo, commit, os.path.normpath(os.path.join(repo_path, url[len("file://"):])))
        else:
            # helm dependency build fetches a version satisfying the constraint: take the newest
            # commit of a mirror where the chart had one, else the chart as the mirror has it.
            candidates = [repo] + [r for key, rs in PUBLISHERS.items() if key in url for r in rs]
            for cand in dict.fromkeys(candidates):
                if not mirror(cand).exists():
                    continue
                cand_commit = commit if cand == repo else pins.get(cand) or git(cand, "rev-parse", "HEAD").strip()
                dirs = chart_dirs(cand, cand_commit, name) or [  # charts that moved away keep their history
                    d for d in (f"charts/{name}", name, f"bitnami/{name}", f"stable/{name}")
                    if git(cand, "log", "-1", "--format=%H", cand_commit, "--", f"{d}/Chart.yaml").strip()]
                if not dirs:
                    continue
                match = matching_commit(cand, cand_commit, dirs[0], dep.get("version"))
                if match:
                    source = (cand, match, dirs[0])
                    break
                source = source or (cand, cand_commit, dirs[0])
        if source is None:
            report.append(f"{rel(chart_dir)}\t{name}\t{url}\tnot vendored: no mirror has it")
            continue
        src_repo, src_commit, src_path = source
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            export(src_repo, src_commit, src_path, target)
            if not (target / "Chart.yaml").exists():
                raise FileNotFoundError
        except (subprocess.CalledProcessError, FileNotFoundError):
            shutil.rmtree(target, ignore_errors=True)
            report.append(f"{rel(chart_dir)}\t{name}\t{url}\tnot vendored: {src_repo}@{src_commit[:12]}:{src_path} missing")
            continue
        got = (yaml.safe_load((target / "Chart.yaml").read_text()) or {}).get("version")
        report.append(f"{rel(chart_dir)}\t{name}\t{url}\tvendored {src_repo}@{src_commit[:12]}:{src_path} "
                      f"version {got} (wanted {dep.get('version')})")
        if depth < 5:
            vendor(target, src_repo, src_commit, src_path, pins, report, depth + 1)


def env_values(row, chart_dir, values_dir):
    """Write values/<env>[.N].yaml for each environment; returns {env: [files]}.

    An environment is `name` (chart defaults only) or `name=SOURCE+SOURCE...`, each SOURCE a file
    relative to the chart, /a file relative to the repository, or set:key.path=value;... (our own
    overrides, written as YAML), passed to helm as -f in that order."""
    envs = {}
    values_dir.mkdir(parents=True, exist_ok=True)
    for spec in row["envs"]:
        name, _, sources = spec.partition("=")
        envs[name] = []
        for i, src in enumerate(s for s in sources.split("+") if s):
            out = values_dir / (f"{name}.yaml" if i == 0 else f"{name}.{i}.yaml")
            if src.startswith("set:"):
                doc = {}
                for assign in src[4:].split(";"):
                    key, _, val = assign.partition("=")
                    node = doc
                    *parents, leaf = key.split(".")
                    for p in parents:
                        node = node.setdefault(p, {})
                    node[leaf] = yaml.safe_load(val)
                out.write_text(yaml.safe_dump(doc, sort_keys=False))
            elif src.startswith("/"):
                out.write_bytes(git(row["repo"], "show", f"{row['commit']}:{src[1:]}", binary=True))
            else:
                shutil.copyfile(chart_dir / src, out)
            envs[name].append(out.name)
    return envs


def helm_binary(major=3):
    override = os.environ.get("HELM" if major == 3 else "HELM4")
    if override:
        return override
    args = ["bash", str(ROOT / "scripts" / "helm-oracle.sh")] + ([] if major == 3 else ["4"])
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()


# What each Helm major's recorded output is called in a chart's cache directory.
HELM_DIRS = {3: ("helm", "driftgate", "status.tsv"), 4: ("helm4", "driftgate4", "status4.tsv")}


def run(cmd, cwd, prefix):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True)
    Path(f"{prefix}.out").write_bytes(p.stdout)
    Path(f"{prefix}.err").write_bytes(p.stderr)
    Path(f"{prefix}.rc").write_text(f"{p.returncode}\n")
    return p


def import_chart(row, pins, helms):
    dest = CACHE / "charts" / row["id"]
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    chart = dest / "chart"
    export(row["repo"], row["commit"], row["path"], chart)
    report = []
    vendor(chart, row["repo"], row["commit"], row["path"], pins, report)
    (dest / "vendor.tsv").write_text("".join(r + "\n" for r in report))
    envs = env_values(row, chart, dest / "values")
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    release = meta["name"]
    config = {"kubeVersion": KUBE_VERSION, "charts": [{
        "path": "chart", "release": release, "namespace": RELEASE_NAMESPACE,
        "environments": {e: {"values": [f"../values/{f}" for f in fs]} for e, fs in envs.items()}}]}
    (dest / "driftgate.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    (dest / "chart-version").write_text(f"{meta.get('version')}\n")
    for major, helm in helms.items():
        out = dest / HELM_DIRS[major][0]
        out.mkdir()
        for env, files in envs.items():
            cmd = [helm, "template", release, "chart", "--namespace", RELEASE_NAMESPACE, "--kube-version", KUBE_VERSION]
            for f in files:
                cmd += ["-f", f"values/{f}"]
            first = run(cmd, dest, out / env)
            # A second run tells which lines helm itself does not repeat (random values, keys, the clock).
            second = subprocess.run(cmd, cwd=dest, capture_output=True)
            if second.stdout != first.stdout:
                (out / f"{env}.out2").write_bytes(second.stdout)
    missing = [r for r in report if "not vendored" in r]
    return f"{row['id']}: {len(envs)} environments" + (f", {len(missing)} dependencies not vendored" if missing else "")


def cmd_import(ids):
    rows = [r for r in read_tsv() if not ids or r["id"] in ids]
    pins = {}
    for r in read_tsv():
        pins.setdefault(r["repo"], r["commit"])
    helms = {3: helm_binary(3), 4: helm_binary(4)}
    with cf.ThreadPoolExecutor(JOBS) as pool:
        for line in pool.map(lambda r: import_chart(r, pins, helms), rows):
            print(line, flush=True)
    reports = sorted(CACHE.glob("charts/*/vendor.tsv"))
    (CACHE / "vendor.tsv").write_text("".join(p.read_text() for p in reports))


def uses_clock(chart):
    """Whether any template of the chart or its subcharts calls `now`."""
    for f in chart.rglob("*"):
        if "templates" in f.parts and f.is_file() and re.search(r"\bnow\b", f.read_text(errors="replace")):
            return True
    return False


def masked_equal(helm, dg, helm2, clock):
    """Equal but for lines that vary between helm's two runs (random values, keys) and, when the
    chart reads the clock, lines that differ only in their digits (driftgate's clock is fixed,
    docs/functions.md): each hunk where driftgate differs must replace only such lines of helm's."""
    a, b, c = helm.splitlines(), dg.splitlines(), helm2.splitlines()
    varying = set()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, a, c, autojunk=False).get_opcodes():
        if tag != "equal":
            varying.update(range(i1, max(i2, i1 + 1)))
    digitless = lambda line: re.sub(r"\d+", "0", line)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:
            return False
        for k, i in enumerate(range(i1, i2)):
            same_shape = clock and i2 - i1 == j2 - j1 and digitless(a[i]) == digitless(b[j1 + k])
            if i not in varying and not same_shape:
                return False
    return True


def first_error(text):
    lines = [l[len("Error: "):] for l in text.splitlines() if l.startswith("Error: ")]
    return lines[0] if lines else ""


def compare_env(dest, env, driftgate, clock, major):
    helm_name, dg_name, _ = HELM_DIRS[major]
    helm_dir, dg_dir = dest / helm_name, dest / dg_name
    p = run([driftgate, "render", ".", "--env", env, "--chart", "chart", "--helm", str(major)], dest, dg_dir / env)
    h_out = (helm_dir / f"{env}.out").read_bytes()
    h_rc = int((helm_dir / f"{env}.rc").read_text())
    h_err = (helm_dir / f"{env}.err").read_text(errors="replace")
    d_err = p.stderr.decode(errors="replace")
    diff = dg_dir / f"{env}.diff"
    diff.unlink(missing_ok=True)
    if h_rc != 0:
        if p.returncode == 0:
            diff.write_text(f"helm fails, driftgate renders\nhelm: {h_err}")
            return "helm-fails-dg-renders"
        msg = first_error(h_err)
        if msg and msg in d_err:
            return "both-fail-same"
        diff.write_text(f"helm: {h_err}\ndriftgate: {d_err}")
        return "both-fail-other-message"
    if p.returncode != 0:
        diff.write_text(f"driftgate fails, helm renders\ndriftgate: {d_err}")
        return "dg-fails"
    if p.stdout == h_out:
        return "equal"
    h2 = helm_dir / f"{env}.out2"
    text = lambda b: b.decode(errors="replace")
    lines = difflib.unified_diff(text(h_out).splitlines(True), text(p.stdout).splitlines(True), "helm", "driftgate", n=3)
    diff.write_text("".join(lines))
    if not (h2.exists() or clock):
        return "differs"
    if masked_equal(text(h_out), text(p.stdout), text(h2.read_bytes() if h2.exists() else h_out), clock):
        return "nondet-equal"
    return "nondet-differs" if h2.exists() else "differs"


COLUMNS = ["equal", "differs", "dg-fails", "helm-fails", "nondet"]


def cmd_compare(ids):
    for major in (3, 4):
        compare_major(ids, major)


def compare_major(ids, major):
    driftgate = os.environ.get("DRIFTGATE") or str(ROOT / "target" / "release" / "driftgate")
    rows = [r for r in read_tsv() if not ids or r["id"] in ids]
    results = {}
    helm_name, dg_name, status_name = HELM_DIRS[major]

    def one(row):
        dest = CACHE / "charts" / row["id"]
        if not (dest / helm_name).is_dir():
            return row["id"], {"not imported": 1}
        shutil.rmtree(dest / dg_name, ignore_errors=True)
        (dest / dg_name).mkdir()
        config = yaml.safe_load((dest / "driftgate.yaml").read_text())
        envs = list(config["charts"][0]["environments"])
        clock = uses_clock(dest / "chart")
        status = {env: compare_env(dest, env, driftgate, clock, major) for env in envs}
        (dest / status_name).write_text("".join(f"{e}\t{s}\n" for e, s in status.items()))
        return row["id"], status

    with cf.ThreadPoolExecutor(JOBS) as pool:
        for cid, status in pool.map(one, rows):
            results[cid] = status
    print(f"helm v{'3.17.2' if major == 3 else '4.1.4'}:")
    table(rows, results, major)
    if not ids and all("not imported" not in st for st in results.values()):
        report(rows, results, major)


def table(rows, results, major):
    head = ["chart", "version", "envs", "byte-equal", "differing", "driftgate-fails", "helm-fails (same msg/other msg/dg renders)", "nondeterministic (masked-equal/differs)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    total = {}
    for row in rows:
        st = list(results[row["id"]].values())
        n = {k: st.count(k) for k in set(st)}
        for k, v in n.items():
            total[k] = total.get(k, 0) + v
        version = (CACHE / "charts" / row["id"] / "chart-version").read_text().strip() if (CACHE / "charts" / row["id"] / "chart-version").exists() else "?"
        lines.append("| " + " | ".join(map(str, [
            f"{row['id']} ({row['repo']})", version, len(st), n.get("equal", 0), n.get("differs", 0), n.get("dg-fails", 0),
            f"{n.get('both-fail-same', 0)}/{n.get('both-fail-other-message', 0)}/{n.get('helm-fails-dg-renders', 0)}",
            f"{n.get('nondet-equal', 0)}/{n.get('nondet-differs', 0)}"])) + " |")
    envs = sum(total.values())
    lines.append("| " + " | ".join(map(str, [
        f"**total: {len(rows)} charts, {len({r['repo'] for r in rows})} repositories**", "", envs, total.get("equal", 0),
        total.get("differs", 0), total.get("dg-fails", 0),
        f"{total.get('both-fail-same', 0)}/{total.get('both-fail-other-message', 0)}/{total.get('helm-fails-dg-renders', 0)}",
        f"{total.get('nondet-equal', 0)}/{total.get('nondet-differs', 0)}"])) + " |")
    text = "\n".join(lines) + "\n"
    (CACHE / ("table.md" if major == 3 else "table-helm4.md")).write_text(text)
    print(text, end="")


# Functions whose output helm itself does not repeat from one run to the next.
NONDETERMINISTIC = ["genCA", "genSelfSignedCert", "genSignedCert", "genPrivateKey", "derivePassword",
                    "randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randBytes", "randInt",
                    "uuidv4", "shuffle", "now", "htpasswd", "bcrypt"]


def nondeterministic_calls(chart):
    found = set()
    for f in chart.rglob("*"):
        if "templates" in f.parts and f.is_file():
            text = f.read_text(errors="replace")
            found.update(name for name in NONDETERMINISTIC if re.search(rf"\b{name}\b", text))
    return sorted(found)


def cell(text, width=110):
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def report(rows, results, major):
    """testdata/conformance/reports/corpus.md (corpus-helm4.md for `--helm 4` against helm
    v4.1.4): the per-chart tables of docs/conformance.md."""
    helm_name = HELM_DIRS[major][0]
    total = {}
    body = []
    for row in rows:
        status = results[row["id"]]
        for s in status.values():
            total[s] = total.get(s, 0) + 1
        dest = CACHE / "charts" / row["id"]
        version = (dest / "chart-version").read_text().strip()
        notes = []
        masked = [e for e, s in status.items() if s == "nondet-equal"]
        if masked:
            calls = ", ".join(f"`{c}`" for c in nondeterministic_calls(dest / "chart")) or "random values"
            notes.append(f"{len(masked)} equal once the lines helm varies between runs are masked ({calls})")
        for env, s in status.items():
            if s == "both-fail-same":
                err = (dest / helm_name / f"{env}.err").read_text(errors="replace")
                err = err[err.find("Error: ") + len("Error: "):] if "Error: " in err else err
                err = err.replace("Use --debug flag to render out invalid YAML", "")
                notes.append(f"`{env}`: helm and driftgate fail alike: {cell(err, 160)}")
            elif s not in ("equal", "nondet-equal"):
                notes.append(f"`{env}`: {s}")
        equal = sum(1 for s in status.values() if s == "equal")
        body.append("| " + " | ".join([
            f"`{row['id']}`", f"{row['repo']} `{row['commit'][:10]}`", version, str(len(status)), str(equal),
            cell("; ".join(notes), 400) if notes else ""]) + " |")
    envs = sum(total.values())
    same = total.get("equal", 0) + total.get("nondet-equal", 0) + total.get("both-fail-same", 0)
    out = [
        f"{len(rows)} public charts from {len({r['repo'] for r in rows})} upstream repositories, pinned by commit in "
        "`scripts/corpus/charts.tsv`, {envs} environments taken from each chart's own `ci/` values or documented "
        "examples. `scripts/corpus/import.sh` exports them from git mirrors, vendors their dependencies and records "
        f"helm {'v3.17.2' if major == 3 else 'v4.1.4'} (`--kube-version 1.33`); `scripts/corpus/compare.sh` renders "
        f"every environment with `driftgate render --helm {major}` and writes this table. No chart text is kept in "
        "this repository.".replace("{envs}", str(envs)),
        "",
        f"{same} of {envs} environments match helm: {total.get('equal', 0)} byte-equal, "
        f"{total.get('nondet-equal', 0)} equal once the lines that helm itself does not repeat between two runs "
        f"(random values, generated keys, the clock) are masked, {total.get('both-fail-same', 0)} where helm fails "
        "for a reason in the chart or its values and driftgate fails with the same message. "
        f"Differing: {total.get('differs', 0) + total.get('nondet-differs', 0)}; driftgate fails where helm renders: "
        f"{total.get('dg-fails', 0)}; helm fails with another message or driftgate renders: "
        f"{total.get('both-fail-other-message', 0) + total.get('helm-fails-dg-renders', 0)}.",
        "",
        "| chart | repository and commit | version | environments | byte-equal | known differences |",
        "|---|---|---|---|---|---|",
        *body,
    ]
    path = ROOT / "testdata" / "conformance" / "reports" / ("corpus.md" if major == 3 else "corpus-helm4.md")
    path.write_text("\n".join(out) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("import", "compare"):
        sys.exit(__doc__)
    CACHE.mkdir(parents=True, exist_ok=True)
    {"import": cmd_import, "compare": cmd_compare}[sys.argv[1]](set(sys.argv[2:]))
