"""The programme's code uses its libraries through their public interfaces only.

A library's private names (a leading underscore) change without notice between releases; code
that imports them, reads or writes them, overrides them or patches a library's classes turns
every upgrade of Django, DRF, redis-py, django-csp or auditlog into a risk. This reads every
module of the programme (not the tests) and fails on:

- `from library import _private`, `import library._private`, `from library._private import x`;
- `name._private`, where `name` comes from a library (a module, a class, a function);
- `obj._private` on any object, read or written, unless the programme itself defines or sets
  that name (a method, an attribute, an `annotate(_name=…)` column) and no library the module
  imports uses it;
- a private method of a library class overridden or called through `super()` in a subclass;
- an attribute assigned on a library module or class (`RedisCache.add = …`, `setattr(…)`).

Setting a library object's public attributes (`admin.site.site_header`) is its interface.

Allowed: dunders, Django's documented `_meta`, `_default_manager`, `_base_manager` and `_state`,
namedtuples' `_replace`, `_asdict`, `_fields`, `_make`.
"""

import ast
import importlib
import importlib.util
import inspect
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "talentoffice",
    "partners",
    "assistants",
    "cases",
    "steering",
    "mobile",
    "partner_api",
    "demo",
    "bench",
]
# The bench scripts import each other by their bare names.
PROJECT = {*PACKAGES, "tests", *(script.stem for script in (ROOT / "bench").glob("*.py"))}
ALLOWED = {"_meta", "_default_manager", "_base_manager", "_state"}
ALLOWED |= {"_replace", "_asdict", "_fields", "_make", "_"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_library(module: str) -> bool:
    top = module.split(".")[0]
    return bool(top) and top not in PROJECT


def project_files() -> list[Path]:
    files = []
    for package in PACKAGES:
        files.extend(sorted((ROOT / package).rglob("*.py")))
    return files


class Definitions(ast.NodeVisitor):
    """The private names the programme defines itself, anywhere."""

    def __init__(self):
        self.names = set()
        # Set on other objects (`assistant._helped = …`); `response._has_been_logged = …` sets
        # one of Django's, which the check tells by the libraries' sources.
        self.stored = set()

    def visit_FunctionDef(self, node):
        self.names.add(node.name)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.names.add(node.name)
        self.generic_visit(node)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Store):
            self.names.add(node.id)

    def visit_Attribute(self, node):
        # Attributes the programme's own classes set on themselves.
        owner = node.value
        if isinstance(node.ctx, ast.Store):
            if isinstance(owner, ast.Name) and owner.id in {"self", "cls"}:
                self.names.add(node.attr)
            else:
                self.stored.add(node.attr)
        self.generic_visit(node)

    def visit_Call(self, node):
        if getattr(node.func, "id", None) == "setattr" and len(node.args) >= 2:
            name = node.args[1]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                self.stored.add(name.value)
        self.generic_visit(node)

    def visit_keyword(self, node):
        # annotate(_count=…), Prefetch(to_attr="_x") are the programme's names.
        if node.arg:
            self.names.add(node.arg)
        if isinstance(node.value, ast.Constant) and node.arg == "to_attr":
            self.names.add(node.value.value)
        self.generic_visit(node)


@dataclass(frozen=True)
class Own:
    """The private names the programme defines, and those it sets on objects."""

    defined: frozenset = frozenset()
    stored: frozenset = frozenset()


def defined_names(sources: list[str]) -> Own:
    definitions = Definitions()
    for source in sources:
        definitions.visit(ast.parse(source))
    private = {name for name in definitions.names if is_private(name)}
    stored = {name for name in definitions.stored if is_private(name)} - private
    return Own(frozenset(private), frozenset(stored))


@cache
def library_text(top: str) -> str:
    """The source of an installed library, to tell whether it uses a name."""
    spec = importlib.util.find_spec(top)
    if spec is None or spec.origin in (None, "built-in", "frozen"):
        return ""
    locations = spec.submodule_search_locations
    if not locations:
        return Path(spec.origin).read_text(errors="ignore") if spec.origin.endswith(".py") else ""
    return "\n".join(
        path.read_text(errors="ignore") for place in locations for path in Path(place).rglob("*.py")
    )


