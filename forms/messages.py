"""Marshmallow's own messages, written out so that extraction puts them in the catalogs.

`FormSchema` makes every field's messages translatable when it binds the field; these are
the ones a form gets when it gives none of its own. A test checks that every message a form
can produce is in the catalogs.
"""
from . import Message

MARSHMALLOW_MESSAGES = [
    Message("Missing data for required field."),
    Message("Field may not be null."),
    Message("Invalid value."),
    Message("Invalid input."),
    Message("Invalid type."),
    Message("Invalid input type."),
    Message("Unknown field."),
    Message("Not a valid string."),
    Message("Not a valid utf-8 string."),
    Message("Not a valid integer."),
    Message("Not a valid number."),
    Message("Number too large."),
    Message("Special numeric values (nan or infinity) are not permitted."),
    Message("Not a valid boolean."),
    Message("Not a valid list."),
    Message("Not a valid tuple."),
    Message("Not a valid mapping type."),
    Message("Not a valid email address."),
    Message("Not a valid URL."),
    Message("Not a valid UUID."),
    Message("Not a valid date."),
    Message("Not a valid {obj_type}."),
    Message("Not a valid {awareness} {obj_type}."),
    Message("\"{input}\" cannot be formatted as a {obj_type}."),
    Message("\"{input}\" cannot be formatted as a date."),
    Message("Not a valid period of time."),
    Message("Shorter than minimum length {min}."),
    Message("Longer than maximum length {max}."),
    Message("Length must be between {min} and {max}."),
    Message("Length must be {equal}."),
    Message("Must be one of: {choices}."),
    Message("Must be greater than or equal to {min}."),
    Message("Must be less than or equal to {max}."),
    Message("Must be greater than or equal to {min} and less than or equal to {max}."),
    Message("String does not match expected pattern."),
]
