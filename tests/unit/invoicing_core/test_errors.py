import re

from invoicing_core.domain import errors


def all_subclasses(cls: type[errors.DomainError]) -> list[type[errors.DomainError]]:
    direct: list[type[errors.DomainError]] = cls.__subclasses__()
    return [sub for child in direct for sub in [child, *all_subclasses(child)]]


def test_every_domain_error_has_its_own_snake_case_code() -> None:
    codes = [error.code for error in all_subclasses(errors.DomainError)]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in codes)


def test_an_error_carries_code_message_and_field_for_the_api() -> None:
    error = errors.VoidNotAllowed("数电发票不能作废。", field="number")
    assert (error.code, error.message, error.field) == (
        "void_not_allowed",
        "数电发票不能作废。",
        "number",
    )
    assert str(error) == "数电发票不能作废。"
