"""Two apps in one process share no state (issue 14, part 4): each has its own ID encryption keys,
its own policy cache, receipt PDF cache and password hash method, kept in app.extensions."""
import pytest
from cryptography.exceptions import InvalidTag

from tests.conftest import make_test_config
from tests.schema import install_sqlite
from webapp import create_app
from webapp.extensions import db
from webapp.idvault import idvault
from webapp.models import Campaign, User

NUMBER = "41041119800517001X"


@pytest.fixture
def two_apps(tmp_path, schema_workdir):
    apps = []
    for i, method in ((1, "pbkdf2:sha256:1000"), (2, "pbkdf2:sha256:2000")):
        install_sqlite(tmp_path / f"app{i}.db", schema_workdir)
        config = make_test_config(f"sqlite:///{tmp_path}/app{i}.db", tmp_path / f"a{i}",
                                  ID_KEYS={"1": bytes([i]) * 32}, PASSWORD_HASH_METHOD=method)
        apps.append(create_app(config))
    yield apps
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_each_app_encrypts_with_its_own_keys(two_apps):
    one, two = two_apps
    with one.app_context():
        sealed, hashed = idvault.encrypt(NUMBER), idvault.lookup_hash(NUMBER)
        assert idvault.decrypt(sealed) == NUMBER
    with two.app_context():
        assert idvault.lookup_hash(NUMBER) != hashed
        with pytest.raises(InvalidTag):
            idvault.decrypt(sealed)
    with one.app_context():          # creating the second app changed nothing for the first
        assert idvault.decrypt(sealed) == NUMBER and idvault.lookup_hash(NUMBER) == hashed
    assert one.extensions["idvault"] is not two.extensions["idvault"]


def test_each_app_hashes_passwords_its_own_way(two_apps):
    one, two = two_apps
    for app, rounds in ((one, "1000"), (two, "2000")):
        with app.app_context():
            u = User(username="x", name="x", role="coordinator")
            u.set_password("Passw0rd1")
            assert u.password_hash.startswith(f"pbkdf2:sha256:{rounds}$")
    assert not hasattr(User, "hash_method")


def test_each_app_keeps_its_own_policy_cache(two_apps):
    from webapp.services import campaigns
    from webapp.services.actor import SYSTEM
    from webapp.timeutil import today_local
    policies = []
    for app in two_apps:
        with app.app_context():
            campaigns.create_campaign(SYSTEM, campaigns.default_input(today_local().year))
            campaign = db.session.scalars(db.select(Campaign)).one()
            policies.append(campaign.policy())
            assert campaign.policy() is policies[-1]                 # cached within the app
            assert len(app.extensions["lx.policies"]) == 1
    assert policies[0] is not policies[1]
    assert two_apps[0].extensions["lx.policies"] is not two_apps[1].extensions["lx.policies"]


def test_each_app_keeps_its_own_receipt_pdfs(two_apps):
    """A receipt PDF cached by one app is never the answer of another (same number, other data)."""
    from webapp.printing import receipt as receipt_print
    from webapp.services.site import Site

    one, two = two_apps
    assert Site.of(one).pdf_cache is Site.of(one).pdf_cache        # kept for the app's life
    assert Site.of(one).pdf_cache is not Site.of(two).pdf_cache
    Site.of(one).pdf_cache.put("k", b"%PDF-one")
    assert Site.of(two).pdf_cache.get("k") is None
    assert receipt_print.PdfCache().get("k") is None              # a fresh cache holds nothing
