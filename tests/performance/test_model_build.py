"""What creating a generated model class costs pydantic (issue 9's cold start): structural
checks, no timing. A CloudFront program builds about 50 classes on its first
``distributions.get_config``; each ``Field(...)`` written in a class, and each string
annotation of a base that pydantic evaluates again for every subclass, adds to that."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable

import pytest

from cdnkit._codegen import SERVICES
from cdnkit._codegen._ir import module_name
from cdnkit._models import (
    CamelCaseModel,
    CdnKitModel,
    PascalCaseModel,
    camel_case,
    pascal_case,
)


def test_wire_name_rules() -> None:
    assert pascal_case("caller_reference") == "CallerReference"
    assert pascal_case("items") == "Items"
    assert pascal_case("if_match") == "IfMatch"
    assert camel_case("bundle_id") == "bundleId"
    assert camel_case("ipv6_address") == "ipv6Address"
    # A trailing underscore (added to a keyword or a pydantic name) is not on the wire.
    assert pascal_case("type_") == "Type"
    assert camel_case("from_") == "from"
    # No alias where the wire name is the attribute's own.
    assert camel_case("name") is None
    assert pascal_case("Name") is None


def test_bases_give_pydantic_no_annotations_to_evaluate_per_subclass() -> None:
    for base in (CdnKitModel, PascalCaseModel, CamelCaseModel):
        assert not inspect.get_annotations(base), base.__name__
    # The class attributes are still there for the rules (and declared for type checkers).
    assert CdnKitModel.__cdnkit_quantity__ is False
    assert CdnKitModel.__cdnkit_ordered__ == ()


@pytest.mark.parametrize("service", SERVICES)
def test_only_members_the_base_cannot_derive_carry_a_written_alias(service: str) -> None:
    package = importlib.import_module(f"cdnkit.types.{module_name(service)}")
    models = [
        model
        for name in package.__all__
        if isinstance(model := getattr(package, name), type) and issubclass(model, CdnKitModel)
    ]
    assert models
    derived = written = 0
    for model in models:
        rule: Callable[[str], str | None]
        if issubclass(model, PascalCaseModel):
            rule = pascal_case
        else:
            assert issubclass(model, CamelCaseModel), model.__name__
            rule = camel_case
        for attr, field in model.model_fields.items():
            where = f"{model.__name__}.{attr}"
            # Both directions use the same wire name, and constructors keep the attribute's.
            assert field.validation_alias == field.serialization_alias, where
            assert field.alias is None, where
            wire = field.serialization_alias or attr
            if (rule(attr) or attr) == wire:
                # Given by the base's generator (priority 1), or no alias at all.
                assert field.alias_priority in (None, 1), where
                derived += 1
            else:
                assert field.alias_priority == 2, where
                written += 1
    # Most members follow their service's rule; a few (WebACLId, defaultTTL) are written out.
    assert derived > 3 * written
