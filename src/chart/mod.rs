//! Charts as Helm loads them: `Chart.yaml`, templates, files, subcharts.
