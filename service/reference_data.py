"""Loading the reference data files of `config/reference/` into the database, and back.

Idempotent: each entity is found by its natural key (a code, a number) and updated in place,
so running `flask --app service setup` again changes only what the files changed. What the
Secretariat edited in the service (`reference_editing`, its history in `reference_changes`) is
never overwritten: `differences` says where the files and the database disagree instead. The
presidencies are seeded into an empty table only, and from then on the presidency handover
keeps the timeline; `presidency_differences` says where the file and it disagree.
`export` writes the current data back in the files' format.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select

from config import REFERENCE_DIR

from .extensions import db
from .reference_editing import (
    action_fields,
    action_key,
    committee_fields,
    domain_fields,
    domain_key,
    edited_keys,
    gcm_fields,
    objective_fields,
    objective_key,
    partner_fields,
)
from .models import (
    Action,
    ActionPlan,
    Committee,
    CommitteeMember,
    Domain,
    GcmObjective,
    Objective,
    Partner,
    Presidency,
    Referent,
)


class ReferenceDataError(ValueError):
    pass


def _read(name: str, folder: Path) -> Any:
    with open(folder / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _texts(item: dict, key: str = "title") -> dict[str, str]:
    value = item.get(key) or {}
    if not value.get("en") or not value.get("fr"):
        raise ReferenceDataError(f"{item!r}: {key} needs 'en' and 'fr'")
    return {f"{key}_en": value["en"], f"{key}_fr": value["fr"]}


def _upsert(model, key: dict[str, Any], values: dict[str, Any]):
    row = db.session.scalar(select(model).filter_by(**key))
    if row is None:
        row = model(**key, **values)
        db.session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    return row


def load(folder: Path = REFERENCE_DIR) -> dict[str, int]:
    """Load every reference file (not committed); returns counts per kind (read from the
    files). Items the Secretariat edited in the service are left as they are."""
    edited = edited_keys()
    counts = {"partners": 0, "action_plans": 0, "actions": 0, "gcm_objectives": 0,
              "committee_members": 0, "presidencies": 0, "referents": 0}
    for item in _read("partners.yaml", folder):
        counts["partners"] += 1
        if ("partner", str(item["code"])) in edited:
            continue
        _upsert(Partner, {"code": str(item["code"])}, {
            "name_en": item["name"]["en"], "name_fr": item["name"]["fr"], "kind": item["kind"],
            "region": item.get("region"), "status": item["status"]})
    db.session.flush()

    for plan in _read("action_plans.yaml", folder):
        _upsert(ActionPlan, {"code": plan["code"]}, {
            "name_en": plan["name"]["en"], "name_fr": plan["name"]["fr"],
            "start_year": plan["start_year"], "end_year": plan["end_year"],
            "current": bool(plan.get("current"))})
        counts["action_plans"] += 1
        for domain_item in plan["domains"]:
            domain = _upsert_unless(edited, ("domain", domain_key(plan["code"], domain_item["number"])), Domain,
                                    {"action_plan_code": plan["code"], "number": domain_item["number"]},
                                    _texts(domain_item))
            db.session.flush()
            for objective_item in domain_item["objectives"]:
                objective = _upsert_unless(
                    edited, ("objective", objective_key(plan["code"], objective_item["number"])), Objective,
                    {"domain_id": domain.id, "number": objective_item["number"]},
                    {**_texts(objective_item), "to_confirm": bool(objective_item.get("to_confirm"))})
                db.session.flush()
                for action_item in objective_item["actions"]:
                    counts["actions"] += 1
                    if ("action", action_key(plan["code"], action_item["number"])) in edited:
                        continue
                    _upsert(Action, {"objective_id": objective.id, "number": action_item["number"]},
                            {**_texts(action_item), "to_confirm": bool(action_item.get("to_confirm"))})
    db.session.flush()

    for item in _read("gcm_objectives.yaml", folder):
        counts["gcm_objectives"] += 1
        if ("gcm_objective", str(item["number"])) not in edited:
            _upsert(GcmObjective, {"number": item["number"]}, _texts(item))

    for item in _read("committees.yaml", folder):
        if ("committee", item["code"]) in edited:
            counts["committee_members"] += len(item["members"])
            continue
        _upsert(Committee, {"code": item["code"]}, {"name_en": item["name"]["en"], "name_fr": item["name"]["fr"]})
        db.session.flush()
        listed = set()
        for member in item["members"]:
            code = str(member["partner"])
            listed.add(code)
            _upsert(CommitteeMember, {"committee_code": item["code"], "partner_code": code},
                    {"to_confirm": bool(member.get("to_confirm"))})
            counts["committee_members"] += 1
        db.session.execute(delete(CommitteeMember).where(
            CommitteeMember.committee_code == item["code"], CommitteeMember.partner_code.not_in(listed)))

    counts["presidencies"] = _seed_presidencies(folder)

    for item in _read("referents.yaml", folder):
        domain = db.session.scalar(select(Domain).filter_by(action_plan_code=item["action_plan"], number=item["domain"]))
        if domain is None:
            raise ReferenceDataError(f"referents: no domain {item['domain']} in {item['action_plan']}")
        counts["referents"] += len(item["partners"])
        if ("referents", domain_key(item["action_plan"], item["domain"])) in edited:
            continue
        listed = [str(code) for code in item["partners"]]
        db.session.execute(delete(Referent).where(Referent.domain_id == domain.id, Referent.partner_code.not_in(listed)))
        recorded = set(db.session.scalars(select(Referent.partner_code).where(Referent.domain_id == domain.id)))
        # In the file's order: a cycle lists its referents in the order of their rows.
        db.session.add_all(Referent(domain_id=domain.id, partner_code=code) for code in listed if code not in recorded)
    db.session.flush()
    return counts


def _upsert_unless(edited, key, model, natural_key, values):
    """The row, created or updated from the file, unless the Secretariat edited it (then as it is)."""
    if key in edited:
        row = db.session.scalar(select(model).filter_by(**natural_key))
        if row is not None:
            return row
    return _upsert(model, natural_key, values)


# Presidencies -------------------------------------------------------------------------------

_PRESIDENCY_FIELDS = ("end", "term_end", "title_en", "title_fr", "handover_event_en", "handover_event_fr")


def _presidency_items(folder: Path) -> list[dict[str, Any]]:
    items = []
    for item in _read("presidencies.yaml", folder):
        title, event = item.get("title") or {}, item.get("handover_event") or {}
        items.append({"partner_code": str(item["partner"]), "start": item.get("start"), "end": item.get("end"),
                      "term_end": item.get("term_end"), "title_en": title.get("en"), "title_fr": title.get("fr"),
                      "handover_event_en": event.get("en"), "handover_event_fr": event.get("fr")})
    return items


def _seed_presidencies(folder: Path) -> int:
    """Load the timeline into an empty table (how many rows); otherwise only fill the fields
    left empty in rows no handover wrote (a column added later), and change nothing else."""
    items = _presidency_items(folder)
    if db.session.scalar(select(Presidency.id).limit(1)) is None:
        db.session.add_all(Presidency(**item) for item in items)
        return len(items)
    recorded = {(row.partner_code, row.start): row for row in db.session.scalars(select(Presidency))}
    for item in items:
        row = recorded.get((item["partner_code"], item["start"]))
        if row is None or row.set_by_handover_id is not None:
            continue
        # Never `end`: only a handover ends a term.
        for name in _PRESIDENCY_FIELDS[1:]:
            if getattr(row, name) is None and item[name] is not None:
                setattr(row, name, item[name])
    return 0


def presidency_differences(folder: Path = REFERENCE_DIR) -> list[str]:
    """Where `presidencies.yaml` and the recorded timeline disagree, one line each (nothing changed)."""
    lines = []
    items = {(i["partner_code"], i["start"]): i for i in _presidency_items(folder)}
    rows = db.session.scalars(select(Presidency).order_by(Presidency.start.is_(None).desc(), Presidency.start)).all()
    for row in rows:
        item = items.pop((row.partner_code, row.start), None)
        by = f" (set by handover no. {row.set_by_handover_id})" if row.set_by_handover_id else ""
        if item is None:
            lines.append(f"{row.partner_code} from {row.start}: recorded{by}, not in the file")
            continue
        for name in _PRESIDENCY_FIELDS:
            if item[name] is not None and getattr(row, name) != item[name]:
                lines.append(f"{row.partner_code} from {row.start}: {name} is {getattr(row, name)}{by}, "
                             f"the file says {item[name]}")
            elif name == "end" and item["end"] is None and row.end is not None:
                lines.append(f"{row.partner_code} from {row.start}: ended {row.end}{by}, the file says it runs on")
    for item in items.values():
        lines.append(f"{item['partner_code']} from {item['start']}: in the file, not recorded")
    return lines


# Where the files and the database disagree ---------------------------------------------------

def _file_items(folder: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Every item of the files, keyed and shaped as the history records them."""
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for item in _read("partners.yaml", folder):
        code = str(item["code"])
        items["partner", code] = {"code": code, "name_en": item["name"]["en"], "name_fr": item["name"]["fr"],
                                  "kind": item["kind"], "region": item.get("region"), "status": item["status"]}
    for plan in _read("action_plans.yaml", folder):
        for domain in plan["domains"]:
            items["domain", domain_key(plan["code"], domain["number"])] = {"number": domain["number"], **_texts(domain)}
            for objective in domain["objectives"]:
                items["objective", objective_key(plan["code"], objective["number"])] = {
                    "number": objective["number"], **_texts(objective), "to_confirm": bool(objective.get("to_confirm"))}
                for action in objective["actions"]:
                    items["action", action_key(plan["code"], action["number"])] = {
                        "number": action["number"], "objective": objective["number"], **_texts(action),
                        "to_confirm": bool(action.get("to_confirm"))}
    for item in _read("gcm_objectives.yaml", folder):
        items["gcm_objective", str(item["number"])] = {"number": item["number"], **_texts(item)}
    for item in _read("committees.yaml", folder):
        members = item["members"]
        items["committee", item["code"]] = {
            "code": item["code"], "name_en": item["name"]["en"], "name_fr": item["name"]["fr"],
            "members": sorted(str(m["partner"]) for m in members),
            "members_to_confirm": sorted(str(m["partner"]) for m in members if m.get("to_confirm"))}
    for item in _read("referents.yaml", folder):
        items["referents", domain_key(item["action_plan"], item["domain"])] = {
            "partners": sorted(str(code) for code in item["partners"])}
    return items