@dataclass
class Checker(ast.NodeVisitor):
    """Finds the uses of libraries' private names in one module."""

    own: Own
    problems: list[str] = field(default_factory=list)
    # Local name -> dotted path of the library object it stands for.
    library_names: dict[str, str] = field(default_factory=dict)
    classes: list[list[str]] = field(default_factory=list)
    # The top-level packages of the libraries the module imports.
    libraries: set[str] = field(default_factory=set)

    def is_own(self, name: str) -> bool:
        """Whether `obj.<name>` on an object of unknown kind is the programme's own attribute:
        the programme defines or sets that name, and no library the module imports uses it."""
        if name in ALLOWED:
            return True
        if name not in self.own.defined and name not in self.own.stored:
            return False
        return not any(name in library_text(top) for top in self.libraries)

    def report(self, node, message):
        self.problems.append(f"line {node.lineno}: {message}")

    def visit_Import(self, node):
        for alias in node.names:
            if not is_library(alias.name):
                continue
            if any(is_private(part) for part in alias.name.split(".")):
                self.report(node, f"imports the private module {alias.name}")
            local = alias.asname or alias.name.split(".")[0]
            self.library_names[local] = alias.name if alias.asname else local
            self.libraries.add(alias.name.split(".")[0])

    def visit_ImportFrom(self, node):
        module = node.module or ""
        if node.level or not is_library(module):
            return
        if any(is_private(part) for part in module.split(".")):
            self.report(node, f"imports from the private module {module}")
        self.libraries.add(module.split(".")[0])
        for alias in node.names:
            if is_private(alias.name):
                self.report(node, f"imports the private name {alias.name} from {module}")
            self.library_names[alias.asname or alias.name] = f"{module}.{alias.name}"

    def visit_ClassDef(self, node):
        bases = [self.library_path(base) for base in node.bases]
        self.classes.append([base for base in bases if base])
        for statement in node.body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                self.check_override(statement, statement.name)
        self.generic_visit(node)
        self.classes.pop()

    def library_path(self, node) -> str | None:
        """The dotted path of a library object this expression names, if it names one."""
        if isinstance(node, ast.Name):
            return self.library_names.get(node.id)
        if isinstance(node, ast.Attribute):
            owner = self.library_path(node.value)
            return f"{owner}.{node.attr}" if owner else None
        return None

    def library_bases(self) -> list:
        return [resolve(path) for path in (self.classes[-1] if self.classes else [])]

    def check_override(self, node, name):
        if not is_private(name) or name in ALLOWED:
            return
        for base in self.library_bases():
            if base is not None and hasattr(base, name):
                self.report(node, f"overrides the private {name} of {base.__qualname__}")

    def visit_Attribute(self, node):
        name = node.attr
        if is_private(name) and name not in ALLOWED:
            owner = node.value
            library = self.library_path(owner)
            if library is not None:
                self.report(node, f"uses the private {library}.{name}")
            elif isinstance(owner, ast.Call) and getattr(owner.func, "id", None) == "super":
                if any(base is not None and hasattr(base, name) for base in self.library_bases()):
                    self.report(node, f"calls the private super().{name} of a library class")
            elif isinstance(owner, ast.Name) and owner.id in {"self", "cls"}:
                # A private name the programme never defines can only come from a library
                # class, even when the class reaching it is one of the programme's mixins.
                if name not in self.own.defined and name not in self.own.stored:
                    self.report(node, f"uses the private self.{name} of a library class")
            elif not self.is_own(name):
                self.report(node, f"uses the private attribute .{name} of a library object")
        if isinstance(node.ctx, ast.Store) and self.names_library_type(node.value):
            self.report(node, f"assigns {name} on the library's {self.library_path(node.value)}")
        self.generic_visit(node)

    def names_library_type(self, node) -> bool:
        """Whether this expression names a library's module or class (not an instance)."""
        path = self.library_path(node)
        if path is None:
            return False
        value = resolve(path)
        return value is None or inspect.ismodule(value) or inspect.isclass(value)

    def visit_Call(self, node):
        function = getattr(node.func, "id", None)
        if function in {"getattr", "setattr", "hasattr", "delattr"} and len(node.args) >= 2:
            target, name = node.args[0], node.args[1]
            literal = isinstance(name, ast.Constant) and isinstance(name.value, str)
            if literal and is_private(name.value) and not self.is_own(name.value):
                self.report(node, f"{function}(…, {name.value!r}) reaches a private name")
            if function in {"setattr", "delattr"} and self.names_library_type(target):
                self.report(node, f"{function} on the library's {self.library_path(target)}")
        self.generic_visit(node)


