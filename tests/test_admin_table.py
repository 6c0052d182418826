"""The administrative map's shipped table is the one derived from the vietnamadminunits package."""

from __future__ import annotations

from pathlib import Path

import pytest
from cchc_graph.loaders import admin, admin_table


def test_the_shipped_table_is_the_one_derived_from_the_package() -> None:
    derived = admin_table.derive()
    if not derived:
        pytest.skip("vietnamadminunits is not installed (the test extra installs it)")
    shipped = admin.TABLE.read_text(encoding="utf-8").splitlines()
    assert shipped == admin_table.rows(derived), "stale: python -m cchc_graph.loaders.admin_table"
    assert admin.units() == derived  # every field read back as derived, None where empty


def test_a_unit_read_from_the_table() -> None:
    u = admin.units()["vn-hau-giang"]
    assert (u.name, u.short, u.type, u.level, u.parent) == ("Tỉnh Hậu Giang", "Hậu Giang", "tỉnh", "province", "vn")
    assert u.successor == "vn2025-can-tho"  # merged into Cần Thơ on 1 July 2025
    assert admin.units()["vn2025-can-tho"].successor is None  # empty cell: no successor
    # the folded short name column is what lookups go by
    assert [x.id for x in admin.candidates("hau giang")] == ["vn-hau-giang"]


def test_a_table_of_other_columns_says_how_to_regenerate_it(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "admin_units.tsv"
    bad.write_text("id\tname\nvn-x\tX\n", encoding="utf-8")
    monkeypatch.setattr(admin, "TABLE", bad)
    admin._table.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"admin_units\.tsv: unexpected columns; regenerate it"):
            admin._table()
    finally:
        admin._table.cache_clear()