def _database_items() -> dict[tuple[str, str], dict[str, Any]]:
    """Every item of the database, keyed and shaped as `_file_items` (a few queries in all)."""
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for partner in db.session.scalars(select(Partner)):
        items["partner", partner.code] = partner_fields(partner)
    for plan in db.session.scalars(select(ActionPlan)):
        for domain in plan.domains:
            items["domain", domain_key(plan.code, domain.number)] = domain_fields(domain)
            for objective in domain.objectives:
                items["objective", objective_key(plan.code, objective.number)] = objective_fields(objective)
                for action in objective.actions:
                    items["action", action_key(plan.code, action.number)] = action_fields(action)
    for objective in db.session.scalars(select(GcmObjective)):
        items["gcm_objective", str(objective.number)] = gcm_fields(objective)
    for committee in db.session.scalars(select(Committee)):
        items["committee", committee.code] = committee_fields(committee)
    referents: dict[tuple[str, str], list[str]] = {}
    for referent in db.session.scalars(select(Referent)):
        key = ("referents", domain_key(referent.domain.action_plan_code, referent.domain.number))
        referents.setdefault(key, []).append(referent.partner_code)
    for key, codes in referents.items():
        items[key] = {"partners": sorted(codes)}
    return items


def differences(folder: Path = REFERENCE_DIR) -> list[str]:
    """Where the files and the database disagree, one line per field (nothing changed).
    After `load`, these are the Secretariat's edits, and what was added in the service."""
    in_files, recorded = _file_items(folder), _database_items()
    lines = []
    for key in sorted(set(in_files) | set(recorded)):
        kind, name = key
        file_item, row = in_files.get(key), recorded.get(key)
        if file_item is None:
            lines.append(f"{kind} {name}: in the database, not in the files")
        elif row is None:
            lines.append(f"{kind} {name}: in the files, not in the database")
        else:
            for field, value in file_item.items():
                if row.get(field) != value:
                    lines.append(f"{kind} {name}: {field} is {row.get(field)!r}, the files say {value!r}")
    return lines


