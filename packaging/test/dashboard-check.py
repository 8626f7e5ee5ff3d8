#!/usr/bin/env python3
"""Checks a Grafana dashboard against a running preloader: every PromQL expression (panel targets and template
queries) names only metrics that a scrape of the server really has, and, given a Prometheus that scrapes that server,
each expression is valid PromQL that returns data there.

Usage: dashboard-check.py DASHBOARD.json SCRAPE.txt [PROMETHEUS_URL]
Prints one line per problem and a summary line; exits 1 when anything is wrong."""
import json
import re
import sys
import urllib.parse
import urllib.request

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
            "inf", "nan"}
# What Grafana puts in before a query runs: a range of several scrapes, every instance.
GRAFANA_VARIABLES = {"$__rate_interval": "30s", "$instance": ".+"}


def expressions(dashboard):
    for panel in dashboard.get("panels", []):
        for target in panel.get("targets", []):
            if target.get("expr"):
                yield panel["title"], target["expr"]
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        text = query.get("query") if isinstance(query, dict) else query
        match = re.fullmatch(r"\s*label_values\(\s*(.+?)\s*,\s*\w+\s*\)\s*", text or "")
        if match:
            yield "variable " + variable["name"], match.group(1)


def metric_names(expr):
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)                       # string literals
    text = re.sub(r"\{[^}]*\}", "", text)                                # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)                               # ranges
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)  # label lists
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", text):
        if match.group(1).lower() not in KEYWORDS:
            names.add(match.group(1))
    return names


def scraped_names(scrape):
    return {re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
            for line in scrape.splitlines() if line and not line.startswith("#")}


def query(prometheus, expr):
    url = prometheus.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            body = json.load(answer)
    except urllib.error.HTTPError as e:
        body = json.load(e)
    return body


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        dashboard = json.load(f)
    with open(argv[2]) as f:
        exported = scraped_names(f.read())
    prometheus = argv[3] if len(argv) == 4 else None
    problems = checked = 0
    for where, expr in expressions(dashboard):
        checked += 1
        for name, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(name, value)
        missing = sorted(metric_names(expr) - exported)
        if missing:
            problems += 1
            print(f"{where}: {', '.join(missing)} not exported by the server, in: {expr}")
            continue
        if prometheus:
            answer = query(prometheus, expr)
            if answer.get("status") != "success":
                problems += 1
                print(f"{where}: Prometheus refused it ({answer.get('error')}): {expr}")
            elif not answer["data"]["result"]:
                problems += 1
                print(f"{where}: no data in Prometheus for: {expr}")
    against = " and queried in Prometheus" if prometheus else ""
    print(f"dashboard: {checked} expressions checked against {len(exported)} exported series names{against}, {problems} wrong")
    return 1 if problems or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
