"""Tariff arithmetic on the SPEC table (PP 13/2024): exact integer rupiah, started blocks rounded up, Rp 0."""

from __future__ import annotations

from datetime import date

import pytest

from rules import tariffs
from rules.errors import RuleError

S = tariffs.schedule_on(date(2026, 1, 14))


def unit(code, measure=None):
    return tariffs.price(S.items[code], measure=measure).unit_price


def test_schedule_cites_the_regulation_and_its_date():
    assert S.regulation_short == "PP 13/2024"
    assert "Nomor 13 Tahun 2024" in S.regulation
    assert S.effective_from == date(2024, 1, 1)
    assert S.label == "PP 13/2024 (2024-01-01)"
    assert S.zero_article == "PP 13/2024 Pasal 4"


@pytest.mark.parametrize(
    "pages, rupiah",
    [
        (1, 50_000),
        (50, 50_000),  # the first 50 pages
        (51, 65_000),  # one page more starts a block of 50
        (100, 65_000),
        (101, 80_000),
        (120, 80_000),
        (150, 80_000),
        (151, 95_000),
        (1000, 50_000 + 19 * 15_000),
    ],
)
def test_electronic_publication_blocks_of_50_pages(pages, rupiah):
    assert unit("publication", pages) == rupiah


@pytest.mark.parametrize(
    "size, rupiah",
    [
        (1, 20_000),
        (1_000_000, 20_000),  # the first MB (1.000.000 bytes)
        (1_000_001, 20_020),  # one byte more starts a block of 1.000 bytes
        (1_001_000, 20_020),
        (1_001_001, 20_040),
        (2_500_001, 20_000 + 1_501 * 20),  # 1.500.001 extra bytes = 1.501 started blocks
        (10_000_000, 20_000 + 9_000 * 20),
    ],
)
def test_raw_microdata_per_dataset(size, rupiah):
    assert unit("microdata_raw", size) == rupiah


@pytest.mark.parametrize(
    "size, rupiah",
    [
        (1_000_000, 22_000),
        (1_000_001, 22_022),
        (3_000_000, 22_000 + 2_000 * 22),
        (3_000_999, 22_000 + 2_001 * 22),
    ],
)
def test_processed_microdata_per_table(size, rupiah):
    assert unit("microdata_processed", size) == rupiah


@pytest.mark.parametrize(
    "code, rupiah",
    [
        ("map_indonesia_kecamatan", 12_000_000),
        ("map_indonesia_desa", 36_000_000),
        ("map_kabkota_kecamatan", 30_000),
        ("map_kabkota_desa", 70_000),
    ],
)
def test_maps_per_map(code, rupiah):
    p = tariffs.price(S.items[code], quantity=3)
    assert (p.unit_price, p.amount) == (rupiah, 3 * rupiah)
    assert isinstance(p.amount, int)


def test_the_rule_is_shown_and_says_a_started_block_is_rounded_up():
    p = tariffs.price(S.items["microdata_raw"], measure=2_500_001)
    assert p.rule["blocks"] == 1_501 and p.rule["rounded_up"] is True
    text = tariffs.describe_rule(p.rule)
    assert text == (
        "2.500.001 bytes: first 1.000.000 bytes Rp 20.000 + 1.501 x each further 1.000 bytes Rp 20 "
        "(a started block counts as a whole block)"
    )
    exact = tariffs.price(S.items["publication"], measure=100)
    assert "started block" not in tariffs.describe_rule(exact.rule)  # 50 extra pages: a whole block, no rounding
    assert tariffs.describe_rule(tariffs.price(S.items["map_kabkota_desa"]).rule) == "Rp 70.000 per map"


def test_zero_tariff_keeps_the_list_price_for_the_record():
    listed = tariffs.price(S.items["microdata_raw"], measure=2_500_001, quantity=2)
    zero = tariffs.zero_price(listed, schedule=S, use="research_development")
    assert (zero.unit_price, zero.amount) == (0, 0)
    assert zero.rule["list_amount"] == 2 * 50_020
    assert tariffs.describe_rule(zero.rule).startswith(
        "Rp 0 under PP 13/2024 Pasal 4 for research and development (list price Rp 100.040); 2.500.001 bytes"
    )


