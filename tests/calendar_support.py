"""The working-day calendar as an operator keeps it: a year entered in the admin."""

from accounts.models import User


def enter_2027_in_the_admin(client) -> None:
    """A hypothetical notice, entered as an operator does: New Year's Day Fri 1 off, Mon 4
    off in lieu, Sat 9 a make-up working day."""
    operator = User.objects.create_superuser("ops", "ops@example.com", "pass-word-123")
    client.force_login(operator)
    days = [("2027-01-01", False, "元旦"), ("2027-01-04", False, "元旦"),
            ("2027-01-09", True, "元旦")]
    form = {"year": "2027", "source": "admin", "notice": "国办发明电〔2026〕X号",
            "days-TOTAL_FORMS": str(len(days)), "days-INITIAL_FORMS": "0",
            "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "1000"}
    for index, (day, working, name) in enumerate(days):
        form[f"days-{index}-date"] = day
        form[f"days-{index}-name"] = name
        if working:
            form[f"days-{index}-is_workday"] = "on"
    response = client.post("/admin/accounts/calendaryear/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
