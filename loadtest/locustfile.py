"""Load: practice users logging in, browsing comparisons, using the what-if panel and editing.

Run through `python -m loadtest.run` (make load), which prepares the data and the
server; the users are load-user-N, all admins of the demo practice Y00001.
"""

import random
import re

from locust import HttpUser, between, task

from loadtest import PASSWORD, USERS

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MODEL_LINKS = re.compile(r'href="(/practices/Y00001/models/\d+/)"')
ROLE_LINKS = re.compile(r'href="(/practices/Y00001/roles/\d+/edit/)"')


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) if match else ""


class PracticeUser(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        number = random.randrange(USERS)  # noqa: S311 - not security
        page = self.client.get("/accounts/login/", name="login page")
        self.client.post(
            "/accounts/login/",
            {"username": f"load-user-{number}", "password": PASSWORD, "csrfmiddlewaretoken": _csrf(page.text)},
            headers={"Referer": self.host + "/accounts/login/"},
            name="log in",
        )
        practice = self.client.get("/practices/Y00001/", name="practice page").text
        self.models = MODEL_LINKS.findall(practice) or ["/practices/Y00001/models/1/"]
        roles = self.client.get("/practices/Y00001/roles/", name="roles page").text
        self.roles = ROLE_LINKS.findall(roles)

    @task(4)
    def comparison(self):
        self.client.get(random.choice(self.models), name="comparison page")  # noqa: S311

    @task(1)
    def dashboard(self):
        self.client.get("/", name="dashboard")

    @task(3)
    def whatif(self):
        url = random.choice(self.models)  # noqa: S311
        page = self.client.get(url, name="comparison page")
        if not page.ok:
            return  # counted as that page's failure; a POST without its form's token would only add a 403
        data = dict(re.findall(r'name="(role_\d+_rate|version|scale)" value="([^"]*)"', page.text))
        for name in list(data):
            if name.startswith("role_"):
                data[name] = f"{random.uniform(9, 60):.2f}"  # noqa: S311
        data["csrfmiddlewaretoken"] = _csrf(page.text)
        self.client.post(
            url + "what-if/",
            data,
            headers={"HX-Request": "true", "Referer": self.host + url},
            name="what-if panel",
        )

    @task(1)
    def edit_role(self):
        if not self.roles:
            return
        url = random.choice(self.roles)  # noqa: S311
        response = self.client.get(url, name="role form")
        if not response.ok:
            return
        form = response.text
        fields = dict(re.findall(r'name="(version|name|key|band)" value="([^"]*)"', form))
        fields.update(
            {
                "entry_method": "hourly",
                "cost_per_hour": f"{random.uniform(9, 60):.2f}",  # noqa: S311
                "cost_basis": "salary_only",
                "csrfmiddlewaretoken": _csrf(form),
            }
        )
        # A refused save (someone else saved first) is a page with a message: still a 200.
        self.client.post(url, fields, headers={"Referer": self.host + url}, name="role save")
