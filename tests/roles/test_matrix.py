"""The role matrix of docs/roles.md, walked as tables: querysets, the admin, the staff pages and
the partner API each show every role exactly its rows, and allow exactly its actions.

The district is tests/factories/roles.py: east and west streets, partner A's Bob (east) and
Dave (west, an ended posting on the east), partner B's Charlie (west); the coordinator
coordinates the east street; the assistant is Bob; the partner manager is partner A's Erin.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from assistants.models import Assistant, Dispatch, ServicePoint, Shift
from cases.models import Case
from partners.models import Agreement, Partner
from talentoffice import roles
from tests.factories.roles import build_district

ROLES = ["administrator", "staff", "coordinator", "viewer", "assistant", "partner manager"]
STAFF_ROLES = ["administrator", "staff", "coordinator", "viewer"]

EVERYTHING = {
    Partner: {"A", "B"},
    Agreement: {"agreement A", "agreement B"},
    Assistant: {"bob", "charlie", "dave"},
    ServicePoint: {"east", "west"},
    Dispatch: {"bob@east", "charlie@west", "dave@west", "dave@east ended"},
    Shift: {"east shift", "west shift"},
    Case: {"east case", "west case", "pointless case"},
}

# Which rows each role sees, model by model: the heart of docs/roles.md.
ROWS = {
    "administrator": EVERYTHING,
    "staff": EVERYTHING,
    "viewer": EVERYTHING,
    "coordinator": {
        Partner: {"A"},
        Agreement: set(),
        Assistant: {"bob"},
        ServicePoint: {"east"},
        Dispatch: {"bob@east", "dave@east ended"},
        Shift: {"east shift"},
        Case: {"east case", "pointless case"},
    },
    "assistant": {
        Partner: set(),
        Agreement: set(),
        Assistant: {"bob"},
        ServicePoint: {"east", "west"},
        Dispatch: {"bob@east"},
        Shift: {"east shift"},
        Case: {"east case"},
    },
    "partner manager": {
        Partner: {"A"},
        Agreement: {"agreement A"},
        Assistant: {"bob", "dave"},
        ServicePoint: {"east", "west"},
        Dispatch: {"bob@east", "dave@west", "dave@east ended"},
        Shift: {"east shift"},
        Case: {"east case", "pointless case"},
    },
}

# Who may open each admin list: the view permission of the role's group.
ADMIN_LISTS = {
    "administrator": set(EVERYTHING),
    "staff": set(EVERYTHING),
    "viewer": set(EVERYTHING),
    "coordinator": {Assistant, ServicePoint, Dispatch, Shift, Case},
}

# Who may change and delete Bob's record, and the east case, in the admin.
ADMIN_ACTIONS = {
    #                change  delete
    "administrator": (True, True),
    "staff": (True, False),
    "coordinator": (False, False),
    "viewer": (False, False),
}


@pytest.fixture
def district(db):
    return build_district()


def labels(district, queryset):
    by_pk = {(type(obj), obj.pk): label for label, obj in district.objects.items()}
    return {by_pk[(queryset.model, pk)] for pk in queryset.values_list("pk", flat=True)}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_role_is_a_group_after_migrate(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {role.name for role in roles.ROLES}


def test_syncing_the_roles_again_changes_nothing_and_takes_back_a_hand_made_permission(db):
    viewer = Group.objects.get(name=roles.READ_ONLY_VIEWER)
    before = set(viewer.permissions.values_list("codename", flat=True))
    assert before and all(codename.startswith("view_") for codename in before)
    viewer.permissions.add(*Group.objects.get(name=roles.DISTRICT_STAFF).permissions.all())
    roles.sync_roles()
    roles.sync_roles()
    assert set(viewer.permissions.values_list("codename", flat=True)) == before
    assert Group.objects.filter(name=roles.READ_ONLY_VIEWER).count() == 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", list(EVERYTHING), ids=lambda m: m.__name__)
def test_each_role_sees_exactly_its_rows(district, role, model):
    user = district.users[role]
    assert labels(district, model.objects.visible_to(user)) == ROWS[role][model]


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("model", list(EVERYTHING), ids=lambda m: m.__name__)
def test_each_staff_role_finds_exactly_its_rows_in_the_admin_lists(client, district, role, model):
    client.force_login(district.users[role])
    response = client.get(admin_url(model, "changelist"))
    if model not in ADMIN_LISTS[role]:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert labels(district, response.context["cl"].queryset) == ROWS[role][model]


@pytest.mark.parametrize("role", ["assistant", "partner manager"])
def test_assistants_and_partner_managers_are_sent_to_the_login_page_by_the_admin(
    client, district, role
):
    client.force_login(district.users[role])
    for model in EVERYTHING:
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize(("model", "label"), [(Assistant, "bob"), (Case, "east case")])
def test_each_staff_role_may_change_and_delete_in_the_admin_as_the_matrix_says(
    client, district, role, model, label
):
    client.force_login(district.users[role])
    obj = district[label]
    may_change, may_delete = ADMIN_ACTIONS[role]
    page = client.get(admin_url(model, "change", obj.pk))
    assert page.status_code == 200
    # A role that may only view gets the read-only page: no save button.
    assert ('name="_save"' in page.text) is may_change
    delete = client.get(admin_url(model, "delete", obj.pk))
    if model is Case:
        # Cases are never deleted through the admin, whoever asks (cases.admin).
        assert delete.status_code == 403
    else:
        assert (delete.status_code == 200) is may_delete
        assert delete.status_code in {200, 403}


# The inlines of a change page list the parent's children that the role may see, no more:
# partner A's page lists its assistants and agreements, Bob's page his dispatches (one is added
# on the west street here, so that the east coordinator has one to miss).
INLINE_PAGES = [
    (Partner, "A", {Assistant: {"bob", "dave"}, Agreement: {"agreement A"}}),
    (Assistant, "bob", {Dispatch: {"bob@east", "bob@west"}}),
]


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize(("model", "label", "children"), INLINE_PAGES, ids=["partner", "bob"])
def test_each_staff_role_finds_exactly_its_rows_in_the_inlines_of_a_change_page(
    client, district, role, model, label, children
):
    district.objects["bob@west"] = Dispatch.objects.create(
        assistant=district["bob"], service_point=district["west"], starts_on="2026-01-01"
    )
    client.force_login(district.users[role])
    response = client.get(admin_url(model, "change", district[label].pk))
    if model not in ADMIN_LISTS[role]:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = {
        formset.opts.model: labels(district, formset.formset.queryset)
        for formset in response.context["inline_admin_formsets"]
        if formset.opts.model in children
    }
    for child_model, rows in children.items():
        seen = ROWS[role][child_model] | ({"bob@west"} if role != "coordinator" else set())
        assert listed[child_model] == rows & seen
    if role == "coordinator":
        # Nothing hidden reaches the page either: the west street's point is not named.
        assert district["west"].name not in response.text


def test_a_viewer_who_posts_a_change_anyway_is_refused_and_nothing_is_saved(client, district):
    client.force_login(district.users["viewer"])
    bob = district["bob"]
    response = client.post(
        admin_url(ServicePoint, "change", district["east"].pk), {"name": "改名", "kind": "x"}
    )
    assert response.status_code == 403
    assert ServicePoint.objects.get(pk=district["east"].pk).name == "东街服务点"
    assert Assistant.objects.get(pk=bob.pk).name == "林博"


@pytest.mark.parametrize(
    ("model", "label"),
    [
        (Assistant, "charlie"),
        (ServicePoint, "west"),
        (Dispatch, "charlie@west"),
        (Shift, "west shift"),
        (Case, "west case"),
    ],
)
def test_a_coordinator_who_guesses_another_streets_id_in_the_admin_finds_nothing(
    client, district, model, label
):
    client.force_login(district.users["coordinator"])
    response = client.get(admin_url(model, "change", district[label].pk))
    # The admin answers a row outside get_queryset as missing: back to the index, no data.
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert district[label].pk not in {
        obj.pk for obj in model.objects.visible_to(district.users["coordinator"])
    }


def test_a_coordinators_autocomplete_offers_only_their_streets_assistants(client, district):
    client.force_login(district.users["coordinator"])
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "assistants",
            "model_name": "dispatch",
            "field_name": "assistant",
            "term": "",
        },
    )
    assert response.status_code == 200
    assert {row["text"] for row in response.json()["results"]} == {str(district["bob"])}


# --- staff pages -------------------------------------------------------------------------------

# GET status of each staff page per role: 200 shown, 403 refused, 302 sent to the login page.
PAGES = {
    #             administrator staff coordinator viewer assistant partner manager
    "rota:list": (200, 200, 403, 200, 302, 302),
    "rota:week": (200, 200, 200, 200, 302, 302),
    "rota:month": (200, 200, 200, 200, 302, 302),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_each_role_gets_the_staff_pages_the_matrix_gives_it(client, district, page):
    for role, expected in zip(ROLES, PAGES[page], strict=True):
        client.force_login(district.users[role])
        response = client.get(reverse(page))
        assert response.status_code == expected, (page, role)
        if expected == 302:
            assert response["Location"].startswith(reverse("admin:login"))


# POST status of the phone pages' "show or call the resident" per role and case: 200 shown (and
# logged), 404 not the assistant's case, 302 district staff sent to the admin, 403 refused.
REVEALS = {
    #              administrator staff coordinator viewer assistant partner manager
    "east case": (302, 302, 403, 302, 200, 403),
    "west case": (302, 302, 403, 302, 404, 403),
}


@pytest.mark.parametrize("label", list(REVEALS))
def test_only_the_cases_assistant_may_show_a_residents_phone_on_the_phone_pages(
    client, district, label
):
    from cases.models import PersonalDataAccess

    for role, expected in zip(ROLES, REVEALS[label], strict=True):
        client.force_login(district.users[role])
        url = reverse("mobile:case_reveal", args=[district[label].pk])
        response = client.post(url, {"then": "show"})
        assert response.status_code == expected, (label, role, response.status_code)
    shown = PersonalDataAccess.objects.values_list("case__title", flat=True)
    assert list(shown) == (["东街诉求"] if label == "east case" else [])


@pytest.mark.parametrize("role", ["coordinator", "viewer"])
def test_a_role_that_may_not_publish_cannot_generate_a_rota(client, district, role):
    client.force_login(district.users[role])
    response = client.post(
        reverse("rota:generate"), {"starts_on": "2026-12-01", "ends_on": "2026-12-31"}
    )
    assert response.status_code == 403


def test_a_coordinators_week_grid_shows_only_their_streets_shifts(client, district):
    client.force_login(district.users["coordinator"])
    response = client.get(reverse("rota:week"), {"start": "2026-03-02"})
    assert response.status_code == 200
    assert [row["point"] for row in response.context["rows"]] == [district["east"]]
    shown = {
        shift for row in response.context["rows"] for c in row["cells"] for shift in c["shifts"]
    }
    assert shown == {district["east shift"]}
    assert "陈诚" not in response.text


@pytest.mark.parametrize(
    ("role", "status"),
    [("administrator", 200), ("viewer", 200), ("coordinator", 200), ("assistant", 302)],
)
def test_the_poster_of_an_own_street_point_opens_as_the_matrix_says(client, district, role, status):
    client.force_login(district.users[role])
    response = client.get(reverse("public:point_poster", args=[district["east"].pk]))
    assert response.status_code == status


def test_a_coordinator_cannot_print_another_streets_poster(client, district):
    client.force_login(district.users["coordinator"])
    for name in ("public:point_poster", "public:point_qr"):
        response = client.get(reverse(name, args=[district["west"].pk]))
        assert response.status_code == 404, name


# --- the partner API ---------------------------------------------------------------------------

API_LISTS = {
    "api:assistant-list": Assistant,
    "api:shift-list": Shift,
    "api:case-list": Case,
}


@pytest.mark.parametrize("route", list(API_LISTS))
def test_the_partner_api_lists_exactly_the_partner_managers_rows(client, district, route):
    client.force_login(district.users["partner manager"])
    response = client.get(reverse(route), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    model = API_LISTS[route]
    expected = {district[label].pk for label in ROWS["partner manager"][model]}
    assert {row["id"] for row in rows} == expected


@pytest.mark.parametrize("role", ["administrator", "staff", "coordinator", "viewer", "assistant"])
def test_the_partner_api_refuses_every_role_but_the_partner_manager(client, district, role):
    client.force_login(district.users[role])
    response = client.get(reverse("api:assistant-list"), HTTP_ACCEPT="application/json")
    assert response.status_code == 403


def test_the_partner_api_browsable_page_shows_only_the_managers_rows(client, district):
    client.force_login(district.users["partner manager"])
    response = client.get(reverse("api:assistant-list"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "林博" in response.text
    assert "陈诚" not in response.text
