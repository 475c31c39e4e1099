"""OpenAPI descriptions of what the API reads and writes that no serializer describes: model files
(docs/model-format.md), their costing (``cost_model --json``), cohorts, errors.

Kept close to the format so that a client can generate code from it and the fuzzer
(schemathesis) checks every response against it. Built from the engine's own enums.
"""

from __future__ import annotations

from costing import engine, limits

MONEY = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "example": "31.39"}
FIGURE = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "example": "95"}  # minutes, rates: no exponent
NUMBER_IN = {"oneOf": [{"type": "string", "maxLength": 100}, {"type": "number"}]}  # files take either
KEY = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]*$", "maxLength": limits.MAX_KEY_LENGTH}
TEXT = {"type": "string", "minLength": 1, "maxLength": limits.MAX_NAME_LENGTH}
CONDITIONS = {"type": "array", "items": {"type": "string", "maxLength": limits.MAX_KEY_LENGTH}}
PERIOD = {"type": "string", "enum": [p.value for p in engine.Period]}
STEP = {"type": "string", "enum": [s.value for s in engine.Step]}
COST_BASIS = {"type": "string", "enum": [b.value for b in engine.CostBasis]}
COUNT = {"type": "integer", "minimum": 0, "maximum": limits.MAX_COHORT_PATIENTS}

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What is wrong, in one line."}},
    "required": ["detail"],
}
MODEL_FILE_ERROR = {
    "type": "object",
    "properties": {
        "detail": {
            "type": "string",
            "description": "The same one line as `cost_model` prints: where, then the problem.",
            "example": "before[2].pathway: unknown pathway 'copd'",
        },
        "field": {"type": "string", "description": "Where the problem is, in the file's terms ('' for the whole)."},
        "problem": {"type": "string"},
    },
    "required": ["detail", "field", "problem"],
}


def _role(number) -> dict:
    return {
        "type": "object",
        "properties": {
            "key": KEY,
            "name": TEXT,
            "band": {"type": "string", "maxLength": 50},
            "cost_per_hour": number,
            "annual_salary": number,
            "on_cost_percent": number,
            "paid_hours_per_year": number,
            "cost_basis": COST_BASIS,
        },
        "required": ["key", "name"],
    }


def _stage(number) -> dict:
    return {
        "type": "object",
        "properties": {
            "name": TEXT,
            "step": STEP,
            "role": KEY,
            "minutes": number,
            "extra_cost": number,
            "visit": {"type": "integer", "minimum": 1, "maximum": limits.MAX_VISIT_NUMBER},
            "printed_cost": number,
        },
        "required": ["name", "step"],
    }


def _group() -> dict:
    return {
        "type": "object",
        "properties": {"key": KEY, "label": TEXT, "people": COUNT, "conditions": CONDITIONS},
        "required": ["key", "label", "people"],
    }


def _cohort(number) -> dict:
    return {
        "type": "object",
        "description": "Gives `patients` or names a `group` (version 2), never both.",
        "properties": {
            "label": TEXT,
            "conditions": CONDITIONS,
            "patients": COUNT,
            "group": KEY,
            "pathway": KEY,
            "times": {"type": "integer", "minimum": 1, "maximum": limits.MAX_TIMES},
            "exceptions": COUNT,
            "printed_cost_per_patient": number,
            "printed_contact_minutes": number,
        },
        "required": ["label", "pathway"],
    }


def _model_file(number, versions: list[int]) -> dict:
    return {
        "type": "object",
        "description": "A cost model file (docs/model-format.md).",
        "properties": {
            "format": {"type": "string", "enum": ["pcsp-cost-model"]},
            "version": {"type": "integer", "enum": versions},
            "name": TEXT,
            "period": PERIOD,
            "description": {"type": "string", "maxLength": 10_000},
            "roles": {"type": "array", "items": _role(number), "maxItems": limits.MAX_ROLES},
            "pathways": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "key": KEY,
                        "name": TEXT,
                        "description": {"type": "string"},
                        "stages": {"type": "array", "items": _stage(number)},
                    },
                    "required": ["key", "name", "stages"],
                },
            },
            "groups": {"type": "array", "items": _group()},
            "before": {"type": "array", "items": _cohort(number)},
            "after": {"type": "array", "items": _cohort(number)},
        },
        "required": ["format", "version", "name", "period", "roles", "pathways", "before", "after"],
    }


MODEL_FILE_IN = _model_file(NUMBER_IN, [1, 2])  # what the API reads, as cost_model does
MODEL_FILE_OUT = _model_file(FIGURE, [2])  # what it writes: version 2, figures as text

COHORTS_IN = {
    "type": "object",
    "description": "A model's groups of people and both sides' cohorts, as in a version 2 model file; "
    "a cohort's pathway is a pathway key of the practice.",
    "properties": {
        "version": {"type": "integer", "description": "Ignored (as read): the version to replace is If-Match's."},
        "groups": {"type": "array", "items": _group()},
        "before": {"type": "array", "items": _cohort(NUMBER_IN)},
        "after": {"type": "array", "items": _cohort(NUMBER_IN)},
    },
    "required": ["before", "after"],
}
COHORTS_OUT = {
    "type": "object",
    "properties": {
        "version": {"type": "integer", "description": "The model's version: send it back in If-Match to replace."},
        "groups": {"type": "array", "items": _group()},
        "before": {"type": "array", "items": _cohort(FIGURE)},
        "after": {"type": "array", "items": _cohort(FIGURE)},
    },
    "required": ["version", "groups", "before", "after"],
}

