"""Model specs: TOML files parsed into frozen dataclasses, and the priors they name."""

from bayes_walk.spec.model_spec import (
    ModelSpec,
    load_spec,
    resolve_reference,
    shipped_specs,
    spec_from_dict,
    validate_spec,
)

__all__ = [
    "ModelSpec",
    "load_spec",
    "resolve_reference",
    "shipped_specs",
    "spec_from_dict",
    "validate_spec",
]
