"""Project templates: what a co-construction project is made of, declared in YAML."""

from project_templates.exceptions import TemplateError, TemplateNotFound, TemplateProblem
from project_templates.loader import (
    LoadedTemplate,
    builtin_templates,
    find_template,
    indicator_catalogue,
    load_template,
    parse_template,
)
from project_templates.phases import ProjectPhase
from project_templates.schema import ProjectTemplate, Step, StepKind, Text

__all__ = [
    "LoadedTemplate",
    "ProjectPhase",
    "ProjectTemplate",
    "Step",
    "StepKind",
    "TemplateError",
    "TemplateNotFound",
    "TemplateProblem",
    "Text",
    "builtin_templates",
    "find_template",
    "indicator_catalogue",
    "load_template",
    "parse_template",
]
