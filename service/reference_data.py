"""Loading the reference data files of `config/reference/` into the database.

Idempotent: each entity is found by its natural key (a code, a number) and updated in place,
so running `flask --app service setup` again changes only what the files changed.
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

    db.session.execute(delete(Presidency))
    for item in _read("presidencies.yaml", folder):
        event = item.get("handover_event") or {}
        db.session.add(Presidency(partner_code=str(item["partner"]), start=item.get("start"), end=item.get("end"),
                                  handover_event_en=event.get("en"), handover_event_fr=event.get("fr")))
        counts["presidencies"] += 1

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
