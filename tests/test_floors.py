"""The apps depend only downward: the core, then partners, assistants, cases, then the surfaces.

Every module's imports are read with ast. A module sits on the floor of the longest package
prefix below that names it, so a package inside an app could be held to a higher floor's rules
than the app around it (none is today: each surface is its own app).

The models obey the same floors: a foreign key, one-to-one or many-to-many field may point at a
model of its own floor or below, never up (a string reference such as "assistants.ServicePoint"
counts as much as an import).

`UPWARD_STILL_TO_MOVE` lists the upward imports that exist today and are still to be moved;
the test fails both on a new upward import and on a listed one that is gone, so the list only
shrinks and always tells the truth.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

ROOT = Path(__file__).resolve().parent.parent

CORE, PARTNERS, ASSISTANTS, CASES, SURFACE, DEMO = range(6)

# Longest prefix wins. Surfaces share a floor and may not import one another.
FLOOR_OF_PREFIX = {
    "talentoffice": CORE,
    "partners": PARTNERS,
    "assistants": ASSISTANTS,
    "cases": CASES,
    "partner_api": SURFACE,
    "mobile": SURFACE,
    "steering": SURFACE,
    "portal": SURFACE,
    "workspace": SURFACE,
    "demo": DEMO,
}

# The URL root and the management of the whole site may look at everything.
SITE_ROOT_MODULES = {"talentoffice.urls", "talentoffice.settings", "talentoffice.wsgi"}

# Upward imports still to be moved, as "importer -> imported module".
UPWARD_STILL_TO_MOVE: set[str] = set()

# Model relations that point up a floor and are still to be turned round, as
# "app.Model.field -> app.Model". The core has none.
RELATIONS_STILL_TO_MOVE = {
    "partners.ApiIdempotencyKey.visit -> cases.Visit",
    "partners.AssistantProposal.assistant -> assistants.Assistant",
}


def floor_of(module: str) -> tuple[int, str] | None:
    """The floor of a module of ours and the prefix that placed it, or None for a library."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        prefix = ".".join(parts[:length])
        if prefix in FLOOR_OF_PREFIX:
            return FLOOR_OF_PREFIX[prefix], prefix
    return None


def project_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if (
            relative.parts[0] in {".venv", "tests", "bench", "build"}
            or "migrations" in relative.parts
        ):
            continue
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        if floor_of(module) is not None:
            yield module, path


def imported_modules(module: str, tree: ast.AST):
    """Every module named by an import statement, with relative imports made absolute."""
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield node, name
            for alias in node.names:
                # `from cases import workflow` names the module cases.workflow.
                yield node, f"{name}.{alias.name}"


def import_goes_wrong_way(importer: str, imported: str) -> bool:
    placed_importer, placed_imported = floor_of(importer), floor_of(imported)
    if placed_imported is None or importer in SITE_ROOT_MODULES:
        return False
    (floor_a, prefix_a), (floor_b, prefix_b) = placed_importer, placed_imported
    if floor_b > floor_a:
        return True
    # Two surfaces side by side: each looks only down, never sideways.
    return floor_a == floor_b == SURFACE and prefix_a.split(".")[0] != prefix_b.split(".")[0]


def upward_imports() -> set[str]:
    found = set()
    for module, path in project_modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for _node, imported in imported_modules(module, tree):
            if floor_of(imported) and import_goes_wrong_way(module, imported):
                # `from cases.models import Case` also yields cases.models.Case: keep the module.
                name = imported
                while name.count(".") and not (ROOT / (name.replace(".", "/") + ".py")).exists():
                    if (ROOT / name.replace(".", "/") / "__init__.py").exists():
                        break
                    name = name.rsplit(".", 1)[0]
                found.add(f"{module} -> {name}")
    return found


