#!/usr/bin/env python3
"""Consistency checks for the Leiyang pack (read-only). Exit code 1 on failure."""
import csv
import json
import sys
from collections import Counter
from pathlib import Path

PACK = Path(__file__).resolve().parent.parent
SHARED = PACK.parent.parent / ".." / "shared" / "data" / "leiyang"
USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
errors = []


def R(name, base=PACK):
    raw = (base / name).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        errors.append(name + ": has BOM")
    with open(base / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def uscc_ok(c):  # standards-notes §6, GB 32100 + GB 11714
    if len(c) != 18 or any(x not in USCC for x in c):
        return False
    s = sum(USCC.index(x) * pow(3, i, 31) for i, x in enumerate(c[:17]))
    if USCC[(31 - s % 31) % 31] != c[17]:
        return False
    v = lambda ch: int(ch) if ch.isdigit() else ord(ch) - 55
    k = 11 - sum(v(x) * w for x, w in zip(c[8:16], [3, 7, 9, 10, 5, 8, 4, 2])) % 11
    return c[16] == ("X" if k == 10 else "0" if k == 11 else str(k))


def check(cond, msg):
    if not cond:
        errors.append(msg)


pack = json.loads((PACK / "pack.json").read_text(encoding="utf-8"))
regions, depts, themes = R("regions.csv"), R("departments.csv"), R("themes.csv")
items, mats, impls = R("items.csv"), R("materials.csv"), R("implementations.csv")
faq, people = R("faq.csv"), R("people.csv")
rc = {r["code"] for r in regions}
dn = {d["short_name"] for d in depts}
tn = {t["name"] for t in themes}
names = {i["name"] for i in items}

check(len(regions) == 413, "regions != 413")
check(R("regions.csv") == R("regions.csv", SHARED), "regions.csv differs from shared copy")
check(pack["region_code"] in rc, "pack region")
check(len(dn) == len(depts), "duplicate department short_name")
shared_d = R("departments.csv", SHARED)
check({d["short_name"] for d in shared_d} <= dn, "shared department short names missing")
kinds = Counter(d["kind"] for d in depts)
check(kinds["乡镇人民政府"] + kinds["街道办事处"] == 30, "30 township units")
check(kinds["村(居)民委员会"] == 380, "380 village committees")
codes = [d["uscc"] for d in depts]
check(all(uscc_ok(c) for c in codes), "invalid USCC: %s" % [c for c in codes if not uscc_ok(c)][:5])
check(len(set(codes)) == len(codes), "USCC not unique")
check(all(d["region_code"] in rc for d in depts), "department region_code unknown")
check(len(names) == len(items), "duplicate item names")
shared_names = {r["name"] for r in R("items.csv", SHARED)}
check(shared_names <= names, "shared item names missing: %s" % (shared_names - names))
check(len(shared_names) == 231, "shared items != 231")
for i in items:
    check(i["item_type"] in {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"}, "type " + i["name"])
    check(all(a in "123456" for a in i["audience"].split(";")), "audience " + i["name"])
    check(all(t in tn for t in i["themes"].split(";")), "themes " + i["name"])
    check(bool(i["keywords"]) and bool(i["conditions"]) and bool(i["result_name"]), "keywords/conditions/result " + i["name"])
for m in mats:
    check(m["item_name"] in names, "material item " + m["item_name"])
    check(m["region_code"] == "" or m["region_code"] in rc, "material region")
    check(m["source"] in {"applicant", "e_license", "shared_data", "commitment", "not_required"}, "material source")
    check(m["form"] in {"原件", "复印件", "原件和复印件", "电子"}, "material form")
for r in impls:
    check(r["item_name"] in names, "impl item " + r["item_name"])
    check(r["department"] in dn, "impl dept " + r["department"])
    check(r["region_code"] in rc, "impl region " + r["region_code"])
    check(r["level"] in {"4", "5", "6"}, "level")
    check(r["online_depth"] in {"1", "2", "3", "4"}, "depth")
    check(r["delegated"] == "no" or r["delegated_from"] in dn, "delegated_from " + r["delegated_from"])
    check((r["case_kind"] == "1") == (r["promised_limit_workdays"] == "0"), "case_kind vs promised " + r["item_name"])
check(len(impls) >= 1650, "implementations < 1650")
check(len({(r["item_name"], r["region_code"], r["department"]) for r in impls}) == len(impls), "duplicate implementation")
for f in faq:
    check(f["item_name"] in names, "faq item " + f["item_name"])
check(len(faq) >= 40, "faq < 40")
check({p["role"] for p in people} == {"applicant_person", "applicant_enterprise", "window_clerk", "reviewer",
      "chief_representative", "proxy_agent", "catalog_admin", "supervisor", "hotline_operator", "system_admin"}, "roles")
check(all(p["department"] == "" or p["department"] in dn for p in people), "people dept")
check(all(p["username"].isascii() for p in people), "ascii usernames")
for p in PACK.rglob("*"):
    if p.is_file() and p.suffix in {".csv", ".json", ".md", ".py", ".txt"}:
        check("/" + "work/" not in p.read_text(encoding="utf-8"), "absolute path in " + p.name)

# reporting (not failures): KPIs and the deliberate quality-check defects
legal = {i["name"]: i["legal_limit_workdays"] for i in items}
ni = Counter()
for m in mats:
    if m["source"] == "applicant":
        ni[(m["item_name"], m["region_code"])] += 1
now = sum(ni[(r["item_name"], "")] + (ni[(r["item_name"], r["region_code"])] if r["level"] != "4" else 0) for r in impls)
base = sum(int(r["baseline_material_count"] or 0) for r in impls)
print("rows:", {k: len(v) for k, v in [("regions", regions), ("departments", depts), ("themes", themes),
      ("items", items), ("materials", mats), ("implementations", impls), ("faq", faq), ("people", people)]})
print("implementations by level:", dict(Counter(r["level"] for r in impls)))
print("material reduction: %.1f%% (now %d / baseline %d)" % (100 * (1 - now / base), now, base))
print("online depth >=3: %.1f%%" % (100 * sum(r["online_depth"] in "34" for r in impls) / len(impls)))
print("defect: promised > legal:", [(r["item_name"], r["promised_limit_workdays"], legal[r["item_name"]]) for r in impls
      if legal[r["item_name"]] and float(r["promised_limit_workdays"]) > float(legal[r["item_name"]])])
print("defect: depth 4 with trips>0:", [r["item_name"] for r in impls if r["online_depth"] == "4" and r["trips"] != "0"])
print("defect: fee without basis:", [r["item_name"] for r in impls if any(f.count("|") == 2 and f.endswith("|")
      for f in r["fees"].split(";") if f)])
print("defect: catch-all material:", [m["item_name"] for m in mats if m["name"] == "其他相关材料"])
print("defect: government-issued paper from applicant:", [(m["item_name"], m["name"]) for m in mats
      if m["source"] == "applicant" and m["government_issued"] == "yes"])
print("empty legal_basis (administrative power types):", [i["name"] for i in items if not i["legal_basis"]
      and i["item_type"] != "20"])
print("empty legal_basis (public services):", [i["name"] for i in items if not i["legal_basis"] and i["item_type"] == "20"])
if errors:
    print("ERRORS:", *errors[:50], sep="\n  ")
    sys.exit(1)
print("all checks passed")
