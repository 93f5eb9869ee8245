"""The procedures' BPMN files: clean under bpmnlint's recommended rules, with a diagram."""
import subprocess
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
BPMN_FILES = sorted((ROOT / "workflows" / "bpmn").glob("*.bpmn"))
LINTER = ROOT / "tools" / "bpmnlint" / "node_modules" / ".bin" / "bpmnlint"


def test_every_procedure_has_its_bpmn_file():
    from service.procedures import PROCEDURES

    owned = {process for procedure in PROCEDURES for process in procedure.processes}
    assert owned >= {"silent_procedure", "labelling_request"}
    missing = sorted(owned - {p.stem for p in BPMN_FILES})
    assert not missing, f"no BPMN file for {missing} in workflows/bpmn/"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_bpmnlint_recommended_rules(path):
    assert LINTER.exists(), "bpmnlint is not installed: run ./scripts/test (it installs tools/bpmnlint)"
    result = subprocess.run([str(LINTER), str(path)], cwd=LINTER.parent.parent.parent, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_element_has_a_place_in_the_diagram(path):
    tree = etree.parse(str(path))
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
          "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
    drawn = {e.get("bpmnElement") for e in tree.iterfind(".//bpmndi:BPMNShape", ns)}
    drawn |= {e.get("bpmnElement") for e in tree.iterfind(".//bpmndi:BPMNEdge", ns)}
    process = tree.find(".//bpmn:process", ns)
    elements = {e.get("id") for e in process.iter() if e.get("id") and isinstance(e.tag, str)
                and etree.QName(e).namespace == ns["bpmn"]
                and etree.QName(e).localname not in ("messageEventDefinition", "timerEventDefinition",
                                                     "conditionExpression", "timeDate", "timeDuration", "process", "laneSet")}
    assert elements <= drawn, sorted(elements - drawn)
