import pytest

from epigrid.spreadsheets.kinds import register_kind, unregister_kind

from .fixtures import PeopleTable, people_kind


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    # Uploaded files go under DATA_DIR/imports: keep each test's files in its own folder.
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def people():
    """The throwaway "people" import kind, registered for the test only."""
    table = PeopleTable()
    register_kind(people_kind(table))
    yield table
    unregister_kind("people")