def test_the_floor_checker_catches_an_import_up_a_floor():
    assert import_goes_wrong_way("partners.models", "cases.models")
    assert import_goes_wrong_way("talentoffice.audit", "assistants.models")
    assert import_goes_wrong_way("steering.views", "partner_api.views")
    assert not import_goes_wrong_way("cases.workflow", "assistants.models")
    assert not import_goes_wrong_way("partner_api.views", "cases.models")
    assert not import_goes_wrong_way("talentoffice.urls", "steering.urls")
    assert not import_goes_wrong_way("cases.models", "django.db.models")


def test_no_app_imports_up_a_floor_beyond_the_listed_ones_still_to_move():
    found = upward_imports()
    new = sorted(found - UPWARD_STILL_TO_MOVE)
    moved = sorted(UPWARD_STILL_TO_MOVE - found)
    assert not new, f"imports that go up a floor: {new}"
    assert not moved, f"no longer upward, take them off UPWARD_STILL_TO_MOVE: {moved}"


def relations_up_a_floor(models_to_check) -> set[str]:
    """ "app.Model.field -> app.Model" for each relation of these models that points up a floor."""
    found = set()
    for model in models_to_check:
        own = model._meta.app_label
        for field in model._meta.get_fields():
            # Reverse relations belong to the model that declares them; a generic foreign key
            # names no model.
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            target = field.related_model
            label = target if isinstance(target, str) else target._meta.label
            if floor_of(label.split(".")[0]) and import_goes_wrong_way(own, label.split(".")[0]):
                found.add(f"{model._meta.label}.{field.name} -> {label}")
    return found


@isolate_apps("talentoffice")
def test_the_floor_checker_catches_a_core_model_with_a_foreign_key_to_an_app_model():
    class Robot(models.Model):
        point = models.ForeignKey("assistants.ServicePoint", on_delete=models.CASCADE)
        street = models.ForeignKey("talentoffice.Street", on_delete=models.CASCADE)

        class Meta:
            app_label = "talentoffice"

        def __str__(self):
            return "robot"

    assert relations_up_a_floor([Robot]) == {"talentoffice.Robot.point -> assistants.ServicePoint"}


def test_no_model_points_up_a_floor_beyond_the_listed_ones_still_to_move():
    found = relations_up_a_floor(
        model for model in apps.get_models() if floor_of(model._meta.app_label)
    )
    new = sorted(found - RELATIONS_STILL_TO_MOVE)
    moved = sorted(RELATIONS_STILL_TO_MOVE - found)
    assert not new, f"relations that go up a floor: {new}"
    assert not moved, f"no longer upward, take them off RELATIONS_STILL_TO_MOVE: {moved}"


def reason_above(lines: list[str], lineno: int) -> bool:
    """Whether a comment stands above the block of imports that holds line `lineno`."""
    index = lineno - 2
    while index >= 0:
        text = lines[index].strip()
        if text.startswith("#"):
            return True
        # One comment may explain a block of imports together, wrapped ones included.
        if text.startswith(("from ", "import ")) or text.endswith((",", "(")) or text == ")":
            index -= 1
            continue
        return False
    return False


def function_local_imports_without_reason():
    """Imports of our own code inside a function with no comment saying why they are there."""
    found = set()
    for module, path in project_modules():
        lines = path.read_text().splitlines()
        tree = ast.parse("\n".join(lines), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if not isinstance(node, ast.Import | ast.ImportFrom) or getattr(node, "level", 0):
                    continue
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                )
                if not any(floor_of(name or "") for name in names):
                    continue
                if "#" not in lines[node.lineno - 1] and not reason_above(lines, node.lineno):
                    found.add(f"{module}:{function.name} -> {names[0]}")
    return found


# Function-local imports of our own code that still have no reason written beside them.
LOCAL_IMPORTS_STILL_TO_EXPLAIN: set[str] = set()


def test_every_function_local_import_of_our_code_says_why_it_is_not_at_the_top():
    found = function_local_imports_without_reason()
    new = sorted(found - LOCAL_IMPORTS_STILL_TO_EXPLAIN)
    explained = sorted(LOCAL_IMPORTS_STILL_TO_EXPLAIN - found)
    assert not new, f"function-local imports with no reason beside them: {new}"
    assert not explained, f"explained or gone, take them off the list: {explained}"
