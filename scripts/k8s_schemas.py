#!/usr/bin/env python3
"""Builds driftgate's bundled Kubernetes schemas from a kubernetes-validate wheel.

For every Kubernetes minor version in the wheel, takes the strict `_definitions.json` (unknown
fields are errors), drops what validation does not need (descriptions, x-kubernetes-* hints),
lets null stand for "not set" in int-or-string and quantity fields, and stores each distinct
definition once. Output (compression is left to the calling script), one JSON value per line:

    line 1:  {"source": "kubernetes-validate-1.37.0",
              "names": [<definition name>, ...],
              "versions": {"1.33": [<name index>, <definition index>, ...], ...},
              "kinds": {"1.33": [[<name index>, <apiVersion>, <kind>], ...], ...}}
    line 2+: one definition per line, in definition index order

so that a reader can index the lines cheaply and parse only the definitions it uses.
"""

import json
import re
import sys
import zipfile

STRICT_DIR = re.compile(r"kubernetes-json-schema/v(\d+)\.(\d+)\.\d+-local-strict/_definitions\.json$")
# Both accept null, so a plain oneOf would reject `null` (matches two branches); Kubernetes
# treats null as "not set". Numbers and strings are accepted as the API server accepts them.
NULLABLE_UNIONS = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": ["string", "integer", "null"]},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": ["string", "number", "null"]},
}
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


def slim(schema):
    """The schema without annotations; keys of property maps are names, not keywords."""
    if isinstance(schema, list):
        return [slim(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "description" and isinstance(value, str):
            continue
        if key.startswith("x-kubernetes-"):
            continue
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: slim(sub) for name, sub in value.items()}
        else:
            out[key] = slim(value)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: k8s_schemas.py WHEEL OUTPUT.json")
    wheel, output = sys.argv[1], sys.argv[2]
    versions = {}
    defs = []
    index = {}
    names = {}
    kinds = {}
    raw_total = 0
    with zipfile.ZipFile(wheel) as archive:
        source = next(
            (n.split("/")[0].removesuffix(".dist-info") for n in archive.namelist() if n.endswith(".dist-info/METADATA")),
            "kubernetes-validate",
        )
        entries = []
        for name in archive.namelist():
            match = STRICT_DIR.search(name)
            if match:
                entries.append(((int(match.group(1)), int(match.group(2))), name))
        if not entries:
            sys.exit(f"{wheel}: no *-local-strict/_definitions.json found")
        for (major, minor), name in sorted(entries):
            data = archive.read(name)
            raw_total += len(data)
            document = json.loads(data)
            table = []
            kind_table = []
            for def_name, schema in sorted(document["$defs"].items()):
                gvks = [
                    [f"{g['group']}/{g['version']}" if g["group"] else g["version"], g["kind"]]
                    for g in schema.get("x-kubernetes-group-version-kind", [])
                ]
                schema = NULLABLE_UNIONS.get(def_name) or slim(schema)
                text = json.dumps(schema, sort_keys=True, separators=(",", ":"))
                if text not in index:
                    index[text] = len(defs)
                    defs.append(text)
                name_index = names.setdefault(def_name, len(names))
                kind_table += [[name_index, api_version, kind] for api_version, kind in gvks]
                table += [name_index, index[text]]
            versions[f"{major}.{minor}"] = table
            kinds[f"{major}.{minor}"] = kind_table
    header = {"source": source.replace("_", "-"), "names": list(names), "versions": versions, "kinds": kinds}
    text = "\n".join([json.dumps(header, sort_keys=True, separators=(",", ":"))] + defs) + "\n"
    with open(output, "w", encoding="utf-8") as out:
        out.write(text)
    count = sum(len(t) // 2 for t in versions.values())
    print(
        f"{source}: {len(versions)} versions ({min(versions, key=lambda v: tuple(map(int, v.split('.'))))}"
        f"..{max(versions, key=lambda v: tuple(map(int, v.split('.'))))}), {count} definitions, "
        f"{len(defs)} distinct; {raw_total} bytes in, {len(text)} bytes out",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
