"""Transforms and conditions of a mapping rule, and reading a value from a record
(a column, or a dotted path in nested JSON)."""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from core.text import fold

_TAG = re.compile(r"<[^>]+>")


class MappingError(ValueError):
    """The mapping itself is wrong; the message names the place (French)."""


def get_path(data: Any, path: str) -> Any:
    """Value at a column name, or at a dotted path in nested JSON (« label.@value »).
    An exact column name wins over a dotted reading (CSV headers may hold dots)."""
    if isinstance(data, dict) and path in data:
        return data[path]
    current = data
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def _empty(value) -> bool:
    return (
        value is None
        or value == ""
        or value == []
        or (isinstance(value, str) and not value.strip())
    )


# --- placeholders (« null_values ») -----------------------------------------------------


def _null_set(values, where: str) -> frozenset[str]:
    if values is None:
        return frozenset()
    if not isinstance(values, list):
        raise MappingError(
            _('%(where)s : « null_values » attend une liste (par exemple [NR, "-"]).')
            % {"where": where}
        )
    return frozenset(_as_text(v).strip().casefold() for v in values if v is not None)


def _nullify(value, nulls: frozenset[str]):
    """A placeholder (« NR », « - »…) reads as empty; in a list, it is dropped."""
    if not nulls or value is None:
        return value
    if isinstance(value, list):
        return [v for v in value if _nullify(v, nulls) is not None]
    if isinstance(value, (str, int, float)) and _as_text(value).strip().casefold() in nulls:
        return None
    return value


# --- transforms ---------------------------------------------------------------------------


