//! Helm's YAML/JSON functions: toYaml, fromYaml, fromYamlArray, toJson, fromJson, fromJsonArray, toPrettyJson, toRawJson.

use super::Function;

pub fn functions() -> Vec<Function> {
    Vec::new()
}
