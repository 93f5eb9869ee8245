"""The BPMN engine: definitions, restricted expressions, one clock, running steps."""