def _each(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Apply to each item of a list, or to a single value; drop emptied items."""

    def apply(value):
        if isinstance(value, list):
            return [r for r in (function(v) for v in value) if not _empty(r)]
        return None if _empty(value) else function(value)

    return apply


def _as_text(value) -> str:
    if isinstance(value, dict):
        value = value.get("@value") or value.get("value") or ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _map_transform(table: dict, default):
    folded = {fold(str(k)): v for k, v in table.items()}

    def lookup(value):
        key = fold(_as_text(value))
        if key in folded:
            return folded[key]
        return default

    def apply(value):
        if isinstance(value, list):
            out = []
            for item in value:
                mapped = lookup(item)
                if isinstance(mapped, list):
                    out.extend(mapped)
                elif not _empty(mapped):
                    out.append(mapped)
            return list(dict.fromkeys(out))
        return None if _empty(value) else lookup(value)

    return apply


def _date(fmt: str):
    def parse(value):
        text = _as_text(value).strip()
        for candidate in (fmt, "%Y-%m-%d", "%d/%m/%Y", "%Y"):
            try:
                return datetime.datetime.strptime(text, candidate).date().isoformat()
            except ValueError:
                continue
        raise TransformError(
            _("« %(value)s » n'est pas une date (%(fmt)s).") % {"value": text, "fmt": fmt}
        )

    return parse


def _year(value):
    match = re.search(r"(1[89]\d\d|20\d\d)", _as_text(value))
    if not match:
        raise TransformError(_("« %(value)s » ne contient pas d'année.") % {"value": value})
    return int(match.group(1))


def _url(value):
    text = _as_text(value).strip()
    if text and "://" not in text:
        text = f"https://{text.lstrip('/')}"
    return text


def _number(value):
    text = _as_text(value).strip().replace(",", ".").replace(" ", "")
    try:
        return float(text)
    except ValueError:
        raise TransformError(_("« %(value)s » n'est pas un nombre.") % {"value": value}) from None


class TransformError(ValueError):
    """A value could not be transformed; the record is rejected with this reason."""


def _transform(spec, where: str) -> Callable[[Any], Any]:
    simple: dict[str, Callable[[Any], Any]] = {
        "trim": _each(lambda v: _as_text(v).strip()),
        "lower": _each(lambda v: _as_text(v).lower()),
        "upper": _each(lambda v: _as_text(v).upper()),
        "capitalize": _each(lambda v: _as_text(v)[:1].upper() + _as_text(v)[1:]),
        "strip_html": _each(lambda v: html.unescape(_TAG.sub(" ", _as_text(v))).strip()),
        "collapse_spaces": _each(lambda v: " ".join(_as_text(v).split())),
        "url": _each(_url),
        "email": _each(lambda v: _as_text(v).strip().lower()),
        "year": _each(_year),
        "number": _each(_number),
        "first": lambda v: (v[0] if v else None) if isinstance(v, list) else v,
        "unique": lambda v: list(dict.fromkeys(v)) if isinstance(v, list) else v,
        "text": _each(_as_text),
    }
    if isinstance(spec, str):
        if spec not in simple:
            raise MappingError(
                _("%(where)s : transformation inconnue « %(name)s ».")
                % {"where": where, "name": spec}
            )
        return simple[spec]
    if not isinstance(spec, dict) or len([k for k in spec if k != "default"]) != 1:
        raise MappingError(_("%(where)s : transformation mal écrite.") % {"where": where})
    name = next(k for k in spec if k != "default")
    argument = spec[name]
    if name == "split":
        pattern = re.compile(
            "|".join(re.escape(s) for s in (argument if isinstance(argument, list) else [argument]))
        )

        def split(value):
            items = value if isinstance(value, list) else [value]
            out = []
            for item in items:
                if not _empty(item):
                    out.extend(p.strip() for p in pattern.split(_as_text(item)) if p.strip())
            return out

        return split
    if name == "split_regex":
        try:
            pattern = re.compile(str(argument))
        except re.error as exc:
            raise MappingError(
                _("%(where)s : expression régulière invalide (%(error)s).")
                % {"where": where, "error": exc}
            ) from None

        def split_regex(value):
            items = value if isinstance(value, list) else [value]
            out = []
            for item in items:
                if not _empty(item):
                    parts = pattern.split(_as_text(item))
                    out.extend(p.strip() for p in parts if isinstance(p, str) and p.strip())
            return out

        return split_regex
    if name == "map":
        if not isinstance(argument, dict):
            raise MappingError(_("%(where)s : « map » attend une table.") % {"where": where})
        return _map_transform(argument, spec.get("default"))
    if name == "replace":
        old, new = argument
        return _each(lambda v: _as_text(v).replace(old, new))
    if name == "truncate":
        limit = int(argument)
        return _each(
            lambda v: (
                _as_text(v)
                if len(_as_text(v)) <= limit
                else _as_text(v)[: limit - 1].rsplit(" ", 1)[0] + "…"
            )
        )
    if name == "date":
        return _each(_date(argument))
    if name == "regex":
        pattern = re.compile(argument)

        def extract(value):
            match = pattern.search(_as_text(value))
            return (match.group(1) if match.groups() else match.group(0)) if match else None

        return _each(extract)
    if name == "prefix":
        return _each(lambda v: f"{argument}{_as_text(v)}")
    if name == "suffix":
        return _each(lambda v: f"{_as_text(v)}{argument}")
    if name == "template":
        return _each(lambda v: argument.replace("{value}", _as_text(v)))
    raise MappingError(
        _("%(where)s : transformation inconnue « %(name)s ».") % {"where": where, "name": name}
    )


# --- conditions ------------------------------------------------------------------------------
# A condition is called with the record and its named values (``$name``, see
# mapping.py); it reads values through ``read``, which treats the mapping's
# placeholders (« null_values ») as empty.

Reader = Callable[[dict, Any, str], Any]


def _plain_read(data: dict, scope: Any, path: str) -> Any:
    return get_path(data, path)


def _condition(spec, where: str, read: Reader = _plain_read) -> Callable[[dict, Any], bool]:
    if isinstance(spec, list):
        spec = {"all": spec}
    if isinstance(spec, dict) and len(spec) == 1 and next(iter(spec)) in ("not", "any", "all"):
        ((operator, argument),) = spec.items()
        if operator == "not":
            inner = _condition(argument, f"{where}.not", read)
            return lambda data, scope: not inner(data, scope)
        if not isinstance(argument, list) or not argument:
            raise MappingError(
                _("%(where)s : « %(op)s » attend une liste de conditions.")
                % {"where": where, "op": operator}
            )
        parts = [_condition(c, f"{where}.{operator}[{i}]", read) for i, c in enumerate(argument)]
        if operator == "any":
            return lambda data, scope: any(part(data, scope) for part in parts)
        return lambda data, scope: all(part(data, scope) for part in parts)
    if not isinstance(spec, dict) or "column" not in spec:
        raise MappingError(
            _(
                "%(where)s : une condition porte sur une colonne (« column ») ou combine "
                "d'autres conditions (« not », « any », « all »)."
            )
            % {"where": where}
        )
    column = str(spec["column"]).strip()

    def value(data, scope):
        return read(data, scope, column)

    if "equals" in spec:
        expected = fold(_as_text(spec["equals"]))
        return lambda data, scope: fold(_as_text(value(data, scope) or "")) == expected
    if "in" in spec:
        allowed = {fold(_as_text(v)) for v in spec["in"]}
        return lambda data, scope: fold(_as_text(value(data, scope) or "")) in allowed
    if "empty" in spec:
        wanted = bool(spec["empty"])
        return lambda data, scope: _empty(value(data, scope)) == wanted
    if "matches" in spec:
        pattern = re.compile(spec["matches"], re.IGNORECASE)
        return lambda data, scope: bool(pattern.search(_as_text(value(data, scope) or "")))
    raise MappingError(
        _("%(where)s : condition inconnue (equals, in, empty ou matches).") % {"where": where}
    )


def condition_columns(spec) -> list[str]:
    """The columns a (checked) condition reads."""
    if isinstance(spec, list):
        return [c for part in spec for c in condition_columns(part)]
    if isinstance(spec, dict):
        if "column" in spec:
            return [str(spec["column"]).strip()]
        return [c for value in spec.values() for c in condition_columns(value)]
    return []


# --- rules -----------------------------------------------------------------------------------