# Back to the files' format -------------------------------------------------------------------

FILES = ("partners.yaml", "action_plans.yaml", "gcm_objectives.yaml", "committees.yaml", "referents.yaml",
         "presidencies.yaml")


def _both(row, prefix: str) -> dict[str, str]:
    return {"en": getattr(row, f"{prefix}_en"), "fr": getattr(row, f"{prefix}_fr")}


def export_data() -> dict[str, list]:
    """The current reference data as the files hold it (file name → content)."""
    partners = [{"code": p.code, "name": _both(p, "name"), "kind": p.kind, "region": p.region, "status": p.status}
                for p in db.session.scalars(select(Partner).order_by(Partner.kind, Partner.code))]
    plans = []
    for plan in db.session.scalars(select(ActionPlan).order_by(ActionPlan.start_year)):
        plans.append({
            "code": plan.code, "current": plan.current, "name": _both(plan, "name"),
            "start_year": plan.start_year, "end_year": plan.end_year,
            "domains": [{"number": d.number, "title": _both(d, "title"), "objectives": [
                {"number": o.number, "title": _both(o, "title"), "to_confirm": o.to_confirm, "actions": [
                    {"number": a.number, "title": _both(a, "title"), "to_confirm": a.to_confirm} for a in o.actions]}
                for o in d.objectives]} for d in plan.domains]})
    gcm = [{"number": o.number, "title": _both(o, "title")}
           for o in db.session.scalars(select(GcmObjective).order_by(GcmObjective.number))]
    committees = [{"code": c.code, "name": _both(c, "name"),
                   "members": [{"partner": m.partner_code, "to_confirm": m.to_confirm} for m in c.members]}
                  for c in db.session.scalars(select(Committee).order_by(Committee.code))]
    referents: dict[tuple[str, int], list[str]] = {}
    for referent in db.session.scalars(select(Referent).order_by(Referent.partner_code)):
        referents.setdefault((referent.domain.action_plan_code, referent.domain.number), []).append(referent.partner_code)
    presidencies = [{"partner": p.partner_code, "title": {"en": p.title_en, "fr": p.title_fr}, "start": p.start,
                     "end": p.end, "term_end": p.term_end,
                     "handover_event": {"en": p.handover_event_en, "fr": p.handover_event_fr}
                     if p.handover_event_en or p.handover_event_fr else None}
                    for p in db.session.scalars(select(Presidency).order_by(
                        Presidency.start.is_(None).desc(), Presidency.start, Presidency.id))]
    return {
        "partners.yaml": partners, "action_plans.yaml": plans, "gcm_objectives.yaml": gcm,
        "committees.yaml": committees,
        "referents.yaml": [{"action_plan": plan, "domain": number, "partners": codes}
                           for (plan, number), codes in sorted(referents.items())],
        "presidencies.yaml": presidencies,
    }


def export_texts() -> dict[str, str]:
    """The files' texts, with a line saying where they come from."""
    header = "# Exported from the service's database (flask --app service reference export).\n"
    return {name: header + yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=120)
            for name, content in export_data().items()}


def export(folder: Path) -> list[Path]:
    """Write the files into `folder` (created if needed); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in export_texts().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