def resolve(path: str):
    """The library object at a dotted path, or None where it cannot be imported."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:]:
                value = getattr(value, part)
        except AttributeError:
            return None
        return value
    return None


def problems_in(source: str, own: Own = Own()) -> list[str]:
    checker = Checker(own=own)
    checker.visit(ast.parse(source))
    return checker.problems


# --- the checker itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "from auditlog.context import {p}set_extra_data",
        "import redis.{p}parsers",
        "from django.db.models.sql import {p}private_module",
        "from csp.middleware import CSPMiddleware\nCSPMiddleware.{p}csp_nonce_post_response()",
        "from django.core.cache import caches\ncaches['default']._cache.get_client()",
        "from django.http import JsonResponse\n\n"
        "def view(request):\n    response = JsonResponse({})\n    response._has_been_logged = True",
        "from django.core.cache.backends.redis import RedisCache\nRedisCache.add = print",
        "import rest_framework.throttling\nrest_framework.throttling.SimpleRateThrottle.cache = 1",
        "from redis import Redis\nsetattr(Redis, 'execute_command', print)",
        "def spy(request):\n    return getattr(request, '_csp_nonce', None)",
        (
            "from drf_spectacular.openapi import AutoSchema\n"
            "class Schema(AutoSchema):\n"
            "    def _get_response_bodies(self, direction='response'):\n"
            "        return super()._get_response_bodies(direction)\n"
        ),
        (
            "from csp.middleware import CSPMiddleware\n"
            "class Policy(CSPMiddleware):\n"
            "    def process_response(self, request, response):\n"
            "        return self._make_nonce(request)\n"
        ),
    ],
)
def test_the_checker_finds_a_private_name_or_a_patch(source):
    # The samples spell a private name's leading underscore as {p}, so that no line of this
    # file reads as a real import of one.
    assert problems_in(source.replace("{p}", "_")) != []


@pytest.mark.parametrize(
    "source",
    [
        "from django.utils.translation import gettext_lazy as _",
        "from django.db import models\nclass M(models.Model):\n    x = 1\nM._meta.get_field('x')",
        "def f(case):\n    return case._state.adding, type(case)._default_manager",
        "from csp.middleware import CSPMiddleware\n"
        "class Policy(CSPMiddleware):\n"
        "    def get_policy_parts(self, request, response, report_only=False):\n"
        "        return super().get_policy_parts(request, response, report_only)\n",
        "class Own:\n    def _helper(self):\n        return self._cache\n"
        "    def __init__(self):\n        self._cache = {}\n",
        "def f(qs):\n    return [row._count for row in qs.annotate(_count=1)]",
        "from django.db import models\n\n"
        "def remember(person):\n    person._helped_ids = [1]\n"
        "    return getattr(person, '_helped_ids', None)",
        "from django.contrib import admin\nadmin.site.site_header = 'TalentOffice'",
        "from collections import namedtuple\nP = namedtuple('P', 'x')\nP(1)._replace(x=2)",
    ],
)
def test_the_checker_lets_public_names_and_the_programmes_own_pass(source):
    own = defined_names([source])
    assert problems_in(source, own) == []


def test_a_name_the_programme_also_uses_is_still_private_on_a_librarys_object():
    own = defined_names(["class Memo:\n    def __init__(self):\n        self._cache = {}\n"])
    source = "from django.core.cache import caches\nclient = caches['default']._cache.get_client()"

    assert problems_in(source, own) != []


# --- the programme -----------------------------------------------------------------------------


def test_no_module_of_the_programme_touches_a_librarys_private_names():
    files = project_files()
    assert len(files) > 50, "the modules were found"
    sources = {path: path.read_text() for path in files}
    own = defined_names(list(sources.values()))
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        found = [
            f"{path.relative_to(ROOT)} {problem}"
            for path, source in sources.items()
            for problem in problems_in(source, own)
        ]
    finally:
        sys.path.remove(str(ROOT / "bench"))
    assert found == []