@pytest.mark.parametrize(
    "segment, use, purpose, code",
    [
        ("private", "research_development", "research", "zero_tariff_segment"),
        ("individual", "research_development", "thesis", "zero_tariff_segment"),
        ("education", "selling_data", "research", "zero_tariff_use"),
        ("government", "government_duties", "business", "zero_tariff_commercial"),
    ],
)
def test_zero_tariff_refused_outside_the_eligible_segments_and_uses(segment, use, purpose, code):
    err = tariffs.zero_tariff_refusal(S, segment=segment, use=use, purpose=purpose)
    assert err is not None and err.code == code


@pytest.mark.parametrize(
    "segment, use",
    [
        ("government", "government_duties"),
        ("education", "research_development"),
        ("international", "international_commitment"),
    ],
)
def test_zero_tariff_allowed_for_eligible_segments(segment, use):
    assert tariffs.zero_tariff_refusal(S, segment=segment, use=use, purpose="research") is None


@pytest.mark.parametrize("measure", [0, -5, None, 1.5, True])
def test_measured_items_need_a_whole_positive_size(measure):
    with pytest.raises(RuleError) as e:
        tariffs.price(S.items["publication"], measure=measure)
    assert e.value.code == "bad_measure"


@pytest.mark.parametrize("quantity", [0, 1001, 2.0])
def test_quantity_bounds(quantity):
    with pytest.raises(RuleError) as e:
        tariffs.price(S.items["map_kabkota_desa"], quantity=quantity)
    assert e.value.code == "bad_quantity"


def test_a_new_regulation_is_a_data_change(tmp_path):
    src = (tariffs.DEFAULT_DIR / "pp-13-2024.toml").read_text()
    (tmp_path / "pp-13-2024.toml").write_text(src)
    newer = src.replace('id = "PP-13-2024"', 'id = "PP-99-2027"').replace(
        "effective_from = 2024-01-01", "effective_from = 2027-07-01"
    )
    newer = newer.replace("first_price = 50000", "first_price = 60000").replace(
        'regulation_short = "PP 13/2024"', 'regulation_short = "PP 99/2027"'
    )
    (tmp_path / "pp-99-2027.toml").write_text(newer)
    before = tariffs.schedule_on(date(2027, 6, 30), tmp_path)
    after = tariffs.schedule_on(date(2027, 7, 1), tmp_path)
    assert before.id == "PP-13-2024" and tariffs.price(before.items["publication"], measure=10).amount == 50_000
    assert after.id == "PP-99-2027" and tariffs.price(after.items["publication"], measure=10).amount == 60_000
    with pytest.raises(RuleError):
        tariffs.schedule_on(date(2023, 12, 31), tmp_path)


def test_a_broken_tariff_file_is_refused_with_its_name(tmp_path):
    (tmp_path / "bad.toml").write_text(
        (tariffs.DEFAULT_DIR / "pp-13-2024.toml").read_text().replace("next_price = 15000\n", "")
    )
    with pytest.raises(tariffs.TariffDataError, match="bad.toml"):
        tariffs.load_schedules(tmp_path)


def test_tariff_sheet_lists_every_product():
    sheet = tariffs.tariff_sheet(S)
    assert [r["code"] for r in sheet["items"]][:3] == ["publication", "microdata_raw", "microdata_processed"]
    assert sheet["items"][0]["price_rule"] == "first 50 pages Rp 50.000; each further started 50 pages Rp 15.000"
    assert sheet["regulation_short"] == "PP 13/2024"


def test_rupiah_format():
    assert tariffs.rupiah(36_000_000) == "Rp 36.000.000"
    assert tariffs.rupiah(0) == "Rp 0"
