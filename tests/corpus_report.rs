//! The per-chart tables of docs/conformance.md ("Public charts", and "with --helm 4") are
//! written by `scripts/corpus/compare.sh` into `testdata/conformance/reports/corpus.md` and
//! `corpus-helm4.md`; the conformance
//! test copies it into the docs. This test keeps it honest about what it measured: every chart
//! pinned in `scripts/corpus/charts.tsv` has its row, at the pinned commit, with as many
//! environments as the pin lists, and the totals add up.

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Pin {
    repo: String,
    commit: String,
    id: String,
    environments: usize,
}

fn pins() -> Vec<Pin> {
    let text = std::fs::read_to_string(root().join("scripts/corpus/charts.tsv")).expect("charts.tsv");
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 5, "charts.tsv: five tab-separated fields: {line}");
            Pin {
                repo: fields[0].to_string(),
                commit: fields[1].to_string(),
                id: fields[3].to_string(),
                environments: fields[4].split_whitespace().count(),
            }
        })
        .collect()
}

/// The table rows of the report: id -> (repository and commit cell, environments, byte-equal).
fn rows(report: &str) -> Vec<(String, String, usize, usize)> {
    report
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
            let number = |i: usize| cells[i].parse::<usize>().unwrap_or_else(|_| panic!("a number in {line}"));
            (cells[0].trim_matches('`').to_string(), cells[1].to_string(), number(3), number(4))
        })
        .collect()
}

#[test]
fn corpus_reports_cover_every_pinned_chart() {
    for (file, helm) in [("corpus.md", "helm v3.17.2"), ("corpus-helm4.md", "helm v4.1.4")] {
        check_report(file, helm);
    }
}

fn check_report(file: &str, helm: &str) {
    let report = std::fs::read_to_string(root().join("testdata/conformance/reports").join(file))
        .unwrap_or_else(|_| panic!("testdata/conformance/reports/{file} (written by scripts/corpus/compare.sh)"));
    assert!(report.contains(&format!("records {helm} ")), "{file} is measured against {helm}");
    let rows = rows(&report);
    let pins = pins();
    let stale = "the report is stale: run scripts/corpus/import.sh && scripts/corpus/compare.sh";
    assert_eq!(rows.len(), pins.len(), "one row per pinned chart; {stale}");
    for (pin, (id, source, environments, equal)) in pins.iter().zip(&rows) {
        assert_eq!(&pin.id, id, "rows in charts.tsv order; {stale}");
        assert_eq!(source, &format!("{} `{}`", pin.repo, &pin.commit[..10]), "{id}: pinned commit; {stale}");
        assert_eq!(*environments, pin.environments, "{id}: environments; {stale}");
        assert!(equal <= environments, "{id}: more byte-equal environments than environments");
    }
    let environments: usize = rows.iter().map(|r| r.2).sum();
    let equal: usize = rows.iter().map(|r| r.3).sum();
    assert!(report.contains(&format!("{environments} environments taken from")), "total environments: {environments}");
    assert!(report.contains(&format!(" {equal} byte-equal,")), "total byte-equal: {equal}");
}
