"""Loading the reference data files of `config/reference/` into the database.

Idempotent: each entity is found by its natural key (a code, a number) and updated in place,
so running `flask --app service setup` again changes only what the files changed. The
presidencies are the exception: the file seeds an empty table, and from then on the presidency
handover keeps the timeline; `presidency_differences` says where the file and it disagree.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select

from config import REFERENCE_DIR

from .extensions import db
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
    """Load every reference file (not committed); returns counts per kind."""
    counts = {"partners": 0, "action_plans": 0, "actions": 0, "gcm_objectives": 0,
              "committee_members": 0, "presidencies": 0, "referents": 0}
    for item in _read("partners.yaml", folder):
        _upsert(Partner, {"code": str(item["code"])}, {
            "name_en": item["name"]["en"], "name_fr": item["name"]["fr"], "kind": item["kind"],
            "region": item.get("region"), "status": item["status"]})
        counts["partners"] += 1
    db.session.flush()

    for plan in _read("action_plans.yaml", folder):
        _upsert(ActionPlan, {"code": plan["code"]}, {
            "name_en": plan["name"]["en"], "name_fr": plan["name"]["fr"],
            "start_year": plan["start_year"], "end_year": plan["end_year"],
            "current": bool(plan.get("current"))})
        counts["action_plans"] += 1
        for domain_item in plan["domains"]:
            domain = _upsert(Domain, {"action_plan_code": plan["code"], "number": domain_item["number"]},
                             _texts(domain_item))
            db.session.flush()
            for objective_item in domain_item["objectives"]:
                objective = _upsert(Objective, {"domain_id": domain.id, "number": objective_item["number"]},
                                    {**_texts(objective_item), "to_confirm": bool(objective_item.get("to_confirm"))})
                db.session.flush()
                for action_item in objective_item["actions"]:
                    _upsert(Action, {"objective_id": objective.id, "number": action_item["number"]},
                            {**_texts(action_item), "to_confirm": bool(action_item.get("to_confirm"))})
                    counts["actions"] += 1
    db.session.flush()

    for item in _read("gcm_objectives.yaml", folder):
        _upsert(GcmObjective, {"number": item["number"]}, _texts(item))
        counts["gcm_objectives"] += 1

    for item in _read("committees.yaml", folder):
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

    db.session.execute(delete(Referent))
    for item in _read("referents.yaml", folder):
        domain = db.session.scalar(select(Domain).filter_by(action_plan_code=item["action_plan"], number=item["domain"]))
        if domain is None:
            raise ReferenceDataError(f"referents: no domain {item['domain']} in {item['action_plan']}")
        for code in item["partners"]:
            db.session.add(Referent(domain_id=domain.id, partner_code=str(code)))
            counts["referents"] += 1
    db.session.flush()
    return counts


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