_BY_KEY = {"type": "object", "additionalProperties": FIGURE}
_MONEY_BY_KEY = {"type": "object", "additionalProperties": MONEY}
_SIDE = {
    "type": "object",
    "properties": {
        "cost": MONEY,
        "patients": {"type": "integer"},
        "people": {"type": "integer"},
        "reviews": {"type": "integer"},
        "visits": {"type": "integer"},
        "contact_minutes": FIGURE,
        "staff_minutes": _BY_KEY,
        "staff_cost": _MONEY_BY_KEY,
        "extra_cost": MONEY,
        "cost_by_step": _MONEY_BY_KEY,
        "cohorts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "label": {"type": "string"},
                    "conditions": {"type": "array", "items": {"type": "string"}},
                    "pathway": {"type": "string"},
                    "patients": {"type": "integer"},
                    "times": {"type": "integer"},
                    "exceptions": {"type": "integer"},
                    "cost_per_patient": MONEY,
                    "cost": MONEY,
                    "visits": {"type": "integer"},
                    "contact_minutes": FIGURE,
                },
            },
        },
    },
    "required": ["cost", "patients", "people", "reviews", "visits", "contact_minutes", "cohorts"],
}
COSTING = {
    "type": "object",
    "description": "Exactly what `manage.py cost_model FILE --json` prints for the model (docs/model-format.md).",
    "properties": {
        "name": {"type": "string"},
        "period": PERIOD,
        "roles": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "key": {"type": "string"},
                    "name": {"type": "string"},
                    "cost_per_hour": MONEY,
                    "cost_per_minute": {"type": "string"},
                    "cost_basis": {"type": "string", "nullable": True},
                },
            },
        },
        "before": _SIDE,
        "after": _SIDE,
        "saving": MONEY,
        "saving_percent": {"type": "string", "description": "Absent when the cost before is 0."},
        "annual": {
            "type": "object",
            "description": "A year's figures; absent for a model per patient.",
            "properties": {"before": MONEY, "after": MONEY, "saving": MONEY},
        },
        "discrepancies": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "where": {"type": "string"},
                    "what": {"type": "string"},
                    "printed": {"type": "string"},
                    "computed": {"type": "string"},
                },
            },
        },
    },
    "required": ["name", "period", "before", "after", "saving", "discrepancies"],
}

# ------------------------------------------------------------------ practice profiles (api/profiles.py)

_AGE_BAND = {
    "type": "object",
    "properties": {
        "ages": {"type": "string", "maxLength": 20, "example": "18+", "description": "0-17, or 65+ for 65 and over."},
        "people": COUNT,
    },
    "required": ["ages", "people"],
}
_REGISTER = {
    "type": "object",
    "properties": {"code": {"type": "string", "maxLength": limits.MAX_KEY_LENGTH, "example": "DM"}, "people": COUNT},
    "required": ["code", "people"],
}
_PROFILE_GROUP = {
    "type": "object",
    "description": "People with one set of conditions (`conditions`), or with a number of them "
    "(`number_of_conditions`: 2, or 3+ for 3 or more), never both.",
    "properties": {
        "conditions": CONDITIONS,
        "number_of_conditions": {"type": "string", "nullable": True, "maxLength": 10, "example": "3+"},
        "people": COUNT,
    },
    "required": ["people"],
}


def _profile(*, out: bool) -> dict:
    properties = {
        "read_on": {"type": "string", "format": "date", "description": "The date of the clinical-system search."},
        "note": {"type": "string", "maxLength": limits.MAX_NAME_LENGTH, "description": "Where the counts came from."},
        "list_size": COUNT,
        "age_bands": {"type": "array", "items": _AGE_BAND},
        "registers": {"type": "array", "items": _REGISTER},
        "groups": {"type": "array", "items": _PROFILE_GROUP},
    }
    read_only = {
        "id": {"type": "integer"},
        "version": {"type": "integer", "description": "The profile's version: send it back in If-Match to replace."},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    }
    if out:
        return {
            "type": "object",
            "properties": {**read_only, **properties},
            "required": [*read_only, *properties],
        }
    return {
        "type": "object",
        "description": "A practice profile: counts only. The same rules as the profile import: bands no more than "
        "the list (all of it when they cover every age), groups within their registers. Keys the API writes "
        "(id, version, created_at, updated_at) may be sent back and are ignored.",
        "properties": {**properties, **{k: {"description": "Ignored (as read)."} for k in read_only}},
        "required": ["read_on", "list_size"],
    }


PROFILE_IN = _profile(out=False)
PROFILE_OUT = _profile(out=True)
PROFILE_ERROR = {
    "type": "object",
    "properties": {
        **MODEL_FILE_ERROR["properties"],
        "detail": {
            "type": "string",
            "description": "Every problem in one line, each where it is, then what is wrong.",
            "example": "groups[1].people: the groups with DM add up to 60 people, more than the 50 on its register",
        },
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "problem": {"type": "string"}},
                "required": ["field", "problem"],
            },
        },
    },
    "required": [*MODEL_FILE_ERROR["required"], "problems"],
}
