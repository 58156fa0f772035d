"""FieldsBuiltOnce: fields built once per class and thread, yet no two serializer instances share a bound
field, and each instance validates on its own."""

import threading

from rest_framework import serializers

from safeguarding.common.api import FieldsBuiltOnce


class Child(FieldsBuiltOnce):
    name = serializers.CharField(max_length=5)


class Parent(FieldsBuiltOnce):
    tags = serializers.ListField(child=serializers.ChoiceField(choices=["a", "b"]))
    child = Child(required=False)


def test_each_instance_binds_its_own_fields_to_itself() -> None:
    first, second = Parent(data={"tags": ["a"]}), Parent(data={"tags": ["c"]})
    for serializer in (first, second):
        assert all(field.parent is serializer for field in serializer.fields.values())
    assert first.fields["tags"] is not second.fields["tags"]
    assert first.is_valid(), first.errors
    assert not second.is_valid()
    assert "tags" in second.errors and first.validated_data == {"tags": ["a"]}


def test_a_nested_serializer_validates_per_instance() -> None:
    good = Parent(data={"tags": ["b"], "child": {"name": "Kai"}})
    bad = Parent(data={"tags": ["b"], "child": {"name": "Too long a name"}})
    assert good.is_valid(), good.errors
    assert not bad.is_valid() and "name" in bad.errors["child"]
    assert good.validated_data["child"] == {"name": "Kai"}


def test_each_thread_builds_its_own_template() -> None:
    templates: list[object] = []

    def build() -> None:
        assert Parent(data={}).fields  # builds them
        templates.append(Parent._fields_template.fields)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(templates) == 2 and templates[0] is not templates[1]


def test_a_field_is_copied_as_copy_copy_would_copy_it() -> None:
    """The fast shallow copy matches copy.copy for every field of the API's busiest serializers."""
    import copy

    from referrals.apis import ReferralCreateSerializer, ReferralDetailOutputSerializer
    from safeguarding.common.api import _shallow_copy

    for serializer_class in (ReferralCreateSerializer, ReferralDetailOutputSerializer, Parent):
        for field in serializer_class().get_fields().values():
            fast, generic = _shallow_copy(field), copy.copy(field)
            assert type(fast) is type(generic) and fast is not field
            assert vars(fast) == vars(generic)
