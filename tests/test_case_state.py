"""A case's stored state: what a step writes is SpiffWorkflow's own picture of the workflow,
though finished tasks' parts are remembered between steps instead of converted again, and a
loop's finished turns are pruned."""
import json
from datetime import timedelta

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from workflows import clock, engine
from workflows.definitions import DefinitionRegistry

# Parallel branches (one with a boundary timer), an embedded subprocess, a message, a loop.
PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="d_state" targetNamespace="x">
  <bpmn:message id="m_note" name="note" />
  <bpmn:process id="state_check" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:parallelGateway id="split" />
    <bpmn:userTask id="left" name="Left" />
    <bpmn:userTask id="right" name="Right" />
    <bpmn:boundaryEvent id="right_late" attachedToRef="right" cancelActivity="true">
      <bpmn:timerEventDefinition id="t_right"><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="mark_late" name="Late"><bpmn:script>late = True</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="right_done" />
    <bpmn:parallelGateway id="join" />
    <bpmn:subProcess id="inner">
      <bpmn:startEvent id="inner_start" />
      <bpmn:userTask id="inner_task" name="Inner" />
      <bpmn:endEvent id="inner_end" />
      <bpmn:sequenceFlow id="i1" sourceRef="inner_start" targetRef="inner_task" />
      <bpmn:sequenceFlow id="i2" sourceRef="inner_task" targetRef="inner_end" />
    </bpmn:subProcess>
    <bpmn:intermediateCatchEvent id="noted">
      <bpmn:messageEventDefinition id="md_note" messageRef="m_note">
        <bpmn:extensionElements><spiffworkflow:messageVariable>note</spiffworkflow:messageVariable></bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:exclusiveGateway id="again_q" default="f_end" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="left" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="right" />
    <bpmn:sequenceFlow id="f4" sourceRef="left" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="right" targetRef="right_done" />
    <bpmn:sequenceFlow id="f5b" sourceRef="right_done" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="right_late" targetRef="mark_late" />
    <bpmn:sequenceFlow id="f7" sourceRef="mark_late" targetRef="right_done" />
    <bpmn:sequenceFlow id="f8" sourceRef="join" targetRef="inner" />
    <bpmn:sequenceFlow id="f9" sourceRef="inner" targetRef="noted" />
    <bpmn:sequenceFlow id="f10" sourceRef="noted" targetRef="again_q" />
    <bpmn:sequenceFlow id="f_again" sourceRef="again_q" targetRef="split">
      <bpmn:conditionExpression>again</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_end" sourceRef="again_q" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""

# SpiffWorkflow's own task conversion, every task converted at each dump.
_PLAIN = BpmnWorkflowSerializer(
    BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, BpmnWorkflow: engine._CaseStateConverter}),
    json_encoder_cls=engine._StateEncoder)


def _complete(workflow, bpmn_id, data):
    task = next(t for t in engine.ready_user_tasks(workflow) if t.bpmn_id == bpmn_id)
    engine.complete_user_task(workflow, task.id, data)


def test_each_dump_is_what_spiffworkflow_itself_writes(tmp_path):
    (tmp_path / "state_check.bpmn").write_text(PROCESS)
    definition = DefinitionRegistry([str(tmp_path)], set(), {"secretariat"}).get("state_check")
    workflow = engine.start(definition.spec, definition.subprocess_specs, {"n": 0}, engine.Services())
    dumps = 0

    def same_as_plain():
        nonlocal dumps
        stored = json.loads(engine.dump(workflow))
        assert stored == json.loads(_PLAIN.serialize_json(workflow))
        dumps += 1
        # And the state restores to the same workflow.
        again = engine.restore(engine.dump(workflow), definition.spec, definition.subprocess_specs,
                               engine.Services())
        assert json.loads(_PLAIN.serialize_json(again)) == stored

    same_as_plain()
    for turn in range(8):
        _complete(workflow, "left", {"left_turn": turn})
        same_as_plain()
        if turn % 2:
            # The right branch is late: its boundary timer cancels it, and the join goes on.
            clock.advance(timedelta(hours=2))
            engine.fire_due_timers(workflow)
            assert workflow.data.get("late") or any(t.data.get("late") for t in workflow.tasks.values())
        else:
            _complete(workflow, "right", {"right_turn": turn, "items": [turn, {"deep": turn}]})
        same_as_plain()
        _complete(workflow, "inner_task", {"inner": f"turn {turn}", "again": turn < 7})
        same_as_plain()
        engine.deliver_message(workflow, "note", {"text": f"note {turn}"})
        same_as_plain()
    assert workflow.is_completed() and dumps == 33
    # Earlier turns of plain stretches are pruned (`workflows.history`): one finished instance
    # of each is left; branch points and joins stay, one per turn.
    names = [task.task_spec.name for task in workflow.tasks.values()]
    assert names.count("noted") == 1 and names.count("again_q") == 1
    assert names.count("split") == 8
